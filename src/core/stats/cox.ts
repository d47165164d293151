// Cox proportional hazards as survival::coxph(Surv(time, event) ~ x, ties = "efron") with its defaults
// (iter.max 20, eps 1e-9, toler.chol = eps^0.75): Newton–Raphson from beta = 0 with step halving, the
// stopping rule |1 − loglik_old / loglik_new| ≤ eps of survival's coxfit6.c, and the information
// matrix factored by its cholesky2 (LDL', near-zero pivots read as aliased columns). Newton's method is
// invariant under coxfit6's centring and scaling of the covariates, so its iterates are the same; only
// centring is kept here, to keep exp(eta) in range.
import { chisqUpper } from "./distributions.js";
import type { Design } from "./formula.js";
import type { CoefRow } from "./lm.js";

export const COX_EPS = 1e-9;
export const COX_ITER_MAX = 20;
const TOLER_CHOL = 2.220446049250313e-16 ** 0.75;

export interface CoxResult {
  coefficients: CoefRow[];
  /** Likelihood-ratio test against the null model. */
  lr: { statistic: number; df: number; pValue: number };
  loglik: [number, number];
  iterations: number;
  converged: boolean;
  events: number;
  /**
   * Terms whose coefficient may be infinite: after convergence the next Newton step would still move them
   * (|step| > eps and > sqrt(eps)·|coef|), coxph.fit's "Loglik converged before variable …" test.
   */
  mayBeInfinite: string[];
}

/** LDL' in place (survival's cholesky2); returns the rank. m is row-major k × k, upper triangle used. */
function cholesky2(m: Float64Array, k: number): number {
  let eps = 0;
  for (let i = 0; i < k; i++) {
    if (m[i * k + i] > eps) eps = m[i * k + i];
    for (let j = i + 1; j < k; j++) m[j * k + i] = m[i * k + j];
  }
  eps = eps === 0 ? TOLER_CHOL : eps * TOLER_CHOL;
  let rank = 0;
  for (let i = 0; i < k; i++) {
    const pivot = m[i * k + i];
    if (!Number.isFinite(pivot) || pivot < eps) m[i * k + i] = 0;
    else {
      rank++;
      for (let j = i + 1; j < k; j++) {
        const t = m[j * k + i] / pivot;
        m[j * k + i] = t;
        m[j * k + j] -= t * t * pivot;
        for (let l = j + 1; l < k; l++) m[l * k + j] -= t * m[l * k + i];
      }
    }
  }
  return rank;
}

/** Solves with the factor of cholesky2 (survival's chsolve2), y in place. */
function chsolve2(m: Float64Array, k: number, y: Float64Array): void {
  for (let i = 0; i < k; i++) {
    let t = y[i];
    for (let j = 0; j < i; j++) t -= y[j] * m[i * k + j];
    y[i] = t;
  }
  for (let i = k - 1; i >= 0; i--) {
    if (m[i * k + i] === 0) y[i] = 0;
    else {
      let t = y[i] / m[i * k + i];
      for (let j = i + 1; j < k; j++) t -= y[j] * m[j * k + i];
      y[i] = t;
    }
  }
}

/** Efron log partial likelihood, score and information at beta (x centred, column-major n × k). */
function efron(x: Float64Array, n: number, k: number, time: Float64Array, status: Float64Array, order: Int32Array, beta: Float64Array) {
  const u = new Float64Array(k);
  const imat = new Float64Array(k * k);
  let loglik = 0;
  const s1 = new Float64Array(k);
  const s2 = new Float64Array(k * k);
  const d1 = new Float64Array(k);
  const d2 = new Float64Array(k * k);
  let s0 = 0;
  const risk = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let e = 0;
    for (let j = 0; j < k; j++) e += x[i + j * n] * beta[j];
    risk[i] = e;
  }
  // Walk times from the largest down; everyone with time ≥ t is at risk at t.
  for (let hi = n - 1; hi >= 0; ) {
    const t = time[order[hi]];
    let lo = hi;
    while (lo - 1 >= 0 && time[order[lo - 1]] === t) lo--;
    let d0 = 0;
    let deaths = 0;
    d1.fill(0);
    d2.fill(0);
    for (let a = lo; a <= hi; a++) {
      const i = order[a];
      const r = Math.exp(risk[i]);
      s0 += r;
      for (let j = 0; j < k; j++) {
        const xj = x[i + j * n];
        s1[j] += r * xj;
        for (let l = 0; l <= j; l++) s2[j * k + l] += r * xj * x[i + l * n];
      }
      if (status[i] === 1) {
        deaths++;
        d0 += r;
        loglik += risk[i];
        for (let j = 0; j < k; j++) {
          const xj = x[i + j * n];
          u[j] += xj;
          d1[j] += r * xj;
          for (let l = 0; l <= j; l++) d2[j * k + l] += r * xj * x[i + l * n];
        }
      }
    }
    for (let m = 0; m < deaths; m++) {
      const f = m / deaths;
      const den = s0 - f * d0;
      loglik -= Math.log(den);
      for (let j = 0; j < k; j++) {
        const a = (s1[j] - f * d1[j]) / den;
        u[j] -= a;
        for (let l = 0; l <= j; l++) {
          const b = (s1[l] - f * d1[l]) / den;
          imat[j * k + l] += (s2[j * k + l] - f * d2[j * k + l]) / den - a * b;
        }
      }
    }
    hi = lo - 1;
  }
  for (let j = 0; j < k; j++) for (let l = 0; l < j; l++) imat[l * k + j] = imat[j * k + l];
  return { loglik, u, imat };
}

