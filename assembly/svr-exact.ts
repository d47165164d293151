// Exact ν-SVR optimum (linear kernel, C = 1) for CIBERSORT's `--solver exact`, and CoreAlg on it.
// Dual: min ½‖Xᵀβ‖² − zᵀβ, β = a − c, a, c ∈ [0, 1]^G, Σβ = 0, Σ(a + c) = νG; w = Xᵀβ.
// Primal: min ½‖w‖² + νGε + Σ max(0, |x_g·w + b − z_g| − ε).
//
// 1. Mehrotra predictor-corrector interior point on (a, c). The Hessian VVᵀ (V = [X; −X]) has rank T,
//    so each Newton system is one T×T Cholesky (Woodbury); the 2×2 system of the two equalities, both
//    right-hand sides and Xᵀdβ come from T-vectors (push-through identity), so an iteration is one
//    Gram pass over the genes plus two back passes.
// 2. From a moderately converged point (μ < MU_TRY), guess the partition of the genes: the T + 2 genes
//    whose |residual| is nearest to ε lie on the tube (β free), the others inside (β = 0) or outside
//    (β = ±1) by their residual; then solve that face's KKT equations exactly (with T + 2 tube genes
//    one (T+2)×(T+2) LU serves both the tube equations and the multipliers; otherwise one LU of the
//    full face system). The face point is accepted only when it is a KKT point to rounding: every
//    gene's residual is consistent with its class, every free β is within its bounds, and the duality
//    gap P − D ≤ GAP_TOL with D evaluated at the feasible β. A few violators are re-classified and the
//    face re-solved (primal-dual active set, at most MAX_FLIP rounds); near the end the guess is also
//    tried with T + 1 tube genes (degenerate optimum). Otherwise the IPM goes on. Last resorts at
//    μ < MU_STOP: the face from β thresholds, then the interior point itself, certified by its gap
//    alone (the optimum with ε = 0 when z is an exact combination of signature columns).
// Everything is plain f64 with a fixed operation order: the SIMD and scalar builds give the same bits
// (dot products keep two partial sums, even and odd features, in both; the per-variable passes hold a
// gene's (a, c) pair in one f64x2, and the scalar build runs the same operations on the two lanes).
// Cost (docs/svr-exact.md): most of a fit is the Gram pass. The rest keeps each value's operations and
// only regroups independent ones (register tiles, interleaved chains, fused passes), and a wrong face
// guess is rejected from its off-tube residuals before its β is solved; so no change of speed here
// changes a bit of the output or the iteration counts.

import { ld, st, ldi, sti } from "./flat";
import { NU_COUNT, nuAt, COREALG_SELECTED, COREALG_RMSE, COREALG_R, COREALG_ITER, COREALG_V, coreAlgOutW } from "./layout";

const MAX_ITER: i32 = 120;
const MU_TRY: f64 = 1e-4; // start face guesses once the mean complementarity is below this
const MU_STOP: f64 = 1e-13; // last resort: IPM this far, then the face from β thresholds
const STEP_BACK: f64 = 0.995;
const MU_DEGEN: f64 = 1e-6; // below this, also try the face without the farthest candidate
const MAX_FLIP: i32 = 2; // re-classification rounds per face guess
const MAX_BAD: i32 = 3; // ... only while at most this many genes violate their class
const TAU_R: f64 = 1e-11; // residual slack for "consistent with its class" (z is standardised)
const TAU_B: f64 = 1e-11; // slack on the bounds of a free β
const GAP_TOL: f64 = 1e-10;
const FEAS_TOL: f64 = 1e-12; // per gene, equality residuals of an interior point accepted by its gap

// Gene classes.
const IN: i32 = 0; // inside the tube, β = 0
const OUTP: i32 = 1; // β = +1 (z above the tube)
const OUTN: i32 = 2; // β = −1
const FREEP: i32 = 3; // on the tube, 0 ≤ β ≤ 1, x·w + b − z = −ε
const FREEN: i32 = 4; // on the tube, −1 ≤ β ≤ 0, x·w + b − z = +ε

let G: i32 = 0;
let T: i32 = 0;
let TP: i32 = 0; // T rounded up to even: row stride of the padded copy of X
let FMAX: i32 = 0; // largest tube set the general face solve accepts
let NMAX: i32 = 0;
let X: usize = 0; // G × TP, zero-padded

// IPM state and scratch (2G, interleaved: a_g at 2g, c_g at 2g + 1, so one f64x2 holds a gene's pair).
let U: usize = 0;
let S: usize = 0; // multipliers of u ≥ 0
let TT: usize = 0; // multipliers of u ≤ 1
let DI: usize = 0; // 1/(s/u + t/(1−u))
let RH: usize = 0; // −gradient of the Lagrangian
let SG: usize = 0; // 1/u − 1/(1−u)
let XI: usize = 0; // corrector term −du_aff·(ds_aff/u + dt_aff/v)
let DUA: usize = 0, DSA: usize = 0, DTA: usize = 0; // predictor (affine) step of u, s, t
let DU: usize = 0, DS: usize = 0, DT: usize = 0; // corrector step
let R: usize = 0; // G: x_g·w
let XQ: usize = 0; // G: x_g·q of the last step
let KS: i32 = 0; // row stride of KM: TP + 2 (the blocked Gram writes two columns past the row)
let KM: usize = 0; // (TP + 4) × KS: K (rows < TP), then P1, P2, PR, PS
let YS: i32 = 0; // row stride of YB: TP + 4
let YB: usize = 0; // G × YS: k_g·x_g, then k_g, k2_g, cr_g, cs_g (the weights of P1, P2, PR, PS)
let CC: usize = 0; // G: weights of PC
let IU: usize = 0; // 2G: 1/u
let IV: usize = 0; // 2G: 1/(1 − u)
// T-vectors VᵀD⁻¹y for y = e1, e2 (the equality rows), the right-hand side, its centring part and the
// corrector part; Q* = K⁻¹P*; QV = the step's Xᵀdβ.
let P1: usize = 0, P2: usize = 0, PR: usize = 0, PS: usize = 0, PC: usize = 0;
let Q1: usize = 0, Q2: usize = 0, QR: usize = 0, QS: usize = 0, QC: usize = 0, QV: usize = 0;
// Face solve.
let CLS: usize = 0; // i32 × G
let NCLS: usize = 0; // i32 × G
let FR: usize = 0; // i32 × G: tube genes
let LU: usize = 0; // NMAX × NMAX
let PIV: usize = 0; // i32 × NMAX
let RHS: usize = 0; // NMAX
let RHS2: usize = 0; // NMAX
let WO: usize = 0; // TP: Σ over outside genes of β·x
let XB: usize = 0; // TP: Xᵀβ
let FW: usize = 0; // TP: w of the face point
let FBETA: usize = 0; // G: β of the face point
let RS: usize = 0; // G: residuals x_g·w + b − z_g of the face point
let fB: f64 = 0;
let fEps: f64 = 0;
let fObj: f64 = 0;
let fGap: f64 = 0;
// CoreAlg scratch.
let BETA: usize = 0;
let KV: usize = 0; // G: k = Xw
let FITOUT: usize = 0; // T + 4: one exactSolve result

