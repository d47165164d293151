// Linear models as R's lm() + summary.lm() + anova() (type I) and car::Anova() (types II and III).
// Type I sums of squares come from the effects vector Q'y of the pivoted QR, as anova.lm takes them;
// types II and III are the marginal hypotheses car tests, computed here from nested fits: the smaller
// model's residuals projected onto the bigger model (car's linear-hypothesis quadratic forms, by projection).
import { fUpper, tTwoSided } from "./distributions.js";
import type { Design, Formula } from "./formula.js";
import { lsFit, projectedSumSq, unscaledCov, type LsFit } from "./qr.js";

/** lm.fit's tolerance for declaring a column aliased. */
export const LM_TOL = 1e-7;

export interface CoefRow {
  term: string;
  /** NaN for an aliased coefficient (R prints NA). */
  estimate: number;
  stdError: number;
  statistic: number;
  pValue: number;
}

export interface AnovaRow {
  term: string;
  sumSq: number;
  df: number;
  statistic: number;
  pValue: number;
}

export interface LmResult {
  coefficients: CoefRow[];
  /** Residual degrees of freedom n − rank. */
  dfResidual: number;
  rss: number;
  rank: number;
  fit: LsFit;
}

const sumSq = (v: Float64Array, from = 0, to = v.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i] * v[i];
  return s;
};

/** lm(y ~ design) and the coefficient table of summary(). */
export function lm(d: Design, y: Float64Array): LmResult {
  const fit = lsFit(d.x, d.n, d.p, y, LM_TOL);
  const q = fit.qr;
  const rdf = d.n - q.rank;
  const rss = sumSq(fit.residuals);
  const resvar = rss / rdf;
  const cov = unscaledCov(q);
  const se = new Float64Array(d.p).fill(NaN);
  for (let j = 0; j < q.rank; j++) se[q.pivot[j]] = Math.sqrt(cov[j * q.rank + j] * resvar);
  const coefficients = d.colnames.map((term, j) => {
    const est = fit.coef[j];
    const t = est / se[j];
    return { term, estimate: est, stdError: se[j], statistic: t, pValue: tTwoSided(t, rdf) };
  });
  return { coefficients, dfResidual: rdf, rss, rank: q.rank, fit };
}

/** The columns `keep` of the design. */
function columns(d: Design, keep: number[]): Float64Array {
  const x = new Float64Array(d.n * keep.length);
  keep.forEach((c, j) => x.set(d.x.subarray(c * d.n, (c + 1) * d.n), j * d.n));
  return x;
}

/**
 * Sum of squares of the hypothesis "the columns in `bigger` but not in `smaller` add nothing" and its df:
 * the residuals of the smaller model projected onto the bigger model's column space. Unlike the
 * difference of the two residual sums of squares it loses no digits when the term explains little.
 */
function extraSS(d: Design, y: Float64Array, bigger: number[], smaller: number[]): { ss: number; df: number } {
  const small = lsFit(columns(d, smaller), d.n, smaller.length, y, LM_TOL);
  const big = lsFit(columns(d, bigger), d.n, bigger.length, y, LM_TOL);
  return { ss: projectedSumSq(big.qr, small.residuals), df: big.qr.rank - small.qr.rank };
}

function row(term: string, ss: number, df: number, full: LmResult): AnovaRow {
  const f = ss / df / (full.rss / full.dfResidual);
  return { term, sumSq: ss, df, statistic: f, pValue: fUpper(f, df, full.dfResidual) };
}

/**
 * Analysis of variance of a fitted lm. type 1: anova(fit); 2: car::Anova(fit, type = 2); 3: car::Anova(fit,
 * type = 3), meaningful with a design built with sum contrasts (includes the intercept row).
 */
export function anova(d: Design, y: Float64Array, full: LmResult, f: Formula, type: 1 | 2 | 3): AnovaRow[] {
  const labels = d.termLabels;
  if (type === 1) {
    const q = full.fit.qr;
    const ss = new Map<number, { ss: number; df: number }>();
    for (let j = 0; j < q.rank; j++) {
      const a = d.assign[q.pivot[j]];
      if (a === 0) continue;
      const e = ss.get(a) ?? { ss: 0, df: 0 };
      e.ss += full.fit.effects[j] ** 2;
      e.df++;
      ss.set(a, e);
    }
    return [...ss.keys()].sort((a, b) => a - b).map((a) => row(labels[a - 1], ss.get(a)!.ss, ss.get(a)!.df, full));
  }
  const cols = (pred: (term: number) => boolean) => d.assign.flatMap((a, c) => (pred(a) ? [c] : []));
  const all = cols(() => true);
  const out: AnovaRow[] = [];
  if (type === 3) {
    const e = extraSS(
      d,
      y,
      all,
      cols((a) => a !== 0),
    );
    out.push(row("(Intercept)", e.ss, e.df, full));
  }
  f.terms.forEach((term, t) => {
    const a = t + 1;
    let e: { ss: number; df: number };
    if (type === 3)
      e = extraSS(
        d,
        y,
        all,
        cols((b) => b !== a),
      );
    else {
      // Type II: the term after every term that does not contain it (its "relatives" are left out).
      const contains = (b: number) => b > 0 && b !== a && term.every((v) => f.terms[b - 1].includes(v));
      e = extraSS(
        d,
        y,
        cols((b) => !contains(b)),
        cols((b) => !contains(b) && b !== a),
      );
    }
    const { ss, df } = e;
    // A term whose columns are all aliased: car prints it with 0 df and no test.
    out.push(df > 0 ? row(labels[t], ss, df, full) : { term: labels[t], sumSq: NaN, df: 0, statistic: NaN, pValue: NaN });
  });
  return out;
}
