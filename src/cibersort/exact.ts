// Exact ν-SVR optimum (linear kernel, C = 1) for CIBERSORT's `--solver exact`.
// Dual: min ½βᵀXXᵀβ − zᵀβ, β = a − c, a, c ∈ [0, 1]^G, Σβ = 0, Σ(a + c) = νG; w = Xᵀβ.
// 1. Primal-dual interior point on (a, c); H = VVᵀ with V = [X; −X] has rank T, so each Newton
//    system is solved by Woodbury with one T×T Cholesky (O(G·T²) per iteration).
// 2. Polish: the points left strictly inside (0, 1) lie on the ε-tube; solving the KKT equations
//    of that face exactly gives the vertex optimum to rounding, far below what the IPM reaches.

/** IPM stops once the mean complementarity is this small: enough to identify the tube points. */
const IPM_MU_STOP = 1e-11;
const IPM_MAX_ITER = 200;
/** Centering weight for the barrier target σμ. */
const SIGMA = 0.1;
/** Fraction-to-boundary: keeps iterates strictly interior. */
const STEP_BACK = 0.995;

export interface ExactFit {
  w: Float64Array;
  b: number;
  epsilon: number;
  beta: Float64Array;
  objective: number;
  iterations: number;
}

/** Cholesky in place (lower), n×n row-major; returns false if not positive definite. */
function cholesky(m: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = m[j * n + j];
    for (let k = 0; k < j; k++) d -= m[j * n + k] * m[j * n + k];
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    m[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let s = m[i * n + j];
      for (let k = 0; k < j; k++) s -= m[i * n + k] * m[j * n + k];
      m[i * n + j] = s / d;
    }
  }
  return true;
}

function cholSolve(l: Float64Array, n: number, v: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = v[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * v[k];
    v[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = v[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * v[k];
    v[i] = s / l[i * n + i];
  }
}

/** Dense Gaussian elimination with partial pivoting (n×n row-major, destroyed); solution in rhs. */
function luSolve(m: Float64Array, n: number, rhs: Float64Array): boolean {
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[p * n + k])) p = i;
    if (m[p * n + k] === 0) return false;
    if (p !== k) {
      for (let j = 0; j < n; j++) { const t = m[k * n + j]; m[k * n + j] = m[p * n + j]; m[p * n + j] = t; }
      const t = rhs[k]; rhs[k] = rhs[p]; rhs[p] = t;
    }
    const d = m[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / d;
      if (f === 0) continue;
      for (let j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j];
      rhs[i] -= f * rhs[k];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = rhs[i];
    for (let j = i + 1; j < n; j++) s -= m[i * n + j] * rhs[j];
    rhs[i] = s / m[i * n + i];
  }
  return true;
}

/** Primal objective ½‖w‖² + νGε + Σ max(0, |x·w + b − z| − ε). */
export function primalObjective(x: Float64Array, G: number, T: number, z: Float64Array, nu: number,
  w: Float64Array, b: number, eps: number): number {
  let o = 0;
  for (let t = 0; t < T; t++) o += 0.5 * w[t] * w[t];
  o += nu * G * eps;
  for (let g = 0; g < G; g++) {
    let f = b - z[g];
    for (let t = 0; t < T; t++) f += x[g * T + t] * w[t];
    const e = Math.abs(f) - eps;
    if (e > 0) o += e;
  }
  return o;
}