@inline function row(g: i32): usize {
  return X + (<usize>(g * TP) << 3);
}
function alloc8(n: i32): usize {
  const p = heap.alloc(<usize>max(n, 1) << 3);
  memory.fill(p, 0, <usize>max(n, 1) << 3);
  return p;
}
function alloc4(n: i32): usize {
  return heap.alloc(<usize>max(n, 1) << 2);
}

/** x·y over TP padded features: even and odd partial sums, then their sum (same bits with or without SIMD). */
@inline function dotp(x: usize, y: usize): f64 {
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    for (let k = 0; k < TP; k += 2) {
      const o = <usize>k << 3;
      acc = f64x2.add(acc, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    }
    return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0;
    for (let k = 0; k < TP; k += 2) {
      s0 += ld(x, k) * ld(y, k);
      s1 += ld(x, k + 1) * ld(y, k + 1);
    }
    return s0 + s1;
  }
}

/** y += c·x over TP features. */
@inline function axpy(y: usize, c: f64, x: usize): void {
  if (ASC_FEATURE_SIMD) {
    const cv = f64x2.splat(c);
    for (let k = 0; k < TP; k += 2) {
      const o = <usize>k << 3;
      v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(cv, v128.load(x + o))));
    }
  } else {
    for (let k = 0; k < TP; k++) st(y, k, ld(y, k) + c * ld(x, k));
  }
}

/** y = c·x over TP features. */
@inline function scaleRow(y: usize, c: f64, x: usize): void {
  if (ASC_FEATURE_SIMD) {
    const cv = f64x2.splat(c);
    for (let k = 0; k < TP; k += 2) {
      const o = <usize>k << 3;
      v128.store(y + o, f64x2.mul(cv, v128.load(x + o)));
    }
  } else {
    for (let k = 0; k < TP; k++) st(y, k, c * ld(x, k));
  }
}

/** Set up for a run: copy the standardised signature (G × T row-major) and allocate scratch. */
export function exactInit(x: usize, g: i32, t: i32): void {
  G = g;
  T = t;
  TP = (t + 1) & ~1;
  FMAX = 2 * (t + 2);
  NMAX = t + 2 + FMAX;
  X = alloc8((g + 1) * TP + 8); // a row of padding: exactCoreAlg reads one row past the last gene
  for (let i = 0; i < g; i++) memory.copy(row(i), x + (<usize>(i * t) << 3), <usize>t << 3);
  const n2 = 2 * g;
  U = alloc8(n2); S = alloc8(n2); TT = alloc8(n2); DI = alloc8(n2); RH = alloc8(n2); SG = alloc8(n2);
  XI = alloc8(n2); DUA = alloc8(n2); DSA = alloc8(n2); DTA = alloc8(n2); DU = alloc8(n2); DS = alloc8(n2);
  DT = alloc8(n2);
  R = alloc8(g); XQ = alloc8(g);
  KS = TP + 2;
  YS = TP + 4;
  KM = alloc8((TP + 4) * KS);
  YB = alloc8(g * YS + 4);
  CC = alloc8(g);
  IU = alloc8(n2);
  IV = alloc8(n2);
  // P1, P2, PR, PS are rows TP.. of the Gram product.
  P1 = KM + (<usize>(TP * KS) << 3); P2 = P1 + (<usize>KS << 3); PR = P2 + (<usize>KS << 3); PS = PR + (<usize>KS << 3);
  PC = alloc8(TP + 8);
  Q1 = alloc8(TP); Q2 = alloc8(TP); QR = alloc8(TP); QS = alloc8(TP); QC = alloc8(TP); QV = alloc8(TP);
  CLS = alloc4(g); NCLS = alloc4(g); FR = alloc4(g);
  LU = alloc8(NMAX * NMAX); PIV = alloc4(NMAX); RHS = alloc8(NMAX); RHS2 = alloc8(NMAX);
  WO = alloc8(TP); XB = alloc8(TP); FW = alloc8(TP); FBETA = alloc8(g); RS = alloc8(g);
  BETA = alloc8(g); KV = alloc8(g); FITOUT = alloc8(t + 4);
}

// ---- dense linear algebra (small systems) ----

/** Cholesky of the lower triangle of KM (TP × TP, stride KS) in place; false if not positive definite. */
function cholesky(): bool {
  const n = KS;
  for (let j = 0; j < TP; j++) {
    let d = ld(KM, j * n + j);
    for (let k = 0; k < j; k++) d -= ld(KM, j * n + k) * ld(KM, j * n + k);
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    st(KM, j * n + j, d);
    // Two rows at a time: independent sums, interleaved to hide the latency of each one's chain.
    let i = j + 1;
    for (; i + 1 < TP; i += 2) {
      let s0 = ld(KM, i * n + j), s1 = ld(KM, (i + 1) * n + j);
      for (let k = 0; k < j; k++) {
        const l = ld(KM, j * n + k);
        s0 -= ld(KM, i * n + k) * l;
        s1 -= ld(KM, (i + 1) * n + k) * l;
      }
      st(KM, i * n + j, s0 / d);
      st(KM, (i + 1) * n + j, s1 / d);
    }
    for (; i < TP; i++) {
      let s = ld(KM, i * n + j);
      for (let k = 0; k < j; k++) s -= ld(KM, i * n + k) * ld(KM, j * n + k);
      st(KM, i * n + j, s / d);
    }
  }
  return true;
}

/** A(i, k) of an n-row matrix at m with row stride `stride`, or of its transpose. */
@inline function at(m: usize, stride: i32, i: i32, k: i32, trans: bool): f64 {
  return trans ? ld(m, k * stride + i) : ld(m, i * stride + k);
}

/** v ← A⁻¹v for lower-triangular A (or Aᵀ with A upper when trans); unit: ones on the diagonal. */
@inline function forward(m: usize, stride: i32, n: i32, v: usize, trans: bool, unit: bool): void {
  for (let i = 0; i < n; i++) {
    let s = ld(v, i);
    for (let k = 0; k < i; k++) s -= at(m, stride, i, k, trans) * ld(v, k);
    st(v, i, unit ? s : s / at(m, stride, i, i, trans));
  }
}

/** v ← A⁻¹v for upper-triangular A (or Aᵀ with A lower when trans). */
@inline function backward(m: usize, stride: i32, n: i32, v: usize, trans: bool, unit: bool): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = ld(v, i);
    for (let k = i + 1; k < n; k++) s -= at(m, stride, i, k, trans) * ld(v, k);
    st(v, i, unit ? s : s / at(m, stride, i, i, trans));
  }
}

/** out = K⁻¹v with the Cholesky factor in KM. */
function cholSolve(v: usize, out: usize): void {
  memory.copy(out, v, <usize>TP << 3);
  forward(KM, KS, TP, out, false, false);
  backward(KM, KS, TP, out, true, false);
}

/**
 * Q1, Q2, QR, QS = K⁻¹(P1, P2, PR, PS): cholSolve's operations on each vector, the four interleaved
 * (each one's substitution is a chain of dependent steps).
 */
