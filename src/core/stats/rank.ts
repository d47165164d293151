// Rank-based and correlation tests as R's wilcox.test, kruskal.test and cor.test (two-sided defaults).
// The exact null distributions are hand-written because no library carries R's versions: Wilcoxon and
// Kendall counts by recursion (R's cwilcox / ckendall), Spearman by AS 89 as R's prho.c (enumeration up
// to n = 9, Edgeworth series above), each with R's choice of tail and its rounding of the statistic.
// kruskal.test is written out too (not @stdlib's) so that it shares these ranks and tie sizes; all of them
// are checked against R by the stats goldens, both the exact and the large-sample branches.
import { chisqUpper, normTwoSided, normUpper, tTwoSided } from "./distributions.js";

export interface TestResult {
  estimate: number;
  statistic: number;
  /** Degrees of freedom where the test has them (kruskal, pearson), else NaN. */
  df: number;
  pValue: number;
  /** The exact null distribution was used. */
  exact?: boolean;
}

/** Average ranks (R's rank(ties.method = "average")). */
export function rank(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const o = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[o[j + 1]] === x[o[i]]) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) r[o[k]] = avg;
    i = j + 1;
  }
  return r;
}

/** Sizes of the groups of equal values (R's table(x)), groups of one included. */
function tieSizes(x: ArrayLike<number>): number[] {
  const s = Array.from(x).sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[i]) j++;
    out.push(j - i + 1);
    i = j + 1;
  }
  return out;
}

export function median(x: ArrayLike<number>): number {
  const s = Float64Array.from(x).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Counts of the Mann–Whitney statistic W = 0..m·n for sample sizes m, n (R's cwilcox, all at once). */
function wilcoxCounts(m: number, n: number): Float64Array {
  // f[j] = counts for sizes (i, j) at the current i; f_{i,j}(w) = f_{i-1,j}(w - j) + f_{i,j-1}(w).
  let prev: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const c = new Float64Array(i * j + 1);
      const a = prev[j];
      const b = cur[j - 1];
      for (let w = 0; w < c.length; w++) c[w] = (w - j >= 0 && w - j < a.length ? a[w - j] : 0) + (w < b.length ? b[w] : 0);
      cur.push(c);
    }
    prev = cur;
  }
  return prev[n];
}

/** P(W ≤ q) (lower) or P(W > q) (upper) as R's pwilcox. */
function pwilcox(q: number, m: number, n: number, upper: boolean): number {
  const c = wilcoxCounts(m, n);
  q = Math.floor(q + 1e-7);
  let total = 0;
  for (const v of c) total += v;
  if (q < 0) return upper ? 1 : 0;
  if (q >= m * n) return upper ? 0 : 1;
  let p = 0;
  if (upper) for (let w = q + 1; w <= m * n; w++) p += c[w] / total;
  else for (let w = 0; w <= q; w++) p += c[w] / total;
  return p;
}

/**
 * wilcox.test(x, y): W, exact p when both groups have fewer than 50 values and there are no ties, else
 * the normal approximation with continuity and tie correction. estimate = median(y) − median(x).
 */
export function wilcoxon(x: ArrayLike<number>, y: ArrayLike<number>): TestResult {
  const nx = x.length;
  const ny = y.length;
  const all = [...Array.from(x), ...Array.from(y)];
  const r = rank(all);
  let rx = 0;
  for (let i = 0; i < nx; i++) rx += r[i];
  const w = rx - (nx * (nx + 1)) / 2;
  const ties = tieSizes(r);
  const hasTies = ties.length !== all.length;
  const estimate = median(y) - median(x);
  if (nx < 50 && ny < 50 && !hasTies) {
    const p = w > (nx * ny) / 2 ? pwilcox(w - 1, nx, ny, true) : pwilcox(w, nx, ny, false);
    return { estimate, statistic: w, df: NaN, pValue: Math.min(2 * p, 1), exact: true };
  }
  let z = w - (nx * ny) / 2;
  const tieSum = ties.reduce((s, t) => s + t ** 3 - t, 0);
  const sigma = Math.sqrt(((nx * ny) / 12) * (nx + ny + 1 - tieSum / ((nx + ny) * (nx + ny - 1))));
  z = (z - Math.sign(z) * 0.5) / sigma;
  return { estimate, statistic: w, df: NaN, pValue: 2 * Math.min(normUpper(-z), normUpper(z)), exact: false };
}

