// EPIC's fit (Racle et al. 2017; docs/epic.md): per sample, minimise the weighted squared error
// f(x) = Σ_g w_g·((A x)_g − b_g)² under x ≥ 0, cMin ≤ Σx ≤ 1 with R's constrOptim (logarithmic barrier,
// μ = 1e-4) around R's Nelder–Mead (nmmin, optim defaults). EPIC reports where this optimiser stops, not
// the exact optimum, so every comparison, operation order and accumulation follows R:
// A·x in BLAS dgemv order, the sums in long double (x87.ts), ui·θ as dgemv over the constraint rows.
import { accZero, accAddD, accToD } from "./x87";
import { ld, st } from "./flat";

// constrOptim defaults as EPIC calls it.
const MU: f64 = 1e-4;
const OUTER_ITERATIONS: i32 = 100;
const OUTER_EPS: f64 = 1e-5;
// optim(method = "Nelder-Mead") defaults.
const NM_ALPHA: f64 = 1.0;
const NM_BETA: f64 = 0.5;
const NM_GAMMA: f64 = 2.0;
const NM_RELTOL: f64 = 1.490116119384765625e-8; // sqrt(DBL_EPSILON)
const NM_MAXIT: i32 = 500;
/** nmmin's stand-in for non-finite function values. */
const BIG: f64 = 1.0e35;


// Problem of the current sample (set by epicFit).
let pA: usize = 0; // m × n column-major
let pW: usize = 0; // m weights
let pB: usize = 0; // m bulk values
let gM: i32 = 0;
let gN: i32 = 0;
let gSum: bool = true; // constrainedSum
let gCMin: f64 = 0; // lower bound of Σx
let pOld: usize = 0; // barrier anchor θ_old (n)
let pGOld: usize = 0; // g(θ_old) (n + 2)
let pG: usize = 0; // scratch g(θ) (n + 2)
let pUT: usize = 0; // scratch ui·θ (n + 2)

/** EPIC's objective: x87-sum over genes of w_g·(y_g − b_g)², y = A·x in dgemv order; NaN terms skipped. */
function objective(x: usize): f64 {
  const m = gM, n = gN;
  accZero();
  for (let g = 0; g < m; g++) {
    let y: f64 = 0;
    for (let j = 0; j < n; j++) y = y + ld(x, j) * ld(pA + (<usize>(g + j * m) << 3), 0);
    const d = y - ld(pB, g);
    const t = ld(pW, g) * (d * d);
    if (!isNaN(t)) accAddD(t);
  }
  return accToD();
}

/** Number of constraint rows: x_c ≥ 0 for each cell type, plus Σx ≥ cMin and −Σx ≥ −1. */
@inline function constraintRows(): i32 {
  return gSum ? gN + 2 : gN;
}

/** ui·θ (dgemv: start at 0, add column contributions in order) and g = ui·θ − ci, into pUT and out. */
function constraints(x: usize, out: usize): void {
  const n = gN;
  for (let k = 0; k < n; k++) {
    // Row k of ui is the unit vector e_k: the zero products leave the sum at exactly θ_k.
    st(pUT, k, ld(x, k));
    st(out, k, ld(x, k)); // ci = 0
  }
  if (gSum) {
    let s: f64 = 0;
    let t: f64 = 0;
    for (let j = 0; j < n; j++) {
      s = s + ld(x, j);
      t = t + -1.0 * ld(x, j);
    }
    st(pUT, n, s);
    st(out, n, s - gCMin);
    st(pUT, n + 1, t);
    st(out, n + 1, t - -1.0);
  }
}

/** constrOptim's barrier function R(θ, θ_old): NaN outside the region, +Inf on its boundary. */
function barrier(x: usize): f64 {
  const K = constraintRows();
  constraints(x, pG);
  for (let k = 0; k < K; k++) if (ld(pG, k) < 0) return NaN;
  accZero();
  for (let k = 0; k < K; k++) accAddD(ld(pGOld, k) * Math.log(ld(pG, k)) - ld(pUT, k));
  let bar = accToD();
  if (!isFinite(bar)) bar = -Infinity;
  return objective(x) - MU * bar;
}

let nmFail: i32 = 0;
let simplexBase: usize = 0;
let simplexCols: i32 = 0;