function cholSolve4(): void {
  const n = KS;
  memory.copy(Q1, P1, <usize>TP << 3); memory.copy(Q2, P2, <usize>TP << 3);
  memory.copy(QR, PR, <usize>TP << 3); memory.copy(QS, PS, <usize>TP << 3);
  for (let i = 0; i < TP; i++) {
    let s0 = ld(Q1, i), s1 = ld(Q2, i), s2 = ld(QR, i), s3 = ld(QS, i);
    for (let k = 0; k < i; k++) {
      const l = ld(KM, i * n + k);
      s0 -= l * ld(Q1, k); s1 -= l * ld(Q2, k); s2 -= l * ld(QR, k); s3 -= l * ld(QS, k);
    }
    const d = ld(KM, i * n + i);
    st(Q1, i, s0 / d); st(Q2, i, s1 / d); st(QR, i, s2 / d); st(QS, i, s3 / d);
  }
  for (let i = TP - 1; i >= 0; i--) {
    let s0 = ld(Q1, i), s1 = ld(Q2, i), s2 = ld(QR, i), s3 = ld(QS, i);
    for (let k = i + 1; k < TP; k++) {
      const l = ld(KM, k * n + i);
      s0 -= l * ld(Q1, k); s1 -= l * ld(Q2, k); s2 -= l * ld(QR, k); s3 -= l * ld(QS, k);
    }
    const d = ld(KM, i * n + i);
    st(Q1, i, s0 / d); st(Q2, i, s1 / d); st(QR, i, s2 / d); st(QS, i, s3 / d);
  }
}

const CHUNK: i32 = 64; // genes per block of the Gram product (X and Y rows stay in L1)

/**
 * Rows 0..TP−1 of KM (lower triangle) = I + Σ_g k_g x_g x_gᵀ, rows TP..TP+3 (all columns) = P1, P2, PR,
 * PS = Σ_g (k, k2, cr, cs)_g x_g, from the rows of YB. Each entry is a sum over genes in ascending order,
 * so the register tiles of the SIMD build (4 × 4, the last two rows 2 × 4) give the scalar build's bits.
 */
function gram(): void {
  memory.fill(KM, 0, <usize>((TP + 4) * KS) << 3);
  const rows = TP + 4;
  for (let g0 = 0; g0 < G; g0 += CHUNK) {
    const g1 = min(G, g0 + CHUNK);
    if (ASC_FEATURE_SIMD) {
      let i = 0;
      for (; i + 4 <= rows; i += 4) {
        const jEnd = i + 3 < TP ? i + 3 : TP - 1;
        for (let j = 0; j <= jEnd; j += 4) gramTile(i, j, g0, g1, true);
      }
      if (i < rows) for (let j = 0; j < TP; j += 4) gramTile(i, j, g0, g1, false);
    } else {
      for (let r = 0; r < rows; r++) {
        const cEnd = r < TP ? r : TP - 1;
        for (let c = 0; c <= cEnd; c++) {
          let a = ld(KM, r * KS + c);
          for (let g = g0; g < g1; g++) a += ld(YB, g * YS + r) * ld(X, g * TP + c);
          st(KM, r * KS + c, a);
        }
      }
    }
  }
  for (let i = 0; i < TP; i++) st(KM, i * KS + i, ld(KM, i * KS + i) + 1);
}

/**
 * Rows i..i+3 (i, i+1 when not `four`), columns j..j+3 of the Gram product, genes g0..g1−1 added in order
 * (SIMD build; `four` is a constant at each call, so each copy keeps only its rows).
 */
@inline function gramTile(i: i32, j: i32, g0: i32, g1: i32, four: bool): void {
  const ks = <usize>KS << 3, ys = <usize>YS << 3, xs = <usize>TP << 3;
  const k0 = KM + (<usize>(i * KS + j) << 3), k1 = k0 + ks, k2 = k1 + ks, k3 = k2 + ks;
  let a00 = v128.load(k0), a01 = v128.load(k0 + 16), a10 = v128.load(k1), a11 = v128.load(k1 + 16);
  let a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  if (four) { a20 = v128.load(k2); a21 = v128.load(k2 + 16); a30 = v128.load(k3); a31 = v128.load(k3 + 16); }
  let yp = YB + (<usize>(g0 * YS + i) << 3), xp = X + (<usize>(g0 * TP + j) << 3);
  for (let g = g0; g < g1; g++) {
    const x0 = v128.load(xp), x1 = v128.load(xp + 16);
    const y0 = v128.load64_splat(yp), y1 = v128.load64_splat(yp + 8);
    a00 = f64x2.add(a00, f64x2.mul(y0, x0));
    a01 = f64x2.add(a01, f64x2.mul(y0, x1));
    a10 = f64x2.add(a10, f64x2.mul(y1, x0));
    a11 = f64x2.add(a11, f64x2.mul(y1, x1));
    if (four) {
      const y2 = v128.load64_splat(yp + 16), y3 = v128.load64_splat(yp + 24);
      a20 = f64x2.add(a20, f64x2.mul(y2, x0));
      a21 = f64x2.add(a21, f64x2.mul(y2, x1));
      a30 = f64x2.add(a30, f64x2.mul(y3, x0));
      a31 = f64x2.add(a31, f64x2.mul(y3, x1));
    }
    yp += ys;
    xp += xs;
  }
  v128.store(k0, a00); v128.store(k0 + 16, a01); v128.store(k1, a10); v128.store(k1 + 16, a11);
  if (four) { v128.store(k2, a20); v128.store(k2 + 16, a21); v128.store(k3, a30); v128.store(k3 + 16, a31); }
}

/** out (TP + 8 slots; the last ones are scratch) = Xᵀv, each entry a sum over genes in ascending order. */
function xtv(v: usize, out: usize): void {
  const xs = <usize>TP << 3;
  for (let j = 0; j < TP; j += 8) {
    if (ASC_FEATURE_SIMD) {
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let xp = X + (<usize>j << 3);
      for (let g = 0; g < G; g++) {
        const c = v128.load64_splat(v + (<usize>g << 3));
        a0 = f64x2.add(a0, f64x2.mul(c, v128.load(xp)));
        a1 = f64x2.add(a1, f64x2.mul(c, v128.load(xp + 16)));
        a2 = f64x2.add(a2, f64x2.mul(c, v128.load(xp + 32)));
        a3 = f64x2.add(a3, f64x2.mul(c, v128.load(xp + 48)));
        xp += xs;
      }
      const o = out + (<usize>j << 3);
      v128.store(o, a0); v128.store(o + 16, a1); v128.store(o + 32, a2); v128.store(o + 48, a3);
    } else {
      for (let c = j; c < j + 8; c++) {
        let a: f64 = 0;
        for (let g = 0; g < G; g++) a += ld(v, g) * ld(X, g * TP + c);
        st(out, c, a);
      }
    }
  }
}

/** out_g = x_g·q for every gene (dotp's order), four genes at a time. */
function xv(q: usize, out: usize): void {
  let g = 0;
  if (ASC_FEATURE_SIMD) {
    const rs = <usize>TP << 3;
    for (; g + 3 < G; g += 4) {
      const r0 = row(g), r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
      let a = f64x2.splat(0), b = f64x2.splat(0), c = f64x2.splat(0), d = f64x2.splat(0);
      for (let k = 0; k < TP; k += 2) {
        const o = <usize>k << 3;
        const qk = v128.load(q + o);
        a = f64x2.add(a, f64x2.mul(v128.load(r0 + o), qk));
        b = f64x2.add(b, f64x2.mul(v128.load(r1 + o), qk));
        c = f64x2.add(c, f64x2.mul(v128.load(r2 + o), qk));
        d = f64x2.add(d, f64x2.mul(v128.load(r3 + o), qk));
      }
      st(out, g, lane0(a) + lane1(a));
      st(out, g + 1, lane0(b) + lane1(b));
      st(out, g + 2, lane0(c) + lane1(c));
      st(out, g + 3, lane0(d) + lane1(d));
    }
  }
  for (; g < G; g++) st(out, g, dotp(row(g), q));
}