/** kruskal.test(x, g) for group codes 0..k-1 (every group non-empty). */
export function kruskal(x: ArrayLike<number>, g: ArrayLike<number>, k: number): TestResult {
  const n = x.length;
  const r = rank(x);
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums[g[i]] += r[i];
    counts[g[i]]++;
  }
  let s = 0;
  for (let j = 0; j < k; j++) s += (sums[j] * sums[j]) / counts[j];
  const tieSum = tieSizes(x).reduce((a, t) => a + t ** 3 - t, 0);
  const stat = ((12 * s) / (n * (n + 1)) - 3 * (n + 1)) / (1 - tieSum / (n ** 3 - n));
  return { estimate: NaN, statistic: stat, df: k - 1, pValue: chisqUpper(stat, k - 1) };
}

/** Mean with R's second pass (mean.c): the mean plus the mean of the residuals from it. */
function rMean(x: ArrayLike<number>): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const m = s / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += x[i] - m;
  return m + c / n;
}

/**
 * R's cor(x, y) (cov.c, complete observations): covariance over n − 1 divided by the product of the two
 * standard deviations, clamped to [−1, 1]. (compare.ts's pearson divides by sqrt(sxx · syy) instead; the
 * two differ in the last bits, and R's rounding decides e.g. whether S is 0 or 2e-16 for n = 2.)
 */
function pearsonR(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  const mx = rMean(x);
  const my = rMean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  const r = sxy / (n - 1) / (Math.sqrt(sxx / (n - 1)) * Math.sqrt(syy / (n - 1)));
  return r >= 1 ? 1 : Math.max(r, -1);
}

/** cor.test(x, y, method = "pearson"): r, t, df = n − 2. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): TestResult {
  const r = pearsonR(x, y);
  const df = x.length - 2;
  const t = (Math.sqrt(df) * r) / Math.sqrt(1 - r * r);
  return { estimate: r, statistic: t, df, pValue: tTwoSided(t, df) };
}

/** R's prho (AS 89): P(S ≥ is) (upper) or P(S < is) (lower) for Spearman's S with n observations. */
export function prho(is: number, n: number, lower: boolean): number {
  let pv = lower ? 0 : 1;
  if (n <= 1 || is <= 0) return pv;
  const n3 = (n * (n * n - 1)) / 3;
  if (is > n3) return 1 - pv;
  if (n <= 9) {
    const l = Array.from({ length: n }, (_, i) => i + 1);
    let nfac = 1;
    for (let i = 1; i <= n; i++) nfac *= i;
    let ifr = 0;
    if (is === n3) ifr = 1;
    else {
      for (let m = 0; m < nfac; m++) {
        let ise = 0;
        for (let i = 0; i < n; i++) ise += (i + 1 - l[i]) ** 2;
        if (is <= ise) ifr++;
        let n1 = n;
        let mt: number;
        do {
          mt = l[0];
          for (let i = 1; i < n1; i++) l[i - 1] = l[i];
          n1--;
          l[n1] = mt;
        } while (mt === n1 + 1 && n1 > 1);
      }
    }
    return (lower ? nfac - ifr : ifr) / nfac;
  }
  const b = 1 / n;
  const x = ((6 * (is - 1) * b) / (n * n - 1) - 1) * Math.sqrt(1 / b - 1);
  let y = x * x;
  const u =
    x *
    b *
    (0.2274 +
      b * (0.2531 + 0.1745 * b) +
      y *
        (-0.0758 + b * (0.1033 + 0.3932 * b) - y * b * (0.0879 + 0.0151 * b - y * (0.0072 - 0.0831 * b + y * b * (0.0131 - 4.6e-4 * y)))));
  y = u / Math.exp(y / 2);
  pv = lower ? -y + normUpper(-x) : y + normUpper(x);
  return Math.min(1, Math.max(0, pv));
}

/** cor.test(x, y, method = "spearman"): rho, S; exact (AS 89) when n < 1290 and there are no ties. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): TestResult {
  const n = x.length;
  const rx = rank(x);
  const ry = rank(y);
  const r = pearsonR(rx, ry);
  const q = ((n ** 3 - n) * (1 - r)) / 6;
  const ties = Math.min(tieSizes(x).length, tieSizes(y).length) < n;
  const lower = !(q > (n ** 3 - n) / 6);
  let p: number;
  const exact = n < 1290 && !ties;
  if (exact) p = prho(Math.round(q) + 2 * Number(lower), n, lower);
  else {
    const r2 = 1 - q / ((n * (n * n - 1)) / 6);
    const t = r2 / Math.sqrt((1 - r2 * r2) / (n - 2));
    // pt(t, n − 2, lower.tail = !lower): the tail on the side of t, or its complement.
    const half = tTwoSided(t, n - 2) / 2;
    p = t > 0 === lower ? half : 1 - half;
  }
  return { estimate: r, statistic: q, df: NaN, pValue: Math.min(2 * p, 1), exact };
}

/** Number of permutations of n with each count of inversions 0..n(n−1)/2 (R's ckendall). */
function kendallCounts(n: number): Float64Array {
  let c = Float64Array.of(1);
  for (let i = 2; i <= n; i++) {
    const next = new Float64Array(c.length + i - 1);
    for (let k = 0; k < next.length; k++) {
      let s = 0;
      for (let j = Math.max(0, k - c.length + 1); j <= Math.min(k, i - 1); j++) s += c[k - j];
      next[k] = s;
    }
    c = next;
  }
  return c;
}

