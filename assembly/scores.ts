// Rank-based signature score kernels (docs/scores.md): ssGSEA as GSVA 1.46, the ESTIMATE random
// walk, per-sample ranks (singscore), log2(x + 1), and the leading eigenvector for PC1 scores.
// Inputs are column-major genes × samples; outputs samples × sets, column-major (out[j + s·samples]).
// Gene sets arrive as a CSR list: rows of set s are setRows[setOff[s] .. setOff[s + 1]) (unique, i32).
// Scratch buffers are the host's: i32 ones of `n` elements unless said otherwise, f64 ones of `n`.
import { sortIndexByKey } from "./qn";
import { x87FromD, x87Add, x87ToD, rS, rE, rM, aS, aE, aM, accZero, accAddD } from "./x87";

@inline function ldI(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline function stI(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}
@inline function ldF(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function stF(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/**
 * Ranks one sample. idx ← genes in ascending stable order of value. For every gene g: back[g] = n − pos_g + 1,
 * where pos_g is g's 1-based place in the decreasing order that keeps ties in row order (R's stable
 * order(decreasing = TRUE)); posF[g] = pos_g as f64 (a sort key); rank[g] = 1-based average rank (R's
 * rank(ties = "average")) or, with minTies, the minimum rank of the tie group (ties = "min").
 */
function rankSample(col: usize, n: i32, idx: usize, tmp: usize, back: usize, posF: usize, rank: usize, minTies: bool): void {
  for (let i = 0; i < n; i++) stI(idx, i, i);
  sortIndexByKey(col, idx, tmp, n);
  let a = 0;
  while (a < n) {
    const va = ldF(col, ldI(idx, a));
    let b = a + 1; // group = sorted places [a, b)
    while (b < n && ldF(col, ldI(idx, b)) == va) b++;
    const r = minTies ? <f64>(a + 1) : <f64>(a + 1 + b) * 0.5;
    for (let i = a; i < b; i++) {
      const g = ldI(idx, i);
      // Decreasing order: the n − b larger genes come first, then this group in row (= ascending) order.
      const pos = n - b + (i - a) + 1;
      if (back) stI(back, g, n - pos + 1);
      if (posF) stF(posF, g, <f64>pos);
      stF(rank, g, r);
    }
    a = b;
  }
}

/**
 * Raw ssGSEA enrichment scores exactly as GSVA 1.46 (no normalisation; the host divides by the range of
 * the whole score matrix). Per sample: ranks are average ranks truncated to integers, weights
 * W = rank^alpha (pow as glibc), and, with q_g = n − pos_g + 1 and k = |set|,
 *   ES = LDΣ W·q / LDΣ W − (n(n+1)/2 − Σ q) / (n − k),
 * the sums taken over the set in ascending position as GSVA 1.46 does.
 * Scratch: idx, tmp, back (i32 n); posF, w (f64 n); sIdx, sTmp (i32, largest set size).
 */
export function ssgseaScores(
  x: usize, n: i32, samples: i32, setRows: usize, setOff: usize, nSets: i32, alpha: f64, out: usize,
  idx: usize, tmp: usize, back: usize, posF: usize, w: usize, sIdx: usize, sTmp: usize,
): void {
  const nf = <f64>n;
  const triangle = nf * (nf + 1.0) / 2.0; // R: n * (n + 1) / 2 in double (exact below 2^53)
  for (let j = 0; j < samples; j++) {
    const col = x + ((<usize>j * <usize>n) << 3);
    rankSample(col, n, idx, tmp, back, posF, w, false);
    // GSVA 1.46 keeps ranks as.integer (truncation: 3.5 → 3) before the weights.
    for (let g = 0; g < n; g++) stF(w, g, Math.pow(Math.floor(ldF(w, g)), alpha));
    for (let s = 0; s < nSets; s++) {
      const o = ldI(setOff, s);
      const k = ldI(setOff, s + 1) - o;
      for (let i = 0; i < k; i++) stI(sIdx, i, ldI(setRows, o + i));
      sortIndexByKey(posF, sIdx, sTmp, k); // ascending position, as GSVA's sort.int(fmatch(...))
      let sumQ: f64 = 0; // integers: exact in double, as R's x87 sum of them
      accZero();
      for (let i = 0; i < k; i++) {
        const g = ldI(sIdx, i);
        const q = <f64>ldI(back, g);
        sumQ += q;
        accAddD(ldF(w, g) * q);
      }
      const num = x87ToD(aS, aE, aM);
      accZero();
      for (let i = 0; i < k; i++) accAddD(ldF(w, ldI(sIdx, i)));
      const den = x87ToD(aS, aE, aM);
      stF(out, j + s * samples, num / den - (triangle - sumQ) / <f64>(n - k));
    }
  }
}

/** cumsum's x87 running sum: acc += x, returned rounded to double (R stores each prefix as double). */
@inline function cumAdd(x: f64): f64 {
  x87FromD(x);
  x87Add(aS, aE, aM, rS, rE, rM);
  aS = rS;
  aE = rE;
  aM = rM;
  return x87ToD(rS, rE, rM);
}

/**
 * ESTIMATE enrichment scores (docs/scores.md, the original estimateScore walk), no normalisation.
 * Per sample: m = 10000 · (average rank) / n, c = m^0.25 by decreasing position (ties in row order),
 * TAG = set membership; Fn = cumsum(TAG·c / Σ_TAG c), F0 = cumsum((1 − TAG)/(n − k)); ES = LDΣ (Fn − F0).
 * Scratch: idx, tmp, tag (i32 n); posF, w (f64 n); res (f64 n).
 */
export function estimateScores(
  x: usize, n: i32, samples: i32, setRows: usize, setOff: usize, nSets: i32, out: usize,
  idx: usize, tmp: usize, tag: usize, posF: usize, w: usize, res: usize,
): void {
  const nf = <f64>n;
  for (let j = 0; j < samples; j++) {
    const col = x + ((<usize>j * <usize>n) << 3);
    rankSample(col, n, idx, tmp, 0, posF, w, false);
    // res[pos − 1] = c = (10000·rank/n)^0.25 in ranking order (R: 10000 * m / N, then abs(.)^0.25).
    for (let g = 0; g < n; g++) stF(res, <i32>ldF(posF, g) - 1, Math.pow(ESTIMATE_SCALE * ldF(w, g) / nf, ESTIMATE_ALPHA));
    for (let s = 0; s < nSets; s++) {
      const o = ldI(setOff, s);
      const k = ldI(setOff, s + 1) - o;
      for (let p = 0; p < n; p++) stI(tag, p, 0);
      for (let i = 0; i < k; i++) stI(tag, <i32>ldF(posF, ldI(setRows, o + i)) - 1, 1);
      accZero();
      for (let p = 0; p < n; p++) if (ldI(tag, p)) accAddD(ldF(res, p)); // sum(c[TAG == 1]), position order
      const sumC = x87ToD(aS, aE, aM);
      const nm = <f64>(n - k);
      // Three x87 accumulators walked together: Fn, F0 (prefixes rounded) and Σ RES.
      let fnS: u32 = 0, fnE: i32 = 0, fnM: u64 = 0;
      let f0S: u32 = 0, f0E: i32 = 0, f0M: u64 = 0;
      let esS: u32 = 0, esE: i32 = 0, esM: u64 = 0;
      for (let p = 0; p < n; p++) {
        const t = ldI(tag, p);
        aS = fnS; aE = fnE; aM = fnM;
        const fn = cumAdd(t ? ldF(res, p) / sumC : 0.0);
        fnS = aS; fnE = aE; fnM = aM;
        aS = f0S; aE = f0E; aM = f0M;
        const f0 = cumAdd(t ? 0.0 : 1.0 / nm);
        f0S = aS; f0E = aE; f0M = aM;
        aS = esS; aE = esE; aM = esM;
        cumAdd(fn - f0);
        esS = aS; esE = aE; esM = aM;
      }
      stF(out, j + s * samples, x87ToD(esS, esE, esM));
    }
  }
}

/** ESTIMATE rescales ranks to 0..10000 before the weights (cancels in ES up to rounding). */
const ESTIMATE_SCALE: f64 = 10000.0;
/** ESTIMATE's weight exponent (the same 0.25 as ssGSEA's default tau). */
const ESTIMATE_ALPHA: f64 = 0.25;

/** Per-sample ranks into out (same layout as x): average ties, or minimum ties (singscore) if minTies. */
export function rankColumns(x: usize, n: i32, samples: i32, minTies: bool, out: usize, idx: usize, tmp: usize): void {
  for (let j = 0; j < samples; j++) {
    const off = (<usize>j * <usize>n) << 3;
    rankSample(x + off, n, idx, tmp, 0, 0, out + off, minTies);
  }
}

/** In place x ← log2(x + 1), with musl's (= glibc's) log2 as R calls it. */
export function log2p1(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) stF(p, i, Math.log2(ldF(p, i) + 1.0));
}

/** Cyclic Jacobi sweeps before giving up (each sweep squares the off-diagonal mass near convergence). */
const JACOBI_MAX_SWEEPS: i32 = 100;
/** Converged when the off-diagonal mass is below (1e-17)² of the diagonal's: below double resolution. */
const JACOBI_TOL2: f64 = 1e-34;

/**
 * Leading eigenvector of the symmetric k × k matrix a (column-major, destroyed) into v (unit norm, sign
 * not fixed here); returns the largest eigenvalue. Cyclic Jacobi rotations accumulate the eigenvectors
 * in vecs (f64 k·k scratch); deterministic and accurate for the small k of a gene set.
 */
export function topEigen(a: usize, k: i32, v: usize, vecs: usize): f64 {
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) stF(vecs, i + j * k, i == j ? 1.0 : 0.0);
  for (let sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
    let off: f64 = 0, diag: f64 = 0;
    for (let q = 0; q < k; q++) {
      diag += ldF(a, q + q * k) * ldF(a, q + q * k);
      for (let p = 0; p < q; p++) off += ldF(a, p + q * k) * ldF(a, p + q * k);
    }
    if (off <= JACOBI_TOL2 * diag) break;
    for (let q = 1; q < k; q++) {
      for (let p = 0; p < q; p++) {
        const apq = ldF(a, p + q * k);
        if (apq == 0) continue;
        const app = ldF(a, p + p * k), aqq = ldF(a, q + q * k);
        // Rotation angle (Golub & Van Loan, Algorithm 8.4.1, sym.schur2).
        const tau = (aqq - app) / (2.0 * apq);
        const t = (tau >= 0 ? 1.0 : -1.0) / (Math.abs(tau) + Math.sqrt(1.0 + tau * tau));
        const c = 1.0 / Math.sqrt(1.0 + t * t), s = t * c;
        for (let r = 0; r < k; r++) {
          const arp = ldF(a, r + p * k), arq = ldF(a, r + q * k);
          stF(a, r + p * k, c * arp - s * arq);
          stF(a, r + q * k, s * arp + c * arq);
        }
        for (let r = 0; r < k; r++) {
          const apr = ldF(a, p + r * k), aqr = ldF(a, q + r * k);
          stF(a, p + r * k, c * apr - s * aqr);
          stF(a, q + r * k, s * apr + c * aqr);
        }
        for (let r = 0; r < k; r++) {
          const vrp = ldF(vecs, r + p * k), vrq = ldF(vecs, r + q * k);
          stF(vecs, r + p * k, c * vrp - s * vrq);
          stF(vecs, r + q * k, s * vrp + c * vrq);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < k; i++) if (ldF(a, i + i * k) > ldF(a, best + best * k)) best = i;
  for (let r = 0; r < k; r++) stF(v, r, ldF(vecs, r + best * k));
  return ldF(a, best + best * k);
}