/** LU with partial pivoting of LU (n × n row-major) in place; PIV gets the row swaps. */
function luFactor(n: i32): bool {
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(ld(LU, k * n + k));
    for (let i = k + 1; i < n; i++) {
      const a = Math.abs(ld(LU, i * n + k));
      if (a > best) { best = a; p = i; }
    }
    sti(PIV, k, p);
    if (!(best > 0)) return false;
    if (p != k) {
      for (let j = 0; j < n; j++) {
        const t = ld(LU, k * n + j);
        st(LU, k * n + j, ld(LU, p * n + j));
        st(LU, p * n + j, t);
      }
    }
    const d = ld(LU, k * n + k);
    for (let i = k + 1; i < n; i++) {
      const f = ld(LU, i * n + k) / d;
      st(LU, i * n + k, f);
      if (f == 0) continue;
      let j = k + 1;
      if (ASC_FEATURE_SIMD) {
        // The same elementwise a − f·b, two columns at a time.
        const fv = f64x2.splat(f);
        const ri = LU + (<usize>(i * n) << 3), rk = LU + (<usize>(k * n) << 3);
        for (; j + 1 < n; j += 2) {
          const o = <usize>j << 3;
          v128.store(ri + o, f64x2.sub(v128.load(ri + o), f64x2.mul(fv, v128.load(rk + o))));
        }
      }
      for (; j < n; j++) st(LU, i * n + j, ld(LU, i * n + j) - f * ld(LU, k * n + j));
    }
  }
  return true;
}

/** Row swaps of luFactor applied to v (in order, or undone in reverse order). */
function permute(n: i32, v: usize, undo: bool): void {
  for (let j = 0; j < n; j++) {
    const k = undo ? n - 1 - j : j;
    const p = ldi(PIV, k);
    if (p != k) { const t = ld(v, k); st(v, k, ld(v, p)); st(v, p, t); }
  }
}

/** Solve A y = b in place (b in v) with the factors from luFactor. */
function luSolve(n: i32, v: usize): void {
  permute(n, v, false);
  forward(LU, n, n, v, false, true);
  backward(LU, n, n, v, false, false);
}

/** Solve Aᵀ y = c in place (PA = LU ⇒ Aᵀ = UᵀLᵀP). */
function luSolveT(n: i32, v: usize): void {
  forward(LU, n, n, v, true, false);
  backward(LU, n, n, v, true, true);
  permute(n, v, true);
}

// ---- face solve and certificate ----

/**
 * Solve the KKT equations of the face given by CLS: unknowns w, b, ε and β of the tube genes.
 * With T + 2 tube genes this factors the tube equations only; faceSolution then solves them for (w, b, ε),
 * and certify solves for β (faceDual) only once every gene off the tube is consistent with its class.
 * False if the face system is singular or too large.
 */
function solveFace(): bool {
  let F = 0;
  for (let g = 0; g < G; g++) {
    if (ldi(CLS, g) >= FREEP) { if (F == FMAX) return false; sti(FR, F++, g); }
  }
  nFree = F;
  const m = T + 2;
  if (F == m) {
    // Tube equations A_F (w, b, ε) = z_F with rows (x_g, 1, side); multipliers A_Fᵀ β_F = (w − w_O, −Σβ_O, νG − Σ|β_O|).
    for (let j = 0; j < F; j++) {
      const g = ldi(FR, j);
      const xr = row(g);
      for (let k = 0; k < T; k++) st(LU, j * m + k, ld(xr, k));
      st(LU, j * m + T, 1);
      st(LU, j * m + T + 1, ldi(CLS, g) == FREEP ? 1 : -1);
    }
    if (!luFactor(m)) return false;
    return true;
  }
  // General face: unknowns (w, b, ε, β_F), N = T + 2 + F.
  outsideSum();
  const n = m + F;
  memory.fill(LU, 0, <usize>(n * n) << 3);
  for (let k = 0; k < T; k++) {
    st(LU, k * n + k, 1);
    st(RHS, k, ld(WO, k));
    for (let j = 0; j < F; j++) st(LU, k * n + m + j, -ld(row(ldi(FR, j)), k));
  }
  for (let j = 0; j < F; j++) {
    const r = T + j, g = ldi(FR, j);
    const xr = row(g);
    for (let k = 0; k < T; k++) st(LU, r * n + k, ld(xr, k));
    st(LU, r * n + T, 1);
    st(LU, r * n + T + 1, ldi(CLS, g) == FREEP ? 1 : -1);
  }
  const rb = T + F, re = T + F + 1;
  for (let j = 0; j < F; j++) {
    st(LU, rb * n + m + j, 1);
    st(LU, re * n + m + j, ldi(CLS, ldi(FR, j)) == FREEP ? 1 : -1);
  }
  if (!luFactor(n)) return false;
  return true;
}
// Tube genes of the face in FR (ascending), and whether their β is still to be solved (faceDual).
let nFree: i32 = 0;
let dualPending = false;

/** WO = Σ over outside genes of β·x, in ascending gene order; β of the genes off the tube; Σβ_O, Σ|β_O|. */
function outsideSum(): void {
  memory.fill(WO, 0, <usize>TP << 3);
  let sum: f64 = 0, abs: f64 = 0;
  for (let g = 0; g < G; g++) {
    const c = ldi(CLS, g);
    if (c == OUTP) { axpy(WO, 1, row(g)); sum += 1; abs += 1; st(FBETA, g, 1); }
    else if (c == OUTN) { axpy(WO, -1, row(g)); sum -= 1; abs += 1; st(FBETA, g, -1); }
    else if (c == IN) st(FBETA, g, 0);
  }
  sumO = sum;
  absO = abs;
}
let sumO: f64 = 0, absO: f64 = 0;

/** After solveFace: (w, b, ε) of the face, and for a general face also β (needs z, νG). */
function faceSolution(z: usize, nuG: f64): void {
  const F = nFree;
  const m = T + 2;
  if (F == m) {
    for (let j = 0; j < F; j++) st(RHS, j, ld(z, ldi(FR, j)));
    luSolve(m, RHS);
    memory.fill(FW, 0, <usize>TP << 3);
    for (let k = 0; k < T; k++) st(FW, k, ld(RHS, k));
    fB = ld(RHS, T);
    fEps = ld(RHS, T + 1);
    dualPending = true;
    return;
  }
  const n = m + F;
  for (let k = 0; k < T; k++) st(RHS, k, ld(WO, k));
  for (let j = 0; j < F; j++) st(RHS, T + j, ld(z, ldi(FR, j)));
  st(RHS, T + F, -sumO);
  st(RHS, T + F + 1, nuG - absO);
  luSolve(n, RHS);
  memory.fill(FW, 0, <usize>TP << 3);
  for (let k = 0; k < T; k++) st(FW, k, ld(RHS, k));
  fB = ld(RHS, T);
  fEps = ld(RHS, T + 1);
  for (let j = 0; j < F; j++) st(FBETA, ldi(FR, j), ld(RHS, m + j));
  dualPending = false;
}