/** Address of nmmin's P[i][j] (i: coordinate, or n for the value; j: vertex, n + 1 the centroid). */
@inline function P(i: i32, j: i32): usize {
  return simplexBase + (<usize>(i * simplexCols + j) << 3);
}

/**
 * R's nmmin on the barrier function, from `start` (n values, overwritten as scratch); the best vertex
 * goes to `out`, its value is returned. `p` is scratch for the (n + 1) × (n + 2) simplex table.
 */
function nelderMead(start: usize, out: usize, p: usize): f64 {
  const n = gN;
  const n1 = n + 1;
  const C = n + 2; // 1-based column of the centroid
  const ncol = n + 2;
  nmFail = 0;
  let f = barrier(start);
  // constrOptim guarantees a finite start (θ_old is strictly inside the region).
  let funcount = 1;
  const convtol = NM_RELTOL * (Math.abs(f) + NM_RELTOL);
  simplexBase = p;
  simplexCols = ncol;
  store<f64>(P(n1 - 1, 0), f);
  for (let i = 0; i < n; i++) store<f64>(P(i, 0), ld(start, i));
  let L = 1;
  let size: f64 = 0;
  let step: f64 = 0;
  for (let i = 0; i < n; i++) if (0.1 * Math.abs(ld(start, i)) > step) step = 0.1 * Math.abs(ld(start, i));
  if (step == 0.0) step = 0.1;
  for (let j = 2; j <= n1; j++) {
    for (let i = 0; i < n; i++) store<f64>(P(i, j - 1), ld(start, i));
    let trystep = step;
    while (load<f64>(P(j - 2, j - 1)) == ld(start, j - 2)) {
      store<f64>(P(j - 2, j - 1), ld(start, j - 2) + trystep);
      trystep *= 10;
    }
    size += trystep; // as R: the step after the last ×10
  }
  let oldsize = size;
  let calcvert = true;
  const bvec = start;
  do {
    if (calcvert) {
      for (let j = 0; j < n1; j++) {
        if (j + 1 != L) {
          for (let i = 0; i < n; i++) st(bvec, i, load<f64>(P(i, j)));
          f = barrier(bvec);
          if (!isFinite(f)) f = BIG;
          funcount++;
          store<f64>(P(n1 - 1, j), f);
        }
      }
      calcvert = false;
    }
    let VL = load<f64>(P(n1 - 1, L - 1));
    let VH = VL;
    let H = L;
    for (let j = 1; j <= n1; j++) {
      if (j != L) {
        const fj = load<f64>(P(n1 - 1, j - 1));
        if (fj < VL) {
          L = j;
          VL = fj;
        }
        if (fj > VH) {
          H = j;
          VH = fj;
        }
      }
    }
    if (VH <= VL + convtol) break; // abstol = −Inf never stops it

    for (let i = 0; i < n; i++) {
      let temp = -load<f64>(P(i, H - 1));
      for (let j = 0; j < n1; j++) temp += load<f64>(P(i, j));
      store<f64>(P(i, C - 1), temp / <f64>n);
    }
    for (let i = 0; i < n; i++) st(bvec, i, (1.0 + NM_ALPHA) * load<f64>(P(i, C - 1)) - NM_ALPHA * load<f64>(P(i, H - 1)));
    f = barrier(bvec);
    if (!isFinite(f)) f = BIG;
    funcount++;
    const VR = f;
    if (VR < VL) {
      // Expansion; the centroid column keeps the reflected point.
      store<f64>(P(n1 - 1, C - 1), f);
      for (let i = 0; i < n; i++) {
        const e = NM_GAMMA * ld(bvec, i) + (1 - NM_GAMMA) * load<f64>(P(i, C - 1));
        store<f64>(P(i, C - 1), ld(bvec, i));
        st(bvec, i, e);
      }
      f = barrier(bvec);
      if (!isFinite(f)) f = BIG;
      funcount++;
      if (f < VR) {
        for (let i = 0; i < n; i++) store<f64>(P(i, H - 1), ld(bvec, i));
        store<f64>(P(n1 - 1, H - 1), f);
      } else {
        for (let i = 0; i < n; i++) store<f64>(P(i, H - 1), load<f64>(P(i, C - 1)));
        store<f64>(P(n1 - 1, H - 1), VR);
      }
    } else {
      if (VR < VH) {
        for (let i = 0; i < n; i++) store<f64>(P(i, H - 1), ld(bvec, i));
        store<f64>(P(n1 - 1, H - 1), VR);
      }
      // Contraction towards the centroid from the (possibly replaced) worst vertex.
      for (let i = 0; i < n; i++) st(bvec, i, (1 - NM_BETA) * load<f64>(P(i, H - 1)) + NM_BETA * load<f64>(P(i, C - 1)));
      f = barrier(bvec);
      if (!isFinite(f)) f = BIG;
      funcount++;
      if (f < load<f64>(P(n1 - 1, H - 1))) {
        for (let i = 0; i < n; i++) store<f64>(P(i, H - 1), ld(bvec, i));
        store<f64>(P(n1 - 1, H - 1), f);
      } else if (VR >= VH) {
        // Shrink towards the best vertex; stop when the simplex no longer gets smaller.
        calcvert = true;
        size = 0.0;
        for (let j = 0; j < n1; j++) {
          if (j + 1 != L) {
            for (let i = 0; i < n; i++) {
              const vl = load<f64>(P(i, L - 1));
              store<f64>(P(i, j), NM_BETA * (load<f64>(P(i, j)) - vl) + vl);
              size += Math.abs(load<f64>(P(i, j)) - vl);
            }
          }
        }
        if (size < oldsize) {
          oldsize = size;
        } else {
          nmFail = 10;
          break;
        }
      }
    }
  } while (funcount <= NM_MAXIT);
  for (let i = 0; i < n; i++) st(out, i, load<f64>(P(i, L - 1)));
  if (funcount > NM_MAXIT) nmFail = 1;
  return load<f64>(P(n1 - 1, L - 1));
}

