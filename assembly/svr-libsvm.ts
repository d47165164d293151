// libsvm 3.23 ν-SVR (Solver_NU on SVR_Q) with a linear kernel, replaying libsvm's trajectory exactly
// (docs/svr-libsvm.md): float32 kernel values, double diagonal, Solver_NU working-set selection with
// "last index wins" ties, shrinking every min(n, 1000) iterations, one unshrink, eps = 0.001, C = 1.
//
// Everything that depends only on the signature is built once by libsvmInit and shared by every fit:
// the float Gram matrix, the double diagonal, and per ν the initial α and Ḡ (gradient bar).
// No fused multiply-add anywhere: every product is rounded before it is added.

import { NU_COUNT, nuAt } from "./layout";

const C: f64 = 1.0; // e1071 default cost
const EPS: f64 = 0.001; // e1071 default tolerance
const TAU: f64 = 1e-12; // libsvm's floor for non-positive curvature
const INF: f64 = Infinity;

const LOWER: u8 = 0;
const UPPER: u8 = 1;
const FREE: u8 = 2;

// Shared, per run.
let L: i32 = 0; // training points (genes)
let N: i32 = 0; // dual variables, 2L
let NF: i32 = 0; // features (cell types)
let xPtr: usize = 0; // L × NF row-major f64, standardised signature
let kPtr: usize = 0; // L × L f32 Gram matrix
let qdPtr: usize = 0; // L f64 diagonal
let q0: usize = 0; // N × N f32 signed Q in initial position order: [[K, −K], [−K, K]]
let alpha0: usize = 0; // NU_COUNT × N f64 initial α
let gbar0: usize = 0; // NU_COUNT × N f64 initial Ḡ

// Per fit, positions t = 0..N-1 (permuted by shrinking).
let alpha: usize = 0;
let grad: usize = 0;
let gbar: usize = 0;
let pLin: usize = 0; // linear term p
let qd: usize = 0; // diagonal at position
let yv: usize = 0; // i32 label ±1 (also the SVR_Q sign)
let act: usize = 0; // i32 original variable at position (active_set)
let stat: usize = 0; // u8 status
// u8 per position, the label and status tests of select_working_set in one byte (kept in step with both):
// bit 0: y = +1 and not UPPER, bit 1: y = −1 and not LOWER (first pass);
// bit 2: y = +1 and not LOWER, bit 3: y = −1 and not UPPER (second pass).
let cls: usize = 0;
// Q by *position*: qp[t·N + u] = Q(t, u) = y_t·y_u·K(real t, real u) as float, rows and columns swapped
// along with the positions. libsvm gathers the same float values through its index arrays; keeping
// them in position order makes every row contiguous (and SIMD-friendly) without changing a bit.
let qp: usize = 0;
let rowTmp: usize = 0;
let activeSize: i32 = 0;