/** β of a face with T + 2 tube genes: A_Fᵀ β_F = (w − w_O, −Σβ_O, νG − Σ|β_O|) with the LU of solveFace. */
function faceDual(nuG: f64): void {
  const m = T + 2;
  outsideSum();
  for (let k = 0; k < T; k++) st(RHS2, k, ld(FW, k) - ld(WO, k));
  st(RHS2, T, -sumO);
  st(RHS2, T + 1, nuG - absO);
  luSolveT(m, RHS2);
  for (let j = 0; j < m; j++) st(FBETA, ldi(FR, j), ld(RHS2, j));
  dualPending = false;
}

/**
 * Check the face point: residuals consistent with the classes, free β within bounds, gap ≤ GAP_TOL.
 * Writes the re-classification of violators to NCLS; returns the number of violators (0 = KKT point),
 * or −1 when consistent but the gap is too large. With more than `limit` violators among the genes off
 * the tube it stops early (the caller gives up on the face; NCLS, fObj and fGap are then not set), so a
 * wrong guess costs no β solve. Xᵀβ and the gap are computed only for a consistent point or when `full`.
 * Every sum runs over the genes in ascending order as in one pass, so the bits do not depend on the exits.
 */
function certify(z: usize, nuG: f64, limit: i32, full: bool): i32 {
  let bad = 0;
  const eps = fEps;
  for (let g = 0; g < G; g++) {
    const r = dotp(row(g), FW) + fB - ld(z, g);
    st(RS, g, r);
    const c = ldi(CLS, g);
    let nc = c;
    if (c == IN) {
      if (r > eps + TAU_R) nc = FREEN;
      else if (r < -eps - TAU_R) nc = FREEP;
    } else if (c == OUTP) {
      if (r > -eps + TAU_R) nc = FREEP;
    } else if (c == OUTN) {
      if (r < eps - TAU_R) nc = FREEN;
    }
    sti(NCLS, g, nc);
    if (nc != c || r != r) { // a NaN residual (NaN in z) is never consistent
      if (++bad > limit && !full) return bad;
    }
  }
  if (dualPending) faceDual(nuG);
  for (let g = 0; g < G; g++) {
    const c = ldi(CLS, g);
    if (c < FREEP) continue;
    const bt = ld(FBETA, g);
    let nc = c;
    if (c == FREEP) {
      if (bt > 1 + TAU_B) nc = OUTP;
      else if (bt < -TAU_B) nc = IN;
    } else {
      if (bt < -1 - TAU_B) nc = OUTN;
      else if (bt > TAU_B) nc = IN;
    }
    sti(NCLS, g, nc);
    const r = ld(RS, g);
    if (nc != c && r == r) bad++;
  }
  if (bad > 0 && !full) return bad;
  let pSum: f64 = 0, zb: f64 = 0;
  memory.fill(XB, 0, <usize>TP << 3);
  for (let g = 0; g < G; g++) {
    const e = Math.abs(ld(RS, g)) - eps;
    if (e > 0) pSum += e;
    const bt = ld(FBETA, g);
    if (bt != 0) { axpy(XB, bt, row(g)); zb += ld(z, g) * bt; }
  }
  let ww: f64 = 0, bb: f64 = 0;
  for (let k = 0; k < T; k++) { ww += ld(FW, k) * ld(FW, k); bb += ld(XB, k) * ld(XB, k); }
  const p = 0.5 * ww + nuG * eps + pSum;
  const d = zb - 0.5 * bb;
  fObj = p;
  fGap = p - d;
  if (bad > 0) return bad;
  return fGap <= GAP_TOL ? 0 : -1;
}

/** Face from CLS, then up to MAX_FLIP re-classifications; true when a certified KKT point is found. */
function faceRounds(z: usize, nuG: f64): bool {
  for (let round = 0; round <= MAX_FLIP; round++) {
    if (!solveFace()) return false;
    faceSolution(z, nuG);
    const bad = certify(z, nuG, round == MAX_FLIP ? 0 : MAX_BAD, false);
    if (bad == 0) return true;
    if (bad < 0 || round == MAX_FLIP || bad > MAX_BAD) return false;
    memory.copy(CLS, NCLS, <usize>G << 2);
  }
  return false;
}

/**
 * Classes from the IPM's estimate of (w, b, ε): the T + 2 genes whose |residual| is nearest to ε lie on
 * the tube (side by the residual's sign), the others inside or outside by their residual.
 */
function classifyNear(z: usize, b: f64, eps: f64): void {
  const m = T + 2;
  let n = 0; // FR holds the m nearest so far, sorted by distance in RHS
  for (let g = 0; g < G; g++) {
    const r = ld(R, g) + b - ld(z, g);
    const d = Math.abs(Math.abs(r) - eps);
    sti(CLS, g, Math.abs(r) > eps ? (r < 0 ? OUTP : OUTN) : IN);
    if (n == m && !(d < ld(RHS, m - 1))) continue;
    let j = n < m ? n++ : m - 1;
    while (j > 0 && ld(RHS, j - 1) > d) {
      st(RHS, j, ld(RHS, j - 1));
      sti(FR, j, ldi(FR, j - 1));
      j--;
    }
    st(RHS, j, d);
    sti(FR, j, g);
  }
  farGene = n > 0 ? ldi(FR, n - 1) : -1;
  farClass = farGene >= 0 ? ldi(CLS, farGene) : IN;
  for (let j = 0; j < n; j++) {
    const g = ldi(FR, j);
    const r = ld(R, g) + b - ld(z, g);
    sti(CLS, g, r < 0 ? FREEP : FREEN);
  }
}
// The farthest of the T + 2 nearest genes and its class by residual (for the degenerate retry).
let farGene: i32 = -1;
let farClass: i32 = IN;

/** Classes from β thresholds (the last resort at the end of the IPM). */
function classifyBeta(): void {
  for (let g = 0; g < G; g++) {
    const b = ld(U, 2 * g) - ld(U, 2 * g + 1);
    const ab = Math.abs(b);
    let k = IN;
    if (ab > 0.5 ? 1 - ab > 1e-4 : ab > 1e-4) k = b > 0 ? FREEP : FREEN;
    else if (ab > 0.5) k = b > 0 ? OUTP : OUTN;
    sti(CLS, g, k);
  }
}

/** Solve [a11 a12; a12 a22] d = r; returns d1 and writes d2 to the global. */
let d2g: f64 = 0;
@inline function solve2(a11: f64, a12: f64, a22: f64, r1: f64, r2: f64): f64 {
  const det = a11 * a22 - a12 * a12;
  d2g = (a11 * r2 - a12 * r1) / det;
  return (r1 * a22 - r2 * a12) / det;
}

/** Largest step in (0, ∞) keeping x + α·dx ≥ 0, folded into cur. */
@inline function stepTo(cur: f64, x: f64, dx: f64): f64 {
  return dx < 0 && x < -cur * dx ? -x / dx : cur;
}

/** The eight step-to-boundary ratios of a gene's pair in a fixed order (a: u, v, then c: u, v, then s, t of a and c). */
@inline function stepPair(
  amax: f64, a: f64, c: f64, dua: f64, duc: f64, sa: f64, sc: f64, dsa: f64, dsc: f64, ta: f64, tc: f64, dta: f64, dtc: f64
): f64 {
  let m = stepTo(amax, a, dua);
  m = stepTo(m, 1 - a, -dua);
  m = stepTo(m, c, duc);
  m = stepTo(m, 1 - c, -duc);
  m = stepTo(m, sa, dsa);
  m = stepTo(m, ta, dta);
  m = stepTo(m, sc, dsc);
  return stepTo(m, tc, dtc);
}