export function solveExact(x: Float64Array, G: number, T: number, z: Float64Array, nu: number): ExactFit {
  const n = 2 * G;
  const u = new Float64Array(n).fill(nu / 2); // a then c; feasible for both equalities
  const s = new Float64Array(n).fill(1);
  const tt = new Float64Array(n).fill(1);
  let l1 = 0, l2 = 0; // multipliers of Σ(a − c) = 0 and Σ(a + c) = νG
  const beta = new Float64Array(G);
  const w = new Float64Array(T);
  const grad = new Float64Array(n);
  const dinv = new Float64Array(n);
  const m = new Float64Array(T * T);
  const tmp = new Float64Array(T);
  const du = new Float64Array(n);
  const h1 = new Float64Array(n), h2 = new Float64Array(n), hg = new Float64Array(n);
  const rhs = new Float64Array(n);
  const ds = new Float64Array(n), dt = new Float64Array(n);
  const e1 = new Float64Array(n), e2 = new Float64Array(n); // rows of A
  for (let g = 0; g < G; g++) { e1[g] = 1; e1[G + g] = -1; e2[g] = 1; e2[G + g] = 1; }
  let it = 0;
  // M⁻¹y for M = D + VVᵀ (Woodbury); VᵀD⁻¹y = Xᵀ(D_a⁻¹y_a − D_c⁻¹y_c).
  const applyMinv = (y: Float64Array, out: Float64Array) => {
    tmp.fill(0);
    for (let g = 0; g < G; g++) {
      const q = dinv[g] * y[g] - dinv[G + g] * y[G + g];
      if (q !== 0) for (let k = 0; k < T; k++) tmp[k] += x[g * T + k] * q;
    }
    cholSolve(m, T, tmp);
    for (let g = 0; g < G; g++) {
      let xv = 0;
      for (let k = 0; k < T; k++) xv += x[g * T + k] * tmp[k];
      out[g] = dinv[g] * (y[g] - xv);
      out[G + g] = dinv[G + g] * (y[G + g] + xv);
    }
  };
  for (; it < IPM_MAX_ITER; it++) {
    for (let g = 0; g < G; g++) beta[g] = u[g] - u[G + g];
    w.fill(0);
    for (let g = 0; g < G; g++) if (beta[g] !== 0) for (let k = 0; k < T; k++) w[k] += x[g * T + k] * beta[g];
    let mu = 0;
    for (let i = 0; i < n; i++) mu += s[i] * u[i] + tt[i] * (1 - u[i]);
    mu /= 2 * n;
    if (mu < IPM_MU_STOP) break;
    const target = SIGMA * mu;
    for (let g = 0; g < G; g++) {
      let xw = 0;
      for (let k = 0; k < T; k++) xw += x[g * T + k] * w[k];
      grad[g] = xw - z[g] - l1 - l2; // ∂/∂a of f − λᵀAu
      grad[G + g] = -xw + z[g] + l1 - l2;
    }
    for (let i = 0; i < n; i++) {
      const ui = u[i], vi = 1 - ui;
      dinv[i] = 1 / (s[i] / ui + tt[i] / vi);
      rhs[i] = -grad[i] + target / ui - target / vi; // r_d's s, t terms cancel with the complementarity parts
    }
    m.fill(0);
    for (let g = 0; g < G; g++) {
      const q = dinv[g] + dinv[G + g];
      for (let i = 0; i < T; i++) {
        const xi = x[g * T + i] * q;
        for (let j = 0; j <= i; j++) m[i * T + j] += xi * x[g * T + j];
      }
    }
    for (let i = 0; i < T; i++) { m[i * T + i] += 1; for (let j = 0; j < i; j++) m[j * T + i] = m[i * T + j]; }
    cholesky(m, T);
    // du = M⁻¹(rhs + Aᵀdλ); A rows: e1 = (1, −1), e2 = (1, 1).
    applyMinv(rhs, hg); applyMinv(e1, h1); applyMinv(e2, h2);
    let a11 = 0, a12 = 0, a22 = 0, p1 = 0, p2 = -nu * G, q1 = 0, q2 = 0;
    for (let i = 0; i < n; i++) {
      a11 += e1[i] * h1[i]; a12 += e1[i] * h2[i]; a22 += e2[i] * h2[i];
      p1 += e1[i] * u[i]; p2 += e2[i] * u[i]; q1 += e1[i] * hg[i]; q2 += e2[i] * hg[i];
    }
    // A du = −(Au − b_eq) → [A M⁻¹ Aᵀ] dλ = −p − A M⁻¹ rhs
    const r1 = -p1 - q1, r2 = -p2 - q2, det = a11 * a22 - a12 * a12;
    const d1 = (r1 * a22 - r2 * a12) / det, d2 = (a11 * r2 - a12 * r1) / det;
    for (let i = 0; i < n; i++) du[i] = hg[i] + d1 * h1[i] + d2 * h2[i];
    let step = 1;
    for (let i = 0; i < n; i++) {
      const ui = u[i], vi = 1 - ui;
      ds[i] = target / ui - s[i] - (s[i] / ui) * du[i];
      dt[i] = target / vi - tt[i] + (tt[i] / vi) * du[i];
      if (du[i] < 0) step = Math.min(step, -ui / du[i]);
      if (du[i] > 0) step = Math.min(step, vi / du[i]);
      if (ds[i] < 0) step = Math.min(step, -s[i] / ds[i]);
      if (dt[i] < 0) step = Math.min(step, -tt[i] / dt[i]);
    }
    step = Math.min(1, STEP_BACK * step);
    for (let i = 0; i < n; i++) { u[i] += step * du[i]; s[i] += step * ds[i]; tt[i] += step * dt[i]; }
    l1 += step * d1; l2 += step * d2;
  }
  return polish(x, G, T, z, nu, u, -l1, -l2, it);
}

