// Least squares by Householder QR exactly as R's lm.fit / glm.fit do it: LINPACK dqrdc2 (R's modified
// dqrdc, src/appl/dqrdc2.f) with its limited column pivoting — a column whose norm falls below tol times
// its original norm is moved to the end and counted as aliased — then dqrsl for Q'y, the coefficients and
// the residuals. Hand-written because the pivoting rule decides which coefficient R reports as NA and no
// JS linear-algebra library implements dqrdc2; loops follow the Fortran so rounding follows it too.

/** A QR decomposition in LINPACK's compact form (column-major n × p, as R's `qr$qr`). */
export interface QR {
  n: number;
  p: number;
  /** Householder vectors below the diagonal, R on and above it; columns in pivoted order. */
  qr: Float64Array;
  qraux: Float64Array;
  /** 0-based original column index of each pivoted column. */
  pivot: Int32Array;
  rank: number;
}

/** Blue's thresholds of reference BLAS ≥ 3.10 dnrm2 (double precision): squares between them are exact-range. */
const TSML = 1.4916681462400413e-154;
const TBIG = 1.997919072202235e146;

/**
 * Euclidean norm as reference BLAS 3.10+ dnrm2 (Blue's algorithm, what Debian's R links): a plain sum of
 * squares when every entry is in the middle range, which is the case for any real data; otherwise the
 * classic scaled loop, which cannot overflow.
 */
function nrm2(x: Float64Array, off: number, len: number): number {
  let sum = 0;
  for (let i = off; i < off + len; i++) {
    const a = Math.abs(x[i]);
    if (a > TBIG || (a < TSML && a !== 0)) return scaledNrm2(x, off, len);
    sum += a * a;
  }
  return Math.sqrt(sum);
}

function scaledNrm2(x: Float64Array, off: number, len: number): number {
  let scale = 0;
  let ssq = 1;
  for (let i = off; i < off + len; i++) {
    const v = x[i];
    if (v !== 0) {
      const a = Math.abs(v);
      if (scale < a) {
        ssq = 1 + ssq * (scale / a) * (scale / a);
        scale = a;
      } else ssq += (a / scale) * (a / scale);
    }
  }
  return scale * Math.sqrt(ssq);
}

/** dqrdc2 on a copy of x (column-major n × p). */
export function qrDecompose(x: Float64Array, n: number, p: number, tol: number): QR {
  const a = Float64Array.from(x);
  const qraux = new Float64Array(p);
  const work1 = new Float64Array(p);
  const work2 = new Float64Array(p);
  const pivot = Int32Array.from({ length: p }, (_, j) => j);
  for (let j = 0; j < p; j++) {
    qraux[j] = nrm2(a, j * n, n);
    work1[j] = qraux[j];
    work2[j] = qraux[j] === 0 ? 1 : qraux[j];
  }
  const lup = Math.min(n, p);
  let k = p + 1; // 1-based as in the Fortran
  for (let l = 1; l <= lup; l++) {
    const lc = l - 1;
    // Cycle negligible columns to the end (the check l < k avoids cycling forever).
    while (l < k && qraux[lc] < work2[lc] * tol) {
      for (let i = 0; i < n; i++) {
        const t = a[i + lc * n];
        for (let j = lc + 1; j < p; j++) a[i + (j - 1) * n] = a[i + j * n];
        a[i + (p - 1) * n] = t;
      }
      const ip = pivot[lc];
      const t = qraux[lc];
      const tt = work1[lc];
      const ttt = work2[lc];
      for (let j = lc + 1; j < p; j++) {
        pivot[j - 1] = pivot[j];
        qraux[j - 1] = qraux[j];
        work1[j - 1] = work1[j];
        work2[j - 1] = work2[j];
      }
      pivot[p - 1] = ip;
      qraux[p - 1] = t;
      work1[p - 1] = tt;
      work2[p - 1] = ttt;
      k--;
    }
    if (l === n) break;
    const ll = lc + lc * n; // a(l, l)
    let nrmxl = nrm2(a, ll, n - lc);
    if (nrmxl === 0) continue;
    if (a[ll] !== 0) nrmxl = Math.abs(nrmxl) * Math.sign(a[ll]);
    const inv = 1 / nrmxl;
    for (let i = ll; i < ll + n - lc; i++) a[i] *= inv;
    a[ll] = 1 + a[ll];
    for (let j = lc + 1; j < p; j++) {
      const lj = lc + j * n;
      let dot = 0;
      for (let i = 0; i < n - lc; i++) dot += a[ll + i] * a[lj + i];
      const t = -dot / a[ll];
      for (let i = 0; i < n - lc; i++) a[lj + i] += t * a[ll + i];
      if (qraux[j] === 0) continue;
      const r = Math.abs(a[lj]) / qraux[j];
      const tt = Math.max(1 - r * r, 0);
      // Doug Bates' 1999 change: recompute the norm instead of downdating when it has lost its digits.
      if (Math.abs(tt) < 1e-6) {
        qraux[j] = nrm2(a, lj + 1, n - lc - 1);
        work1[j] = qraux[j];
      } else qraux[j] = qraux[j] * Math.sqrt(tt);
    }
    qraux[lc] = a[ll];
    a[ll] = -nrmxl;
  }
  return { n, p, qr: a, qraux, pivot, rank: Math.min(k - 1, n) };
}