// SIMD helpers: lane 0 is a, lane 1 is c.
@inline function lane0(v: v128): f64 {
  return f64x2.extract_lane(v, 0);
}
@inline function lane1(v: v128): f64 {
  return f64x2.extract_lane(v, 1);
}
/**
 * Lanes where x + α·dx could cross 0 before amax: x < −amax·dx, a superset of those where stepTo acts
 * (which also needs dx < 0), so skipping a gene without a hit is exact.
 */
@inline function crosses(namax: v128, x: v128, dx: v128): v128 {
  return f64x2.lt(x, f64x2.mul(namax, dx));
}

/** stepPair on a gene's lanes, taken only when some ratio can shorten amax (the same result). */
@inline function stepPairSimd(amax: f64, u: v128, du: v128, s: v128, ds: v128, t: v128, dt: v128): f64 {
  const na = f64x2.splat(-amax);
  const hit = v128.or(v128.or(crosses(na, u, du), crosses(na, f64x2.sub(one(), u), f64x2.neg(du))),
    v128.or(crosses(na, s, ds), crosses(na, t, dt)));
  if (!v128.any_true(hit)) return amax;
  return stepPair(amax, lane0(u), lane1(u), lane0(du), lane1(du), lane0(s), lane1(s), lane0(ds), lane1(ds),
    lane0(t), lane1(t), lane0(dt), lane1(dt));
}

// Constants of the SIMD build (functions, so the scalar build never compiles a v128).
@inline function one(): v128 {
  return f64x2.splat(1);
}
/** The sign of a gene's a and c in β = a − c. */
@inline function sgn(): v128 {
  return f64x2(1, -1);
}

/**
 * Σ over all variables of (s + α·ds)(u + α·du) + (t + α·dt)(1 − u − α·du) (the affine step's when aff,
 * else α = 0), as two sums over the a's and the c's added at the end.
 */
function complementarity(alpha: f64, aff: bool): f64 {
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    const av = f64x2.splat(alpha);
    for (let g = 0; g < G; g++) {
      const o = <usize>g << 4;
      const u = v128.load(U + o), s = v128.load(S + o), t = v128.load(TT + o);
      const v = f64x2.sub(one(), u);
      if (aff) {
        const du = v128.load(DUA + o);
        const p = f64x2.mul(f64x2.add(s, f64x2.mul(av, v128.load(DSA + o))), f64x2.add(u, f64x2.mul(av, du)));
        const q = f64x2.mul(f64x2.add(t, f64x2.mul(av, v128.load(DTA + o))), f64x2.sub(v, f64x2.mul(av, du)));
        acc = f64x2.add(acc, f64x2.add(p, q));
      } else {
        acc = f64x2.add(acc, f64x2.add(f64x2.mul(s, u), f64x2.mul(t, v)));
      }
    }
    return lane0(acc) + lane1(acc);
  }
  let ea: f64 = 0, ec: f64 = 0;
  for (let g = 0; g < G; g++) {
    for (let h = 0; h < 2; h++) {
      const i = 2 * g + h;
      const u = ld(U, i);
      let v: f64;
      if (aff) {
        const du = ld(DUA, i);
        v = (ld(S, i) + alpha * ld(DSA, i)) * (u + alpha * du) + (ld(TT, i) + alpha * ld(DTA, i)) * (1 - u - alpha * du);
      } else {
        v = ld(S, i) * u + ld(TT, i) * (1 - u);
      }
      if (h == 0) ea += v;
      else ec += v;
    }
  }
  return ea + ec;
}

/**
 * Exact ν-SVR optimum for target z (G f64). Writes β (G f64) to beta and w (T), b, ε, primal objective,
 * duality gap to out (T + 4 f64). Returns the IPM iterations, negated when no certified face was found
 * (then the result is the face from the last resort, or the IPM point).
 */
