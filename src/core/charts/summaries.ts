// Summaries the charts draw instead of the raw values, so that a 10,000-sample cohort reaches vega as a few
// hundred rows (vega's own boxplot and regression transforms take seconds per 100,000 rows). Definitions
// as ggplot2's geom_boxplot / geom_smooth(method = "lm"); test/charts-summaries.test.ts compares with R.

/** R's quantile(x, p, type = 7) of sorted, finite values, in R's arithmetic (quantile.default, R 4.2). */
export function quantile7(sorted: Float64Array, p: number): number {
  const index = 1 + (sorted.length - 1) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const q = sorted[lo - 1];
  if (!(index > lo && sorted[hi - 1] !== q)) return q;
  const h = index - lo;
  return (1 - h) * q + h * sorted[hi - 1];
}

export interface BoxStats {
  n: number;
  q1: number;
  median: number;
  q3: number;
  /** Whisker ends: the most extreme values within 1.5 · IQR of the box. */
  lower: number;
  upper: number;
  /** Values beyond the whiskers, ascending. */
  outliers: number[];
}

/** Box-plot statistics of the finite values (ggplot2's stat_boxplot: type-7 quartiles, 1.5 · IQR fences). */
export function boxStats(values: ArrayLike<number>): BoxStats | undefined {
  const x = Float64Array.from(values)
    .filter((v) => Number.isFinite(v))
    .sort();
  if (x.length === 0) return undefined;
  const q1 = quantile7(x, 0.25);
  const q3 = quantile7(x, 0.75);
  const iqr = q3 - q1;
  const inside = x.filter((v) => v >= q1 - 1.5 * iqr && v <= q3 + 1.5 * iqr);
  return {
    n: x.length,
    q1,
    median: quantile7(x, 0.5),
    q3,
    lower: inside[0],
    upper: inside[inside.length - 1],
    outliers: Array.from(x.filter((v) => v < inside[0] || v > inside[inside.length - 1])),
  };
}

/** Least-squares line y = intercept + slope · x over the pairs where both are finite (R: coef(lm(y ~ x))). */
export function leastSquares(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): { intercept: number; slope: number; n: number; xmin: number; xmax: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let xmin = Infinity;
  let xmax = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    n++;
    sx += x[i];
    sy += y[i];
    if (x[i] < xmin) xmin = x[i];
    if (x[i] > xmax) xmax = x[i];
  }
  const mx = sx / n;
  const my = sy / n;
  // Centred second pass: no cancellation when the score is far from 0 (ages, days).
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { intercept: my - slope * mx, slope, n, xmin, xmax };
}