/** Applies Q' (transpose = true) or Q to y in place, with the first `rank` reflections (dqrsl). */
function applyQ(q: QR, y: Float64Array, transpose: boolean): void {
  const { n, qr, qraux } = q;
  const ju = Math.min(q.rank, n - 1);
  for (let s = 0; s < ju; s++) {
    const j = transpose ? s : ju - 1 - s;
    if (qraux[j] === 0) continue;
    const jj = j + j * n;
    const diag = qr[jj];
    qr[jj] = qraux[j];
    let dot = 0;
    for (let i = 0; i < n - j; i++) dot += qr[jj + i] * y[j + i];
    const t = -dot / qr[jj];
    for (let i = 0; i < n - j; i++) y[j + i] += t * qr[jj + i];
    qr[jj] = diag;
  }
}

/** ||P v||², P the projection onto the column space of q: the sum of squares of the first rank entries of Q'v. */
export function projectedSumSq(q: QR, v: Float64Array): number {
  const e = Float64Array.from(v);
  applyQ(q, e, true);
  let s = 0;
  for (let i = 0; i < q.rank; i++) s += e[i] * e[i];
  return s;
}

export interface LsFit {
  qr: QR;
  /** Coefficients in original column order; NaN for aliased columns (R's NA). */
  coef: Float64Array;
  /** Q'y (R's `effects`). */
  effects: Float64Array;
  residuals: Float64Array;
}

/** R's Cdqrls: QR of x, then coefficients, effects and residuals for y. */
export function lsFit(x: Float64Array, n: number, p: number, y: Float64Array, tol: number): LsFit {
  const q = qrDecompose(x, n, p, tol);
  const k = q.rank;
  const effects = Float64Array.from(y);
  applyQ(q, effects, true);
  // Back substitution R b = (Q'y)[1..k], column by column as dqrsl.
  const b = effects.slice(0, k);
  for (let j = k - 1; j >= 0; j--) {
    b[j] /= q.qr[j + j * n];
    const t = -b[j];
    for (let i = 0; i < j; i++) b[i] += t * q.qr[i + j * n];
  }
  const residuals = Float64Array.from(effects);
  for (let i = 0; i < k; i++) residuals[i] = 0;
  applyQ(q, residuals, false);
  const coef = new Float64Array(p).fill(NaN);
  for (let j = 0; j < k; j++) coef[q.pivot[j]] = b[j];
  return { qr: q, coef, effects, residuals };
}

/**
 * (R'R)⁻¹ for the leading rank × rank block (R's chol2inv(qr$qr[p1, p1])), in pivoted order: the
 * unscaled covariance of the non-aliased coefficients. Row-major rank × rank.
 */
export function unscaledCov(q: QR): Float64Array {
  const k = q.rank;
  const n = q.n;
  // Rinv (upper triangular) by back substitution, then Rinv Rinv'.
  const ri = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    ri[c * k + c] = 1 / q.qr[c + c * n];
    for (let r = c - 1; r >= 0; r--) {
      let s = 0;
      for (let m = r + 1; m <= c; m++) s += q.qr[r + m * n] * ri[m * k + c];
      ri[r * k + c] = -s / q.qr[r + r * n];
    }
  }
  const v = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = r; c < k; c++) {
      let s = 0;
      for (let m = c; m < k; m++) s += ri[r * k + m] * ri[c * k + m];
      v[r * k + c] = s;
      v[c * k + r] = s;
    }
  }
  return v;
}
