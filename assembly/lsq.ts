// Strictly convex QP on the "sub-simplex" {x ≥ 0, Σx ≤ 1}: min ½xᵀDx − dᵀx, D symmetric positive
// definite. This is what quanTIseq's limSolve::lsei call becomes (quadprog::solve.QP on the normal
// equations plus a 1e-8 ridge, docs/quantiseq.md step 5). The solution is unique, so any exact method
// reproduces it to rounding; this one is the primal active-set method (Nocedal & Wright, Alg. 16.3)
// started at x = 0 with every bound active, each step solving the equality-constrained subproblem on the
// free variables by Gaussian elimination with partial pivoting.

import { ld, ldi, st, sti } from "./flat";


/**
 * Multipliers below −MULT_TOL·scale count as negative: rounding leaves ~1e-16·scale noise on multipliers
 * of constraints that are exactly at their optimum, and dropping such a constraint would only cycle.
 */
const MULT_TOL: f64 = 1e-13;

/**
 * Solve the dense k × k system M·y = r in place (M column-major, r overwritten with y) by Gaussian
 * elimination with partial pivoting. Returns false if a pivot is exactly 0.
 */
function gaussSolve(M: usize, r: usize, k: i32): bool {
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let i = c + 1; i < k; i++) if (Math.abs(ld(M, i + c * k)) > Math.abs(ld(M, piv + c * k))) piv = i;
    if (ld(M, piv + c * k) == 0) return false;
    if (piv != c) {
      for (let j = c; j < k; j++) {
        const t = ld(M, c + j * k);
        st(M, c + j * k, ld(M, piv + j * k));
        st(M, piv + j * k, t);
      }
      const t = ld(r, c);
      st(r, c, ld(r, piv));
      st(r, piv, t);
    }
    const inv = 1.0 / ld(M, c + c * k);
    for (let i = c + 1; i < k; i++) {
      const f = ld(M, i + c * k) * inv;
      if (f == 0) continue;
      for (let j = c + 1; j < k; j++) st(M, i + j * k, ld(M, i + j * k) - f * ld(M, c + j * k));
      st(r, i, ld(r, i) - f * ld(r, c));
    }
  }
  for (let c = k - 1; c >= 0; c--) {
    let s = ld(r, c);
    for (let j = c + 1; j < k; j++) s -= ld(M, c + j * k) * ld(r, j);
    st(r, c, s / ld(M, c + c * k));
  }
  return true;
}

/**
 * min ½xᵀDx − dᵀx subject to x ≥ 0 and Σx ≤ 1 (D n × n column-major, SPD). x (n) receives the
 * solution. Scratch: work needs (n + 1)² + 4(n + 1) doubles, iwork n + 1 i32. Returns the number of
 * active-set iterations, or −1 if the iteration cap (a safeguard against cycling) was reached.
 */
export function qpSubSimplex(D: usize, d: usize, n: i32, x: usize, work: usize, iwork: usize): i32 {
  const n1 = n + 1;
  const M = work; // KKT matrix, up to (n + 1)²
  const r = M + (<usize>(n1 * n1) << 3); // right-hand side / solution
  const xn = r + (<usize>n1 << 3); // subproblem solution (n)
  const grad = xn + (<usize>n1 << 3); // D·x − d (n)
  const free = iwork; // free[i] = 1 if bound i is not in the working set
  let sumActive = false;
  let scale: f64 = 0;
  for (let i = 0; i < n; i++) {
    st(x, i, 0);
    sti(free, i, 0);
    scale = max(scale, Math.abs(ld(d, i)));
  }
  if (scale == 0) return 0;
  const maxIter = 10 * n1 * n1;
  for (let iter = 1; iter <= maxIter; iter++) {
    // Subproblem: minimise over the free variables, bounds in W at 0, Σx = 1 if the sum is in W.
    let k = 0;
    for (let i = 0; i < n; i++) if (ldi(free, i)) k++;
    const kk = sumActive ? k + 1 : k;
    let a = 0;
    for (let i = 0; i < n; i++) {
      if (!ldi(free, i)) continue;
      let b = 0;
      for (let j = 0; j < n; j++) {
        if (!ldi(free, j)) continue;
        st(M, a + b * kk, ld(D, i + j * n));
        b++;
      }
      if (sumActive) {
        st(M, a + k * kk, 1.0);
        st(M, k + a * kk, 1.0);
      }
      st(r, a, ld(d, i));
      a++;
    }
    if (sumActive) {
      st(M, k + k * kk, 0.0);
      st(r, k, 1.0);
    }
    if (kk > 0 && !gaussSolve(M, r, kk)) return -1;
    const lamSum = sumActive ? ld(r, k) : 0.0;
    a = 0;
    for (let i = 0; i < n; i++) st(xn, i, ldi(free, i) ? ld(r, a++) : 0.0);

    // Step towards the subproblem's solution, stopped by the first constraint not in W it would break.
    let alpha: f64 = 1;
    let block = -1;
    let sumP: f64 = 0;
    let sumX: f64 = 0;
    for (let i = 0; i < n; i++) {
      const p = ld(xn, i) - ld(x, i);
      sumP += p;
      sumX += ld(x, i);
      if (ldi(free, i) && p < 0) {
        const t = -ld(x, i) / p;
        if (t < alpha) {
          alpha = t;
          block = i;
        }
      }
    }
    if (!sumActive && sumP > 0) {
      const t = (1.0 - sumX) / sumP;
      if (t < alpha) {
        alpha = t;
        block = n;
      }
    }
    if (block >= 0) {
      for (let i = 0; i < n; i++) st(x, i, ld(x, i) + alpha * (ld(xn, i) - ld(x, i)));
      if (block < n) {
        sti(free, block, 0);
        st(x, block, 0);
      } else {
        sumActive = true;
      }
      continue;
    }
    for (let i = 0; i < n; i++) st(x, i, ld(xn, i));

    // At the subproblem optimum: the working set's multipliers decide (all ≥ 0: optimal).
    for (let i = 0; i < n; i++) {
      let g = -ld(d, i);
      for (let j = 0; j < n; j++) g += ld(D, i + j * n) * ld(x, j);
      st(grad, i, g);
    }
    let worst = -MULT_TOL * scale;
    let drop = -1;
    for (let i = 0; i < n; i++) {
      if (ldi(free, i)) continue;
      const lam = ld(grad, i) + lamSum; // ∇q = Σ λ_i e_i − λ_sum·1
      if (lam < worst) {
        worst = lam;
        drop = i;
      }
    }
    if (sumActive && lamSum < worst) {
      worst = lamSum;
      drop = n;
    }
    if (drop < 0) return iter;
    if (drop < n) sti(free, drop, 1);
    else sumActive = false;
  }
  return -1;
}