/** Free points (strictly between the bounds) are on the tube; solve that face's KKT system. */
function polish(x: Float64Array, G: number, T: number, z: Float64Array, nu: number, u: Float64Array,
  b0: number, eps0: number, iterations: number): ExactFit {
  const beta = new Float64Array(G);
  const free: number[] = [];
  const side: number[] = [];
  let absOut = 0;
  const w0 = new Float64Array(T);
  for (let g = 0; g < G; g++) {
    const bg = u[g] - u[G + g];
    beta[g] = bg;
    for (let k = 0; k < T; k++) w0[k] += x[g * T + k] * bg;
  }
  for (let g = 0; g < G; g++) {
    let f = b0 - z[g];
    for (let k = 0; k < T; k++) f += x[g * T + k] * w0[k];
    const ab = Math.abs(beta[g]);
    if (ab > 0.5 ? 1 - ab > 1e-4 : ab > 1e-4) { free.push(g); side.push(beta[g] > 0 ? 1 : -1); }
    else { beta[g] = ab > 0.5 ? Math.sign(beta[g]) : 0; absOut += Math.abs(beta[g]); }
    void f;
  }
  const F = free.length, N = T + 2 + F;
  const m = new Float64Array(N * N), r = new Float64Array(N);
  // unknowns: w (T), b, ε, β_F
  for (let k = 0; k < T; k++) {
    m[k * N + k] = 1;
    let o = 0;
    for (let g = 0; g < G; g++) if (beta[g] !== 0 && (Math.abs(beta[g]) === 1)) o += x[g * T + k] * beta[g];
    r[k] = o;
    for (let j = 0; j < F; j++) m[k * N + T + 2 + j] = -x[free[j] * T + k];
  }
  for (let j = 0; j < F; j++) {
    const row = T + j, g = free[j];
    for (let k = 0; k < T; k++) m[row * N + k] = x[g * T + k];
    m[row * N + T] = 1; m[row * N + T + 1] = side[j]; r[row] = z[g];
  }
  let sumOut = 0;
  for (let g = 0; g < G; g++) if (Math.abs(beta[g]) === 1) sumOut += beta[g];
  const rb = T + F, re = T + F + 1;
  for (let j = 0; j < F; j++) { m[rb * N + T + 2 + j] = 1; m[re * N + T + 2 + j] = side[j]; }
  r[rb] = -sumOut; r[re] = nu * G - absOut;
  if (!luSolve(m, N, r)) throw new Error("exact ν-SVR: singular face system");
  const w = r.slice(0, T);
  for (let j = 0; j < F; j++) beta[free[j]] = r[T + 2 + j];
  const b = r[T], epsilon = r[T + 1];
  return { w, b, epsilon, beta, objective: primalObjective(x, G, T, z, nu, w, b, epsilon), iterations };
}

/**
 * CoreAlg (ALGORITHMS.md §4.4) with the exact solver: v = w per ν, clip, normalise, RMSE, Pearson r,
 * first minimum RMSE. Plain double sums here: the exact optimum already differs from R's libsvm stop
 * by ~1e-3, far above the ulp-level effect of R's long-double sums.
 */
export function exactCoreAlg(x: Float64Array, G: number, T: number, z: Float64Array, nus: readonly number[]) {
  const n = nus.length;
  const v = new Float64Array(n * T), w = new Float64Array(n * T);
  const rmse = new Float64Array(n), r = new Float64Array(n), iterations = new Int32Array(n);
  let selected = -1, best = Infinity;
  const k = new Float64Array(G);
  for (let j = 0; j < n; j++) {
    const f = solveExact(x, G, T, z, nus[j]);
    iterations[j] = f.iterations;
    let s = 0;
    for (let t = 0; t < T; t++) { v[j * T + t] = f.w[t]; s += f.w[t] > 0 ? f.w[t] : 0; }
    for (let t = 0; t < T; t++) w[j * T + t] = (f.w[t] > 0 ? f.w[t] : 0) / s;
    let d2 = 0, mk = 0, mz = 0;
    for (let g = 0; g < G; g++) {
      let kg = 0;
      for (let t = 0; t < T; t++) kg += x[g * T + t] * w[j * T + t];
      k[g] = kg; d2 += (kg - z[g]) ** 2; mk += kg; mz += z[g];
    }
    mk /= G; mz /= G;
    let sxy = 0, sxx = 0, syy = 0;
    for (let g = 0; g < G; g++) { const a = k[g] - mk, b = z[g] - mz; sxy += a * b; sxx += a * a; syy += b * b; }
    rmse[j] = Math.sqrt(d2 / G);
    r[j] = sxy / Math.sqrt(sxx * syy);
    if (rmse[j] < best) { best = rmse[j]; selected = j; }
  }
  return { selected, rmse, r, iterations, v, w };
}
