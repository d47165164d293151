// Linear models as R's lm() + summary.lm() + anova() (type I) and car::Anova() (types II and III).
// Type I sums of squares come from the effects vector Q'y of the pivoted QR, as anova.lm takes them;
// types II and III are the marginal hypotheses car tests, computed here as residual-sum-of-squares
// differences between nested fits (the same quadratic forms as car's linear hypotheses, by projection).
import { fUpper, tTwoSided } from "./distributions.js";
import type { Design, Formula } from "./formula.js";
import { lsFit, unscaledCov, type LsFit } from "./qr.js";

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

/** Residual sum of squares and rank of y on the columns `keep` of the design. */
function subFit(d: Design, y: Float64Array, keep: number[]): { rss: number; rank: number } {
  const x = new Float64Array(d.n * keep.length);
  keep.forEach((c, j) => x.set(d.x.subarray(c * d.n, (c + 1) * d.n), j * d.n));
  const f = lsFit(x, d.n, keep.length, y, LM_TOL);
  return { rss: sumSq(f.residuals), rank: f.qr.rank };
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
  const out: AnovaRow[] = [];
  if (type === 3) {
    const without = subFit(d, y, cols((a) => a !== 0));
    out.push(row("(Intercept)", without.rss - full.rss, full.rank - without.rank, full));
  }
  f.terms.forEach((term, t) => {
    const a = t + 1;
    let ss: number;
    let df: number;
    if (type === 3) {
      const without = subFit(d, y, cols((b) => b !== a));
      ss = without.rss - full.rss;
      df = full.rank - without.rank;
    } else {
      // Type II: the term after every term that does not contain it (its "relatives" are left out).
      const contains = (b: number) => b > 0 && b !== a && term.every((v) => f.terms[b - 1].includes(v));
      const withTerm = subFit(d, y, cols((b) => !contains(b)));
      const withoutTerm = subFit(d, y, cols((b) => !contains(b) && b !== a));
      ss = withoutTerm.rss - withTerm.rss;
      df = withTerm.rank - withoutTerm.rank;
    }
    // A term whose columns are all aliased: car prints it with 0 df and no test.
    out.push(df > 0 ? row(labels[t], ss, df, full) : { term: labels[t], sumSq: NaN, df: 0, statistic: NaN, pValue: NaN });
  });
  return out;
}