export function exactSolve(z: usize, nu: f64, beta: usize, out: usize): i32 {
  const n2 = 2 * G;
  const nuG = nu * <f64>G;
  const half = nu * 0.5;
  // Start: a = c = ν/2 (both equalities hold, β = 0, w = 0), b = ε = 0, and bound multipliers
  // s − t = gradient (dual residual zero) with a margin of 1.
  for (let g = 0; g < G; g++) {
    const zg = ld(z, g);
    st(U, 2 * g, half); st(U, 2 * g + 1, half);
    st(S, 2 * g, max(-zg, 0) + 1); st(TT, 2 * g, max(zg, 0) + 1);
    st(S, 2 * g + 1, max(zg, 0) + 1); st(TT, 2 * g + 1, max(-zg, 0) + 1);
  }
  memory.fill(R, 0, <usize>G << 3);
  let l1: f64 = 0, l2: f64 = 0;
  let it = 0;
  let ok = false;
  let comp = complementarity(0, false);
  for (; it < MAX_ITER; it++) {
    let mu = comp / <f64>(2 * n2);
    if (mu < MU_TRY) {
      classifyNear(z, -l1, -l2);
      if (faceRounds(z, nuG)) { ok = true; break; }
      // Degenerate optimum with T + 1 tube genes: the farthest candidate is not on the tube.
      if (mu < MU_DEGEN && farGene >= 0) {
        classifyNear(z, -l1, -l2);
        sti(CLS, farGene, farClass);
        if (faceRounds(z, nuG)) { ok = true; break; }
      }
    }
    if (mu < MU_STOP) break;
    // Pass 1: diagonal, right-hand sides and the Gram matrix K = I + Σ (d_a + d_c) x xᵀ.
    let e11: f64 = 0, e12: f64 = 0, er1: f64 = 0, er2: f64 = 0, es1: f64 = 0, es2: f64 = 0;
    let dif: f64 = 0, sum: f64 = 0;
    for (let g = 0; g < G; g++) {
      const h = ld(R, g) - ld(z, g) - l1;
      let a: f64, c: f64, da: f64, dc: f64, pa: f64, pc: f64, qa: f64, qc: f64;
      if (ASC_FEATURE_SIMD) {
        const o = <usize>g << 4;
        const u = v128.load(U + o);
        const iu = f64x2.div(one(), u), iv = f64x2.div(one(), f64x2.sub(one(), u));
        const d = f64x2.div(one(), f64x2.add(f64x2.mul(v128.load(S + o), iu), f64x2.mul(v128.load(TT + o), iv)));
        const rh = f64x2.sub(f64x2.splat(l2), f64x2.mul(sgn(), f64x2.splat(h)));
        const sg = f64x2.sub(iu, iv);
        v128.store(IU + o, iu); v128.store(IV + o, iv); v128.store(DI + o, d);
        v128.store(RH + o, rh); v128.store(SG + o, sg);
        const p = f64x2.mul(d, rh), q = f64x2.mul(d, sg);
        a = lane0(u); c = lane1(u); da = lane0(d); dc = lane1(d);
        pa = lane0(p); pc = lane1(p); qa = lane0(q); qc = lane1(q);
      } else {
        a = ld(U, 2 * g); c = ld(U, 2 * g + 1);
        const iua = 1 / a, iva = 1 / (1 - a), iuc = 1 / c, ivc = 1 / (1 - c);
        da = 1 / (ld(S, 2 * g) * iua + ld(TT, 2 * g) * iva);
        dc = 1 / (ld(S, 2 * g + 1) * iuc + ld(TT, 2 * g + 1) * ivc);
        const rha = l2 - h, rhc = l2 + h;
        const sga = iua - iva, sgc = iuc - ivc;
        st(IU, 2 * g, iua); st(IU, 2 * g + 1, iuc); st(IV, 2 * g, iva); st(IV, 2 * g + 1, ivc);
        st(DI, 2 * g, da); st(DI, 2 * g + 1, dc);
        st(RH, 2 * g, rha); st(RH, 2 * g + 1, rhc);
        st(SG, 2 * g, sga); st(SG, 2 * g + 1, sgc);
        pa = da * rha; pc = dc * rhc; qa = da * sga; qc = dc * sgc;
      }
      dif += a - c;
      sum += a + c;
      const k = da + dc, k2 = da - dc;
      const cr = pa - pc, cs = qa - qc;
      e11 += k; e12 += k2;
      er1 += cr; er2 += pa + pc;
      es1 += cs; es2 += qa + qc;
      const yr = YB + (<usize>(g * YS) << 3);
      scaleRow(yr, k, row(g));
      st(yr, TP, k); st(yr, TP + 1, k2); st(yr, TP + 2, cr); st(yr, TP + 3, cs);
    }
    gram();
    if (!cholesky()) break;
    cholSolve4();
    const a11 = e11 - dotp(P1, Q1), a12 = e12 - dotp(P1, Q2), a22 = e11 - dotp(P2, Q2);
    const rp1 = -dif, rp2 = nuG - sum;
    // Predictor (affine scaling).
    let d1 = solve2(a11, a12, a22, rp1 - (er1 - dotp(P1, QR)), rp2 - (er2 - dotp(P2, QR)));
    let d2 = d2g;
    for (let k = 0; k < TP; k++) st(QV, k, ld(QR, k) + d1 * ld(Q1, k) + d2 * ld(Q2, k));
    let ec1: f64 = 0, ec2: f64 = 0;
    let amax: f64 = Infinity;
    xv(QV, XQ);
    for (let g = 0; g < G; g++) {
      const xq = ld(XQ, g);
      let da: f64, dc: f64, xia: f64, xic: f64;
      if (ASC_FEATURE_SIMD) {
        const o = <usize>g << 4;
        const u = v128.load(U + o), s = v128.load(S + o), t = v128.load(TT + o), d = v128.load(DI + o);
        const iu = v128.load(IU + o), iv = v128.load(IV + o);
        const y = f64x2.add(f64x2.add(v128.load(RH + o), f64x2.mul(sgn(), f64x2.splat(d1))), f64x2.splat(d2));
        const du = f64x2.mul(d, f64x2.sub(y, f64x2.mul(sgn(), f64x2.splat(xq))));
        const ds = f64x2.sub(f64x2.neg(s), f64x2.mul(f64x2.mul(s, du), iu));
        const dt = f64x2.add(f64x2.neg(t), f64x2.mul(f64x2.mul(t, du), iv));
        amax = stepPairSimd(amax, u, du, s, ds, t, dt);
        v128.store(DUA + o, du); v128.store(DSA + o, ds); v128.store(DTA + o, dt);
        const xi = f64x2.mul(f64x2.neg(du), f64x2.add(f64x2.mul(ds, iu), f64x2.mul(dt, iv)));
        v128.store(XI + o, xi);
        da = lane0(d); dc = lane1(d); xia = lane0(xi); xic = lane1(xi);
      } else {
        const a = ld(U, 2 * g), c = ld(U, 2 * g + 1);
        const sa = ld(S, 2 * g), sc = ld(S, 2 * g + 1), ta = ld(TT, 2 * g), tc = ld(TT, 2 * g + 1);
        da = ld(DI, 2 * g); dc = ld(DI, 2 * g + 1);
        const dua = da * (ld(RH, 2 * g) + d1 + d2 - xq);
        const duc = dc * (ld(RH, 2 * g + 1) + -d1 + d2 - -xq);
        const iua = ld(IU, 2 * g), iva = ld(IV, 2 * g), iuc = ld(IU, 2 * g + 1), ivc = ld(IV, 2 * g + 1);
        const dsa = -sa - sa * dua * iua, dta = -ta + ta * dua * iva;
        const dsc = -sc - sc * duc * iuc, dtc = -tc + tc * duc * ivc;
        amax = stepPair(amax, a, c, dua, duc, sa, sc, dsa, dsc, ta, tc, dta, dtc);
        st(DUA, 2 * g, dua); st(DUA, 2 * g + 1, duc);
        st(DSA, 2 * g, dsa); st(DSA, 2 * g + 1, dsc);
        st(DTA, 2 * g, dta); st(DTA, 2 * g + 1, dtc);
        xia = -dua * (dsa * iua + dta * iva); xic = -duc * (dsc * iuc + dtc * ivc);
        st(XI, 2 * g, xia); st(XI, 2 * g + 1, xic);
      }
      const pa = da * xia, pc = dc * xic;
      const cc = pa - pc;
      ec1 += cc; ec2 += pa + pc;
      st(CC, g, cc);
    }
    xtv(CC, PC);
    const aa = min<f64>(1, amax);
    const muAff = complementarity(aa, true) / <f64>(2 * n2);
    const ratio = muAff / mu;
    const smu = ratio * ratio * ratio * mu;
    // Corrector (centring + second order).
    cholSolve(PC, QC);
    for (let k = 0; k < TP; k++) st(QC, k, ld(QR, k) + smu * ld(QS, k) + ld(QC, k));
    d1 = solve2(a11, a12, a22, rp1 - (er1 + smu * es1 + ec1 - dotp(P1, QC)), rp2 - (er2 + smu * es2 + ec2 - dotp(P2, QC)));
    d2 = d2g;
    for (let k = 0; k < TP; k++) st(QV, k, ld(QC, k) + d1 * ld(Q1, k) + d2 * ld(Q2, k));
    amax = Infinity;
    xv(QV, XQ);
    const dla = d1 + d2, dlc = d2 - d1;
    for (let g = 0; g < G; g++) {
      const xq = ld(XQ, g);
      if (ASC_FEATURE_SIMD) {
        const o = <usize>g << 4;
        const u = v128.load(U + o), s = v128.load(S + o), t = v128.load(TT + o);
        const iu = v128.load(IU + o), iv = v128.load(IV + o), dua = v128.load(DUA + o);
        const smv = f64x2.splat(smu);
        const y = f64x2.add(f64x2.add(f64x2.add(v128.load(RH + o), f64x2.mul(smv, v128.load(SG + o))), v128.load(XI + o)),
          f64x2.replace_lane(f64x2.splat(dla), 1, dlc));
        const du = f64x2.mul(v128.load(DI + o), f64x2.sub(y, f64x2.mul(sgn(), f64x2.splat(xq))));
        const ds = f64x2.sub(f64x2.sub(f64x2.mul(f64x2.sub(smv, f64x2.mul(v128.load(DSA + o), dua)), iu), s),
          f64x2.mul(f64x2.mul(s, du), iu));
        const dt = f64x2.add(f64x2.sub(f64x2.mul(f64x2.add(smv, f64x2.mul(v128.load(DTA + o), dua)), iv), t),
          f64x2.mul(f64x2.mul(t, du), iv));
        amax = stepPairSimd(amax, u, du, s, ds, t, dt);
        v128.store(DU + o, du); v128.store(DS + o, ds); v128.store(DT + o, dt);
      } else {
        let du2: f64 = 0, ds2: f64 = 0, dt2: f64 = 0;
        for (let h = 0; h < 2; h++) {
          const i = 2 * g + h;
          const u = ld(U, i), s = ld(S, i), t = ld(TT, i);
          const y = ld(RH, i) + smu * ld(SG, i) + ld(XI, i) + (h == 0 ? dla : dlc);
          const du = ld(DI, i) * (y - (h == 0 ? xq : -xq));
          const dua = ld(DUA, i), iu = ld(IU, i), iv = ld(IV, i);
          const ds = (smu - ld(DSA, i) * dua) * iu - s - s * du * iu;
          const dt = (smu + ld(DTA, i) * dua) * iv - t + t * du * iv;
          st(DU, i, du); st(DS, i, ds); st(DT, i, dt);
          if (h == 1) {
            amax = stepPair(amax, ld(U, 2 * g), u, du2, du, ld(S, 2 * g), s, ds2, ds, ld(TT, 2 * g), t, dt2, dt);
          }
          du2 = du; ds2 = ds; dt2 = dt;
        }
      }
    }
    const alpha = min<f64>(1, STEP_BACK * amax);
    // The step, and the next iteration's complementarity (complementarity(0, false)'s sums, fused).
    if (ASC_FEATURE_SIMD) {
      const av = f64x2.splat(alpha);
      let acc = f64x2.splat(0);
      for (let g = 0; g < G; g++) {
        const o = <usize>g << 4;
        const u = f64x2.add(v128.load(U + o), f64x2.mul(av, v128.load(DU + o)));
        const s = f64x2.add(v128.load(S + o), f64x2.mul(av, v128.load(DS + o)));
        const t = f64x2.add(v128.load(TT + o), f64x2.mul(av, v128.load(DT + o)));
        v128.store(U + o, u); v128.store(S + o, s); v128.store(TT + o, t);
        acc = f64x2.add(acc, f64x2.add(f64x2.mul(s, u), f64x2.mul(t, f64x2.sub(one(), u))));
        st(R, g, ld(R, g) + alpha * ld(XQ, g));
      }
      comp = lane0(acc) + lane1(acc);
    } else {
      let ea: f64 = 0, ec: f64 = 0;
      for (let i = 0; i < n2; i++) {
        const u = ld(U, i) + alpha * ld(DU, i), s = ld(S, i) + alpha * ld(DS, i), t = ld(TT, i) + alpha * ld(DT, i);
        st(U, i, u); st(S, i, s); st(TT, i, t);
        const v = s * u + t * (1 - u);
        if ((i & 1) == 0) ea += v;
        else ec += v;
      }
      comp = ea + ec;
      for (let g = 0; g < G; g++) st(R, g, ld(R, g) + alpha * ld(XQ, g));
    }
    l1 += alpha * d1;
    l2 += alpha * d2;
  }
  if (!ok) {
    classifyBeta();
    ok = faceRounds(z, nuG);
    if (!ok) {
      // No face (e.g. ε* = 0 with every gene on the tube, z an exact combination of signature
      // columns): report the IPM point itself, certified by its duality gap alone when its (a, c) is
      // feasible to rounding.
      memory.fill(FW, 0, <usize>TP << 3);
      let dif: f64 = 0, sum: f64 = 0, zs: f64 = 0;
      for (let g = 0; g < G; g++) {
        const a = ld(U, 2 * g), c = ld(U, 2 * g + 1);
        zs += ld(z, g);
        dif += a - c;
        sum += a + c;
        const b = a - c;
        st(FBETA, g, b);
        axpy(FW, b, row(g));
      }
      fB = -l1;
      fEps = -l2;
      for (let g = 0; g < G; g++) sti(CLS, g, IN);
      dualPending = false;
      const tol = FEAS_TOL * <f64>G;
      certify(z, nuG, 0, true);
      ok = zs == zs && fGap <= GAP_TOL && Math.abs(dif) <= tol && Math.abs(sum - nuG) <= tol;
    }
  }
  memory.copy(beta, FBETA, <usize>G << 3);
  for (let k = 0; k < T; k++) st(out, k, ld(FW, k));
  st(out, T, fB);
  st(out, T + 1, fEps);
  st(out, T + 2, fObj);
  st(out, T + 3, fGap);
  return ok ? it : -max(it, 1);
}