/**
 * Fit one sample. a: m × n reference (scaled), w: m weights, b: m bulk values (scaled), x: n values
 * holding the start on entry and the result (constrOptim's par) on return. constrainedSum and cMin as
 * EPIC (cMin 0 with the "other cells" fraction, else 0.99). Returns constrOptim's convergence code:
 * 0, 7 (outer iterations exhausted) or 11 (objective increased); −1 if the start is not interior.
 */
export function epicFit(a: usize, m: i32, n: i32, w: usize, b: usize, x: usize, constrainedSum: bool, cMin: f64): i32 {
  pA = a;
  pW = w;
  pB = b;
  gM = m;
  gN = n;
  gSum = constrainedSum;
  gCMin = cMin;
  const K = constraintRows();
  pOld = heap.alloc(<usize>n << 3);
  pGOld = heap.alloc(<usize>K << 3);
  pG = heap.alloc(<usize>K << 3);
  pUT = heap.alloc(<usize>K << 3);
  const theta = heap.alloc(<usize>n << 3);
  const par = heap.alloc(<usize>n << 3);
  const scratch = heap.alloc(<usize>n << 3);
  const simplex = heap.alloc(<usize>((n + 1) * (n + 2)) << 3);
  for (let i = 0; i < n; i++) st(theta, i, ld(x, i));

  constraints(theta, pGOld);
  for (let k = 0; k < K; k++) if (ld(pGOld, k) <= 0) return -1;
  let obj = objective(theta);
  for (let i = 0; i < n; i++) st(pOld, i, ld(theta, i));
  let r = barrier(theta);
  let code = 0;
  let objOld: f64 = 0;
  let it = 0;
  for (it = 1; it <= OUTER_ITERATIONS; it++) {
    objOld = obj;
    const rOld = r;
    // The anchor of this round's barrier: θ_old = θ and its g values.
    for (let i = 0; i < n; i++) {
      st(pOld, i, ld(theta, i));
      st(scratch, i, ld(theta, i));
    }
    constraints(pOld, pGOld);
    r = nelderMead(scratch, par, simplex);
    if (isFinite(r) && isFinite(rOld) && Math.abs(r - rOld) < (0.001 + Math.abs(r)) * OUTER_EPS) break;
    for (let i = 0; i < n; i++) st(theta, i, ld(par, i));
    obj = objective(theta);
    if (obj > objOld) break;
  }
  if (it >= OUTER_ITERATIONS) code = 7; // R's loop variable stays at 100 when the loop runs out
  if (obj > objOld) code = 11;
  for (let i = 0; i < n; i++) st(x, i, ld(par, i));
  return code;
}
