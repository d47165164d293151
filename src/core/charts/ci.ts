// 95 % confidence intervals for the forest plot, as R's confint does for the models `cellfrac stats` fits:
// lm: estimate ± qt(0.975, df) · SE; logistic and cox: Wald, estimate ± qnorm(0.975) · SE (confint.default;
// survival's confint.coxph). No statistics library on npm gives R's t quantile without pulling in a large
// numeric package, and only integer df occur (lm's residual df), so the closed-form t CDF for integer df
// (Abramowitz & Stegun 26.7.3/26.7.4) is inverted by bisection here; test/charts-summaries.test.ts compares with R.
import type { ForestRow, StatsRow } from "./specs.js";

/** R: qnorm(0.975), printed with 17 significant digits. */
export const Z975 = 1.9599639845400536;

/** P(|T| < t) for Student's t with integer df ≥ 1 (A&S 26.7.3 for odd, 26.7.4 for even df). */
export function tCentral(t: number, df: number): number {
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const s = Math.sin(theta);
  const c2 = Math.cos(theta) ** 2;
  if (df % 2 === 0) {
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= df - 2; k += 2) {
      term *= (c2 * (k - 1)) / k;
      sum += term;
    }
    return s * sum;
  }
  if (df === 1) return (2 / Math.PI) * theta;
  let term = 1;
  let sum = 1;
  for (let k = 3; k <= df - 2; k += 2) {
    term *= (c2 * (k - 1)) / k;
    sum += term;
  }
  return (2 / Math.PI) * (theta + s * Math.cos(theta) * sum);
}

const qtCache = new Map<number, number>();

/** qt(0.975, df) for integer df ≥ 1: bisection on tCentral(t) = 0.95 down to adjacent doubles. */
export function qt975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`qt975 needs an integer df ≥ 1, got ${df}`);
  let q = qtCache.get(df);
  if (q === undefined) qtCache.set(df, (q = bisect(df)));
  return q;
}

function bisect(df: number): number {
  let lo = 0;
  let hi = 20;
  while (tCentral(hi, df) < 0.95) hi *= 2;
  for (;;) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) return tCentral(hi, df) - 0.95 < 0.95 - tCentral(lo, df) ? hi : lo;
    if (tCentral(mid, df) < 0.95) lo = mid;
    else hi = mid;
  }
}

/** The 95 % interval of one lm / logistic / cox coefficient. */
export function confidenceInterval(r: StatsRow): ForestRow {
  const q = r.test === "lm" ? qt975(r.df) : Z975;
  return { ...r, lower: r.estimate - q * r.std_error, upper: r.estimate + q * r.std_error };
}