/** f64 slots exactSolve writes to out. */
export function exactOutSize(t: i32): i32 {
  return t + 4;
}

/**
 * CoreAlg (docs/cibersort.md) on the exact optimum for ν = 0.25, 0.5, 0.75: v = w, clip at 0,
 * normalise, k = Xw, RMSE and Pearson r with plain sequential double sums, first minimum RMSE.
 * Writes the CoreAlg output block (coreAlgOutSize(T) f64, layout.ts) to out; uses out's tail as scratch for the fit.
 */
export function exactCoreAlg(z: usize, out: usize): void {
  const wBase = coreAlgOutW(T);
  const fit = KV;
  let sel = -1;
  let best: f64 = Infinity;
  for (let v = 0; v < NU_COUNT; v++) {
    const fo = FITOUT;
    const iters = exactSolve(z, nuAt(v), BETA, fo);
    st(out, COREALG_ITER + v, <f64>iters);
    let s: f64 = 0;
    for (let t = 0; t < T; t++) {
      const w = ld(fo, t);
      st(out, COREALG_V + v * T + t, w);
      s += w > 0 ? w : 0;
    }
    for (let t = 0; t < T; t++) {
      const w = ld(fo, t);
      st(out, wBase + v * T + t, (w > 0 ? w : 0) / s);
    }
    const wr = out + (<usize>(wBase + v * T) << 3);
    let d2: f64 = 0, mk: f64 = 0, mz: f64 = 0;
    // k_g = x_g·w, two genes' sums interleaved (independent chains); then the sums in gene order.
    for (let g = 0; g < G; g += 2) {
      const x0 = row(g), x1 = x0 + (<usize>TP << 3);
      let k0: f64 = 0, k1: f64 = 0;
      for (let t = 0; t < T; t++) {
        const wt = ld(wr, t);
        k0 += ld(x0, t) * wt;
        k1 += ld(x1, t) * wt; // past the last row when G is odd: X's padding, not used
      }
      st(fit, g, k0);
      if (g + 1 < G) st(fit, g + 1, k1);
    }
    for (let g = 0; g < G; g++) {
      const kg = ld(fit, g);
      const d = kg - ld(z, g);
      d2 += d * d;
      mk += kg;
      mz += ld(z, g);
    }
    mk /= <f64>G;
    mz /= <f64>G;
    let sxy: f64 = 0, sxx: f64 = 0, syy: f64 = 0;
    for (let g = 0; g < G; g++) {
      const a = ld(fit, g) - mk, b = ld(z, g) - mz;
      sxy += a * b;
      sxx += a * a;
      syy += b * b;
    }
    const rmse = Math.sqrt(d2 / <f64>G);
    st(out, COREALG_RMSE + v, rmse);
    st(out, COREALG_R + v, sxy / Math.sqrt(sxx * syy));
    if (rmse < best) {
      best = rmse;
      sel = v;
    }
  }
  st(out, COREALG_SELECTED, <f64>sel);
}