function pkendall(q: number, n: number): number {
  q = Math.floor(q + 1e-7);
  if (q < 0) return 0;
  if (q > (n * (n - 1)) / 2) return 1;
  const c = kendallCounts(n);
  let p = 0;
  for (let j = 0; j <= q; j++) p += c[j];
  let nfac = 1;
  for (let i = 2; i <= n; i++) nfac *= i;
  return p / nfac;
}

/** Pairs tied within each run of equal values of v along `order`: Σ t(t − 1)/2. */
function tiedPairs(order: Int32Array, same: (a: number, b: number) => boolean): number {
  let total = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && same(order[j + 1], order[i])) j++;
    const t = j - i + 1;
    total += (t * (t - 1)) / 2;
    i = j + 1;
  }
  return total;
}

/**
 * Kendall's S = Σ_{i<j} sign(x_i − x_j)·sign(y_i − y_j) and the numbers of pairs not tied in x and in y,
 * by Knight's O(n log n) method (sort by x then y, count y inversions by merge sort). All counts are
 * integers, so tau-b = S / (√xs·√ys) is the same double as R's O(n²) loop in cov.c gives.
 */
export function kendallPairs(x: ArrayLike<number>, y: ArrayLike<number>): { s: number; xs: number; ys: number } {
  const n = x.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || y[a] - y[b]);
  const n0 = (n * (n - 1)) / 2;
  const n1 = tiedPairs(order, (a, b) => x[a] === x[b]);
  const n3 = tiedPairs(order, (a, b) => x[a] === x[b] && y[a] === y[b]);
  // Merge sort of y along `order`, counting strict inversions (discordant pairs).
  let a = Float64Array.from(order, (i) => y[i]);
  let b = new Float64Array(n);
  let swaps = 0;
  for (let w = 1; w < n; w *= 2) {
    for (let lo = 0; lo < n; lo += 2 * w) {
      const mid = Math.min(lo + w, n);
      const hi = Math.min(lo + 2 * w, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (a[j] < a[i]) {
          swaps += mid - i;
          b[k++] = a[j++];
        } else b[k++] = a[i++];
      }
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    [a, b] = [b, a];
  }
  let n2 = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && a[j + 1] === a[i]) j++;
    n2 += ((j - i + 1) * (j - i)) / 2;
    i = j + 1;
  }
  return { s: n0 - n1 - n2 + n3 - 2 * swaps, xs: n0 - n1, ys: n0 - n2 };
}

/** cor.test(x, y, method = "kendall"): tau-b; T and the exact p when n < 50 without ties, else z. */
export function kendall(x: ArrayLike<number>, y: ArrayLike<number>): TestResult {
  const n = x.length;
  const { s, xs, ys } = kendallPairs(x, y);
  const tau = s / (Math.sqrt(xs) * Math.sqrt(ys));
  const tx = tieSizes(x).filter((t) => t > 1);
  const ty = tieSizes(y).filter((t) => t > 1);
  if (n < 50 && tx.length === 0 && ty.length === 0) {
    const t = Math.round(((tau + 1) * n * (n - 1)) / 4);
    const p = t > (n * (n - 1)) / 4 ? 1 - pkendall(t - 1, n) : pkendall(t, n);
    return { estimate: tau, statistic: t, df: NaN, pValue: Math.min(2 * p, 1), exact: true };
  }
  const sum = (a: number[], f: (t: number) => number) => a.reduce((acc, t) => acc + f(t), 0);
  const t0 = (n * (n - 1)) / 2;
  const t1 = sum(tx, (t) => t * (t - 1)) / 2;
  const t2 = sum(ty, (t) => t * (t - 1)) / 2;
  const S = tau * Math.sqrt((t0 - t1) * (t0 - t2));
  const v0 = n * (n - 1) * (2 * n + 5);
  const vt = sum(tx, (t) => t * (t - 1) * (2 * t + 5));
  const vu = sum(ty, (t) => t * (t - 1) * (2 * t + 5));
  const v1 = sum(tx, (t) => t * (t - 1)) * sum(ty, (t) => t * (t - 1));
  const v2 = sum(tx, (t) => t * (t - 1) * (t - 2)) * sum(ty, (t) => t * (t - 1) * (t - 2));
  const varS = (v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + v2 / (9 * n * (n - 1) * (n - 2));
  const z = S / Math.sqrt(varS);
  return { estimate: tau, statistic: z, df: NaN, pValue: normTwoSided(z), exact: false };
}