/**
 * coxph(Surv(time, status) ~ design without its intercept column). The design's first column must be the
 * intercept (dropped here, as coxph does).
 */
export function cox(d: Design, time: Float64Array, status: Float64Array): CoxResult {
  const n = d.n;
  const k = d.p - 1;
  const x = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += d.x[i + (j + 1) * n];
    mean /= n;
    for (let i = 0; i < n; i++) x[i + j * n] = d.x[i + (j + 1) * n] - mean;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => time[a] - time[b]);
  let beta = new Float64Array(k);
  let cur = efron(x, n, k, time, status, order, beta);
  const loglik0 = cur.loglik;
  let oldlk = cur.loglik;
  let imat = cur.imat;
  cholesky2(imat, k);
  const step = Float64Array.from(cur.u);
  chsolve2(imat, k, step);
  let newbeta = beta.map((b, j) => b + step[j]);
  let halving = false;
  let converged = false;
  let iter = 1;
  let newlk = oldlk;
  for (; iter <= COX_ITER_MAX; iter++) {
    cur = efron(x, n, k, time, status, order, newbeta);
    newlk = cur.loglik;
    imat = cur.imat;
    cholesky2(imat, k);
    if (Math.abs(1 - oldlk / newlk) <= COX_EPS && !halving) {
      converged = true;
      break;
    }
    if (iter === COX_ITER_MAX) break;
    if (newlk < oldlk) {
      halving = true;
      newbeta = newbeta.map((b, j) => (b + beta[j]) / 2);
    } else {
      halving = false;
      oldlk = newlk;
      const s = Float64Array.from(cur.u);
      chsolve2(imat, k, s);
      beta = newbeta;
      newbeta = newbeta.map((b, j) => b + s[j]);
    }
  }
  // Variance: the inverse of the information at the final beta, through the same factor.
  const se = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const e = new Float64Array(k);
    e[j] = 1;
    chsolve2(imat, k, e);
    se[j] = imat[j * k + j] === 0 ? NaN : Math.sqrt(e[j]);
  }
  const coefficients = d.colnames.slice(1).map((term, j) => {
    const est = Number.isNaN(se[j]) ? NaN : newbeta[j];
    const z = est / se[j];
    return { term, estimate: est, stdError: se[j], statistic: z, pValue: chisqUpper(z * z, 1) };
  });
  const next = Float64Array.from(cur.u);
  chsolve2(imat, k, next);
  const tolerInf = Math.sqrt(COX_EPS);
  const mayBeInfinite = converged
    ? coefficients.flatMap((c, j) => (Math.abs(next[j]) > COX_EPS && Math.abs(next[j]) > tolerInf * Math.abs(newbeta[j]) ? [c.term] : []))
    : [];
  const df = coefficients.filter((c) => !Number.isNaN(c.estimate)).length;
  const lrStat = 2 * (newlk - loglik0);
  let events = 0;
  for (const s of status) events += s;
  return {
    coefficients,
    lr: { statistic: lrStat, df, pValue: chisqUpper(lrStat, df) },
    loglik: [loglik0, newlk],
    iterations: Math.min(iter, COX_ITER_MAX),
    converged,
    events,
    mayBeInfinite,
  };
}