@inline function f(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function setf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
@inline function gi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline function seti(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}
@inline function st(i: i32): u8 {
  return load<u8>(stat + <usize>i);
}
@inline function setCls(t: i32): void {
  const s = st(t);
  const c: u32 = gi(yv, t) == 1 ? (s != UPPER ? 1 : 0) | (s != LOWER ? 4 : 0) : (s != LOWER ? 2 : 0) | (s != UPPER ? 8 : 0);
  store<u8>(cls + <usize>t, <u8>c);
}
@inline function statusOf(a: f64): u8 {
  return a >= C ? UPPER : a <= 0 ? LOWER : FREE;
}

/** Q(t, u) at positions t, u, as float promoted to double. */
@inline function qv(t: i32, u: i32): f64 {
  return <f64>load<f32>(qp + ((<usize>t * <usize>N + <usize>u) << 2));
}
@inline function qrow(t: i32): usize {
  return qp + ((<usize>t * <usize>N) << 2);
}

function alloc8(n: i32): usize {
  return heap.alloc(<usize>n << 3);
}

/**
 * Build the shared state for a standardised signature `x` (L × nf, row-major f64, copied).
 * Returns the number of bytes allocated.
 */
export function libsvmInit(x: usize, l: i32, nf: i32): void {
  L = l;
  N = 2 * l;
  NF = nf;
  xPtr = alloc8(l * nf);
  memory.copy(xPtr, x, <usize>(l * nf) << 3);
  kPtr = heap.alloc(<usize>l * <usize>l << 2);
  qdPtr = alloc8(l);
  // Linear kernel: sequential double dot product over features in ascending order (libsvm `dot`).
  for (let a = 0; a < l; a++) {
    const xa = xPtr + (<usize>(a * nf) << 3);
    for (let b = a; b < l; b++) {
      const xb = xPtr + (<usize>(b * nf) << 3);
      let s: f64 = 0;
      for (let k = 0; k < nf; k++) s += load<f64>(xa + (<usize>k << 3)) * load<f64>(xb + (<usize>k << 3));
      if (a == b) setf(qdPtr, a, s);
      const kf = <f32>s;
      store<f32>(kPtr + ((<usize>a * <usize>l + <usize>b) << 2), kf);
      store<f32>(kPtr + ((<usize>b * <usize>l + <usize>a) << 2), kf);
    }
  }
  const n = N;
  q0 = heap.alloc(<usize>n * <usize>n << 2);
  for (let t = 0; t < n; t++) {
    for (let u = 0; u < n; u++) {
      const kf = load<f32>(kPtr + ((<usize>(t < l ? t : t - l) * <usize>l + <usize>(u < l ? u : u - l)) << 2));
      store<f32>(q0 + ((<usize>t * <usize>n + <usize>u) << 2), (t < l) == (u < l) ? kf : -kf);
    }
  }
  alpha0 = alloc8(NU_COUNT * n);
  gbar0 = alloc8(NU_COUNT * n);
  for (let v = 0; v < NU_COUNT; v++) {
    const a0 = alpha0 + (<usize>(v * n) << 3);
    const g0 = gbar0 + (<usize>(v * n) << 3);
    // solve_nu_svr: sum = C·ν·l/2; points take min(sum, C) on both sides in order.
    let sum = C * nuAt(v) * <f64>l / 2;
    for (let i = 0; i < l; i++) {
      const a = min(sum, C);
      setf(a0, i, a);
      setf(a0, i + l, a);
      sum -= a;
    }
    // Ḡ_t = Σ over UPPER u (ascending) of C·Q_ut; independent of the targets.
    memory.fill(g0, 0, <usize>n << 3);
    for (let u = 0; u < n; u++) {
      if (statusOf(f(a0, u)) != UPPER) continue;
      const row = q0 + ((<usize>u * <usize>n) << 2);
      for (let t = 0; t < n; t++) setf(g0, t, f(g0, t) + C * <f64>load<f32>(row + (<usize>t << 2)));
    }
  }
  alpha = alloc8(n);
  grad = alloc8(n);
  gbar = alloc8(n);
  pLin = alloc8(n);
  qd = alloc8(n);
  yv = heap.alloc(<usize>n << 2);
  act = heap.alloc(<usize>n << 2);
  stat = heap.alloc(<usize>n);
  cls = heap.alloc(<usize>n);
  qp = heap.alloc(<usize>n * <usize>n << 2);
  rowTmp = heap.alloc(<usize>n << 2);
}

/** Pointer to the shared float Gram matrix (L × L). */
export function libsvmGram(): usize {
  return kPtr;
}

function swapPos(i: i32, j: i32): void {
  let t = f(alpha, i); setf(alpha, i, f(alpha, j)); setf(alpha, j, t);
  t = f(grad, i); setf(grad, i, f(grad, j)); setf(grad, j, t);
  t = f(gbar, i); setf(gbar, i, f(gbar, j)); setf(gbar, j, t);
  t = f(pLin, i); setf(pLin, i, f(pLin, j)); setf(pLin, j, t);
  t = f(qd, i); setf(qd, i, f(qd, j)); setf(qd, j, t);
  let k = gi(yv, i); seti(yv, i, gi(yv, j)); seti(yv, j, k);
  k = gi(act, i); seti(act, i, gi(act, j)); seti(act, j, k);
  const s = st(i); store<u8>(stat + <usize>i, st(j)); store<u8>(stat + <usize>j, s);
  const c = load<u8>(cls + <usize>i); store<u8>(cls + <usize>i, load<u8>(cls + <usize>j)); store<u8>(cls + <usize>j, c);
  const rowBytes = <usize>N << 2;
  memory.copy(rowTmp, qrow(i), rowBytes);
  memory.copy(qrow(i), qrow(j), rowBytes);
  memory.copy(qrow(j), rowTmp, rowBytes);
  const ci = <usize>i << 2, cj = <usize>j << 2;
  for (let r = 0; r < N; r++) {
    const row = qrow(r);
    const a = load<f32>(row + ci);
    store<f32>(row + ci, load<f32>(row + cj));
    store<f32>(row + cj, a);
  }
}

function reconstructGradient(): void {
  const A = activeSize;
  if (A == N) return;
  for (let t = A; t < N; t++) setf(grad, t, f(gbar, t) + f(pLin, t));
  // For each t, terms are added in ascending u: the order libsvm's two loop nestings share.
  for (let t = A; t < N; t++) {
    const row = qrow(t);
    let g = f(grad, t);
    for (let u = 0; u < A; u++) {
      if (st(u) != FREE) continue;
      g += f(alpha, u) * <f64>load<f32>(row + (<usize>u << 2));
    }
    setf(grad, t, g);
  }
}

@inline function beShrunk(i: i32, g1: f64, g2: f64, g3: f64, g4: f64): bool {
  const s = st(i);
  const g = f(grad, i);
  if (s == UPPER) return gi(yv, i) == 1 ? -g > g1 : -g > g4;
  if (s == LOWER) return gi(yv, i) == 1 ? g > g2 : g > g3;
  return false;
}

let unshrink = false;

function doShrinking(): void {
  let g1 = -INF, g2 = -INF, g3 = -INF, g4 = -INF;
  for (let t = 0; t < activeSize; t++) {
    const s = st(t);
    const g = f(grad, t);
    const pos = gi(yv, t) == 1;
    if (s != UPPER) {
      if (pos) { if (-g > g1) g1 = -g; } else if (-g > g4) g4 = -g;
    }
    if (s != LOWER) {
      if (pos) { if (g > g2) g2 = g; } else if (g > g3) g3 = g;
    }
  }
  if (!unshrink && max(g1 + g2, g3 + g4) <= EPS * 10) {
    unshrink = true;
    reconstructGradient();
    activeSize = N;
  }
  for (let t = 0; t < activeSize; t++) {
    if (beShrunk(t, g1, g2, g3, g4)) {
      activeSize--;
      while (activeSize > t) {
        if (!beShrunk(activeSize, g1, g2, g3, g4)) {
          swapPos(t, activeSize);
          break;
        }
        activeSize--;
      }
    }
  }
}

let outI: i32 = -1;
let outJ: i32 = -1;

/** Solver_NU::select_working_set. Returns true when optimal. */
function selectWorkingSet(): bool {
  const A = activeSize;
  let gmaxp = -INF, gmaxp2 = -INF, gmaxn = -INF, gmaxn2 = -INF;
  let ip = -1, inn = -1, jmin = -1;
  let best = INF;
  for (let t = 0; t < A; t++) {
    const c = load<u8>(cls + <usize>t);
    if (c & 1) {
      const g = -f(grad, t);
      if (g >= gmaxp) {
        gmaxp = g;
        ip = t;
      }
    } else if (c & 2) {
      const g = f(grad, t);
      if (g >= gmaxn) {
        gmaxn = g;
        inn = t;
      }
    }
  }
  const rowP = ip >= 0 ? qrow(ip) : qp;
  const rowN = inn >= 0 ? qrow(inn) : qp;
  const qdip = ip >= 0 ? f(qd, ip) : 0;
  const qdin = inn >= 0 ? f(qd, inn) : 0;
  for (let j = 0; j < A; j++) {
    const c = load<u8>(cls + <usize>j);
    if (c & 4) {
      const g = f(grad, j);
      const gd = gmaxp + g;
      if (g >= gmaxp2) gmaxp2 = g;
      if (gd > 0) {
        const quad = qdip + f(qd, j) - 2 * <f64>load<f32>(rowP + (<usize>j << 2)); // 2·Q is exact
        const od = quad > 0 ? -(gd * gd) / quad : -(gd * gd) / TAU;
        if (od <= best) {
          jmin = j;
          best = od;
        }
      }
    } else if (c & 8) {
      const g = f(grad, j);
      const gd = gmaxn - g;
      if (-g >= gmaxn2) gmaxn2 = -g;
      if (gd > 0) {
        const quad = qdin + f(qd, j) - 2 * <f64>load<f32>(rowN + (<usize>j << 2));
        const od = quad > 0 ? -(gd * gd) / quad : -(gd * gd) / TAU;
        if (od <= best) {
          jmin = j;
          best = od;
        }
      }
    }
  }
  if (max(gmaxp + gmaxp2, gmaxn + gmaxn2) < EPS || jmin == -1) return true;
  outI = gi(yv, jmin) == 1 ? ip : inn;
  outJ = jmin;
  return false;
}

/**
 * Fit ν-SVR number `v` (0..2) on targets z (L f64). Writes β = α − α* (L f64) to `beta`.
 * Returns the number of iterations (negative if the 10^7 iteration cap was hit).
 */
export function libsvmSolve(z: usize, v: i32, beta: usize): i32 {
  const l = L, n = N;
  memory.copy(alpha, alpha0 + (<usize>(v * n) << 3), <usize>n << 3);
  memory.copy(gbar, gbar0 + (<usize>(v * n) << 3), <usize>n << 3);
  for (let t = 0; t < n; t++) {
    const pt = t < l;
    const r = pt ? t : t - l;
    seti(yv, t, pt ? 1 : -1);
    seti(act, t, t);
    setf(qd, t, f(qdPtr, r));
    const zt = f(z, r);
    setf(pLin, t, pt ? -zt : zt);
    setf(grad, t, pt ? -zt : zt);
    store<u8>(stat + <usize>t, statusOf(f(alpha, t)));
    setCls(t);
  }
  memory.copy(qp, q0, <usize>n * <usize>n << 2);
  // Initial gradient: G_t = p_t + Σ over non-LOWER u (ascending) of α_u·Q_ut.
  for (let u = 0; u < n; u++) {
    if (st(u) == LOWER) continue;
    const au = f(alpha, u);
    const row = qrow(u);
    for (let t = 0; t < n; t++) setf(grad, t, f(grad, t) + au * <f64>load<f32>(row + (<usize>t << 2)));
  }
  activeSize = n;
  unshrink = false;
  const maxIter = max(10000000, 100 * n);
  let counter = min(n, 1000) + 1;
  let iter = 0;
  let capped = true;
  while (iter < maxIter) {
    if (--counter == 0) {
      counter = min(n, 1000);
      doShrinking();
    }
    if (selectWorkingSet()) {
      reconstructGradient();
      activeSize = n;
      if (selectWorkingSet()) {
        capped = false;
        break;
      }
      counter = 1;
    }
    iter++;
    const i = outI, j = outJ;
    const rowI = qrow(i), rowJ = qrow(j);
    const oldI = f(alpha, i), oldJ = f(alpha, j);
    let quad = f(qd, i) + f(qd, j) - 2 * <f64>load<f32>(rowI + (<usize>j << 2));
    if (quad <= 0) quad = TAU;
    const delta = (f(grad, i) - f(grad, j)) / quad;
    const sum = oldI + oldJ;
    let ai = oldI - delta;
    let aj = oldJ + delta;
    if (sum > C) {
      if (ai > C) { ai = C; aj = sum - C; }
    } else if (aj < 0) { aj = 0; ai = sum; }
    if (sum > C) {
      if (aj > C) { aj = C; ai = sum - C; }
    } else if (ai < 0) { ai = 0; aj = sum; }
    setf(alpha, i, ai);
    setf(alpha, j, aj);
    const dai = ai - oldI, daj = aj - oldJ;
    updateGradient(rowI, rowJ, dai, daj, activeSize);
    const ui = st(i) == UPPER, uj = st(j) == UPPER;
    store<u8>(stat + <usize>i, statusOf(ai));
    store<u8>(stat + <usize>j, statusOf(aj));
    setCls(i);
    setCls(j);
    if (ui != (st(i) == UPPER)) updateGbar(rowI, ui);
    if (uj != (st(j) == UPPER)) updateGbar(rowJ, uj);
  }
  if (capped && activeSize < n) reconstructGradient();
  // Undo the position permutation: α of original variable act[t] is alpha[t].
  for (let t = 0; t < n; t++) store<f64>(grad + (<usize>gi(act, t) << 3), f(alpha, t)); // grad reused as scratch
  for (let g = 0; g < l; g++) setf(beta, g, f(grad, g) - f(grad, g + l));
  return capped ? -iter : iter;
}

/** G_k += Q_i[k]·Δα_i + Q_j[k]·Δα_j for k < A: both products rounded, then their sum, then the add. */
function updateGradient(rowI: usize, rowJ: usize, dai: f64, daj: f64, A: i32): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    // Two lanes at a time; lane arithmetic is the same IEEE mul/add (no fused multiply-add).
    const vi = f64x2.splat(dai), vj = f64x2.splat(daj);
    for (; k + 2 <= A; k += 2) {
      const qi = f64x2.promote_low_f32x4(v128.load64_zero(rowI + (<usize>k << 2)));
      const qj = f64x2.promote_low_f32x4(v128.load64_zero(rowJ + (<usize>k << 2)));
      const g = grad + (<usize>k << 3);
      v128.store(g, f64x2.add(v128.load(g), f64x2.add(f64x2.mul(qi, vi), f64x2.mul(qj, vj))));
    }
  }
  for (; k < A; k++) {
    setf(grad, k, f(grad, k) + (<f64>load<f32>(rowI + (<usize>k << 2)) * dai + <f64>load<f32>(rowJ + (<usize>k << 2)) * daj));
  }
}

function updateGbar(row: usize, wasUpper: bool): void {
  for (let k = 0; k < N; k++) {
    const cq = C * <f64>load<f32>(row + (<usize>k << 2));
    setf(gbar, k, wasUpper ? f(gbar, k) - cq : f(gbar, k) + cq);
  }
}

/** The last libsvmSolve's dual variables in original order (α⁺ for genes 0..l−1, then α⁻), 2l f64. Valid until
 * the next solve; for invariant checks (bounds, Σα = Cνl/2, KKT) from the host. */
export function libsvmLastAlpha(): usize {
  return grad;
}
