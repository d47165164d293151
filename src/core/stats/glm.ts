// Logistic regression as R's glm(family = binomial) + summary.glm: IRLS from glm.fit's starting values,
// its weighted least squares through the same pivoted QR (tolerance min(1e-7, epsilon / 1000)), its
// stopping rule |dev − dev_old| / (|dev| + 0.1) < epsilon, and standard errors from the QR of the last
// iteration (whose weights predate the final coefficient update, as R's do). The logit link functions
// clamp as R's C code does (|eta| > 30), which decides the answer under separation.
import { normTwoSided } from "./distributions.js";
import type { Design } from "./formula.js";
import { lsFit, unscaledCov } from "./qr.js";
import type { CoefRow } from "./lm.js";

export const GLM_EPSILON = 1e-8;
export const GLM_MAXIT = 25;
const THRESH = 30;
const EPS = 2.220446049250313e-16;

function linkinv(eta: number): number {
  const t = eta < -THRESH ? EPS : eta > THRESH ? 1 / EPS : Math.exp(eta);
  return t / (1 + t);
}

function muEta(eta: number): number {
  const opexp = 1 + Math.exp(eta);
  return eta > THRESH || eta < -THRESH ? EPS : Math.exp(eta) / (opexp * opexp);
}

const ylogy = (y: number, mu: number) => (y !== 0 ? y * Math.log(y / mu) : 0);

function deviance(y: Float64Array, mu: Float64Array): number {
  let d = 0;
  for (let i = 0; i < y.length; i++) d += 2 * (ylogy(y[i], mu[i]) + ylogy(1 - y[i], 1 - mu[i]));
  return d;
}

export interface GlmResult {
  coefficients: CoefRow[];
  converged: boolean;
  iterations: number;
  /** R's "fitted probabilities numerically 0 or 1 occurred". */
  boundaryProbabilities: boolean;
  deviance: number;
  rank: number;
}

/** glm(y ~ design, family = binomial) with y in {0, 1}. */
export function logistic(d: Design, y: Float64Array): GlmResult {
  const { n, p } = d;
  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m0 = (y[i] + 0.5) / 2;
    eta[i] = Math.log(m0 / (1 - m0));
    mu[i] = linkinv(eta[i]);
  }
  let devold = deviance(y, mu);
  let conv = false;
  let fit: ReturnType<typeof lsFit> | undefined;
  let coef = new Float64Array(p);
  let iter = 0;
  let dev = devold;
  const tol = Math.min(1e-7, GLM_EPSILON / 1000);
  for (iter = 1; iter <= GLM_MAXIT; iter++) {
    const good: number[] = [];
    for (let i = 0; i < n; i++) if (muEta(eta[i]) !== 0) good.push(i);
    const ng = good.length;
    const xw = new Float64Array(ng * p);
    const zw = new Float64Array(ng);
    good.forEach((i, r) => {
      const me = muEta(eta[i]);
      const z = eta[i] + (y[i] - mu[i]) / me;
      const w = Math.sqrt((me * me) / (mu[i] * (1 - mu[i])));
      zw[r] = z * w;
      for (let j = 0; j < p; j++) xw[r + j * ng] = d.x[i + j * n] * w;
    });
    fit = lsFit(xw, ng, p, zw, tol);
    // Aliased coefficients enter the linear predictor as 0 (dqrls zeroes them).
    coef = fit.coef.map((c) => (Number.isNaN(c) ? 0 : c));
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < p; j++) e += d.x[i + j * n] * coef[j];
      eta[i] = e;
      mu[i] = linkinv(e);
    }
    dev = deviance(y, mu);
    if (Math.abs(dev - devold) / (Math.abs(dev) + 0.1) < GLM_EPSILON) {
      conv = true;
      break;
    }
    devold = dev;
  }
  if (iter > GLM_MAXIT) iter = GLM_MAXIT;
  const q = fit!.qr;
  const cov = unscaledCov(q);
  const se = new Float64Array(p).fill(NaN);
  for (let j = 0; j < q.rank; j++) se[q.pivot[j]] = Math.sqrt(cov[j * q.rank + j]);
  const coefficients = d.colnames.map((term, j) => {
    const est = Number.isNaN(fit!.coef[j]) ? NaN : coef[j];
    const z = est / se[j];
    return { term, estimate: est, stdError: se[j], statistic: z, pValue: normTwoSided(z) };
  });
  const eps = 10 * EPS;
  const boundaryProbabilities = mu.some((m) => m > 1 - eps || m < eps);
  return { coefficients, converged: conv, iterations: iter, boundaryProbabilities, deviance: dev, rank: q.rank };
}
