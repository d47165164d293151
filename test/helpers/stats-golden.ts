// Compares `cellfrac stats` records with a table R wrote (test/golden/stats/expected/<case>.tsv).
import { readFileSync } from "node:fs";
import type { StatsRecord } from "../../src/core/stats/index.js";

export const STATS_GOLDEN_DIR = new URL("../golden/stats/", import.meta.url);

/** Relative tolerance on every number (estimates, standard errors, statistics, p and q). */
export const REL = 1e-10;
/**
 * The one exception: fits whose maximum-likelihood estimate is infinite, which R flags with a warning
 * (column r_warning of the expected table): logistic separation ("fitted probabilities numerically 0 or
 * 1"), a Cox likelihood still rising after 20 iterations ("Ran out of iterations and did not converge") or
 * one that converged with a coefficient still running off ("Loglik converged before variable …;
 * coefficient may be infinite"). Those fits end with weights or information near zero: the linear systems
 * are conditioned ~1e16, and last-bit differences between V8's exp/log and glibc's grow to 1e-9..6e-8
 * relative in the estimate, standard error and z (their p-values, near 1, and the likelihood-ratio rows
 * still agree to 1e-10). Checked at 1e-7 on those three columns of those fits; every other fit, the same
 * features in other strata included, keeps 1e-10.
 */
export const SEPARATED_REL = 1e-7;
const INFINITE_MLE = /fitted probabilities numerically 0 or 1|Ran out of iterations and did not converge|coefficient may be infinite/;
const separated = (w: Record<string, string>, column: string) =>
  INFINITE_MLE.test(w.r_warning ?? "") && ["estimate", "std_error", "statistic"].includes(column);

const NUMS = ["estimate", "std_error", "statistic", "df", "df2", "p_value", "q_value"] as const;

export function expectedRows(name: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(new URL(`expected/${name}.tsv`, STATS_GOLDEN_DIR), "utf8")
    .trimEnd()
    .split("\n");
  const cols = head.split("\t");
  return lines.map((l) => Object.fromEntries(l.split("\t").map((v, i) => [cols[i], v])));
}

export const rowKey = (r: { feature: string; stratum: string; test: string; term: string }) =>
  [r.feature, r.stratum, r.test, r.term].join("|");

/** Every disagreement with R's table, as text (empty = all rows present, in order, within tolerance). */
export function diffWithR(got: StatsRecord[], name: string): { keys: [string[], string[]]; bad: string[] } {
  const want = expectedRows(name);
  const bad: string[] = [];
  want.forEach((w, i) => {
    const g = got[i];
    if (!g || rowKey(g) !== rowKey(w as never)) return;
    if (String(g.n) !== w.n) bad.push(`${rowKey(w as never)} n: ${g.n} vs ${w.n}`);
    for (const c of NUMS) {
      const gv = g[c];
      const wv = w[c];
      if (wv === "") {
        if (gv !== null) bad.push(`${rowKey(w as never)} ${c}: ${gv} vs (undefined)`);
      } else if (wv === "NA") {
        if (!(typeof gv === "number" && Number.isNaN(gv))) bad.push(`${rowKey(w as never)} ${c}: ${gv} vs NA`);
      } else {
        const x = Number(wv);
        const tol = separated(w, c) ? SEPARATED_REL : REL;
        if (gv === null || !(Math.abs(gv - x) <= tol * Math.abs(x))) {
          bad.push(`${rowKey(w as never)} ${c}: ${gv} vs ${wv} (rel ${gv === null ? "-" : Math.abs(gv - x) / Math.abs(x)})`);
        }
      }
    }
  });
  return { keys: [got.map(rowKey), want.map((w) => rowKey(w as never))], bad };
}
