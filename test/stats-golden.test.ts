// `cellfrac stats` against R 4.2.2 (stats, car 3.1-1, survival 3.5-3): test/golden/stats/make.R wrote the
// cohort (results.tsv, annotation.tsv) and what R computes for each case (expected/<case>.tsv). Every
// number must agree to 1e-10 relative; every row R has must be there and no other.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readTable } from "../src/node/compare.js";
import { parseAnnotation, runStats, type StatsOptions, type StatsRecord, type StatsTest } from "../src/core/stats/index.js";
import { STATS_GOLDEN_DIR, diffWithR, expectedRows } from "./helpers/stats-golden.js";

const dir = STATS_GOLDEN_DIR;
const results = readTable(fileURLToPath(new URL("results.tsv", dir)), "results.tsv");
const annotation = parseAnnotation(readFileSync(new URL("annotation.tsv", dir), "utf8"), "annotation.tsv");

// 1,300 samples without ties (id column "id"): the large-sample branches of wilcox.test and cor.test.
const large = {
  results: readTable(fileURLToPath(new URL("large_results.tsv", dir)), "large_results.tsv"),
  annotation: parseAnnotation(readFileSync(new URL("large_annotation.tsv", dir), "utf8"), "large_annotation.tsv"),
};

const CASES: Record<string, [StatsTest, StatsOptions?, typeof large?]> = {
  lm_interaction_type2: [{ kind: "lm", formula: "~ her2score * HR" }],
  lm_ancova_type1: [{ kind: "lm", formula: "~ her2score * HR + age", anova: 1 }],
  lm_interaction_type3: [{ kind: "lm", formula: "~ her2score * HR", anova: 3 }],
  lm_factors_type3: [{ kind: "lm", formula: "~ HR * grade", anova: 3 }],
  lm_factors_type2: [{ kind: "lm", formula: "~ HR * grade + age" }],
  lm_rankdef_type2: [{ kind: "lm", formula: "~ age + age2 + grade" }],
  lm_rankdef_type1: [{ kind: "lm", formula: "~ age + age2 + grade", anova: 1 }],
  lm_threeway_type2: [{ kind: "lm", formula: "~ her2score * HR * grade" }],
  lm_empty_cell_type2: [{ kind: "lm", formula: "~ HR * PAM50" }],
  lm_empty_cell_type1: [{ kind: "lm", formula: "~ HR * PAM50", anova: 1 }],
  lm_by_pam50: [{ kind: "lm", formula: "~ her2score + HR" }, { by: "PAM50" }],
  lm_levels: [
    { kind: "lm", formula: "~ her2score * HR" },
    { levels: { HR: ["Positive", "Negative"] }, adjust: "holm" },
  ],
  wilcoxon_hr: [{ kind: "group", column: "HR" }],
  kruskal_grade: [{ kind: "group", column: "grade" }, { adjust: "bonferroni" }],
  wilcoxon_pcr: [{ kind: "group", column: "pcr" }],
  cor_spearman: [{ kind: "cor", column: "her2score" }],
  cor_pearson: [{ kind: "cor", column: "her2score", method: "pearson" }, { adjust: "none" }],
  cor_kendall: [{ kind: "cor", column: "her2score", method: "kendall" }],
  cor_spearman_by_pam50: [{ kind: "cor", column: "her2score" }, { by: "PAM50" }],
  cor_kendall_age: [{ kind: "cor", column: "age", method: "kendall" }],
  logistic_pcr: [{ kind: "logistic", column: "pcr", covariates: "age" }],
  logistic_hr_grade: [{ kind: "logistic", column: "pcr", covariates: "grade" }],
  logistic_factor_outcome: [{ kind: "logistic", column: "HR", covariates: "her2score" }],
  cox_os: [{ kind: "cox", time: "os_time", event: "os_event", covariates: "HR" }],
  cox_os_age: [{ kind: "cox", time: "os_time", event: "os_event", covariates: "age + grade" }],
  cox_by_hr: [
    { kind: "cox", time: "os_time", event: "os_event", covariates: "age" },
    { by: "HR", adjust: "holm" },
  ],
  cox_grade_by_hr: [{ kind: "cox", time: "os_time", event: "os_event", covariates: "grade" }, { by: "HR" }],
  cox_by_pam50: [{ kind: "cox", time: "os_time", event: "os_event" }, { by: "PAM50" }],
  logistic_by_grade: [{ kind: "logistic", column: "pcr", covariates: "her2score" }, { by: "grade" }],
  large_wilcoxon: [{ kind: "group", column: "g" }, {}, large],
  large_spearman: [{ kind: "cor", column: "x" }, {}, large],
  large_kendall: [{ kind: "cor", column: "x", method: "kendall" }, {}, large],
};

function run(name: string, warnings: string[] = []): StatsRecord[] {
  const [test, opts, cohort = { results, annotation }] = CASES[name];
  return runStats(cohort.results, cohort.annotation, test, { ...opts, onWarning: (m) => warnings.push(m) });
}

describe("stats goldens (R 4.2.2)", () => {
  for (const name of Object.keys(CASES)) {
    it(name, () => {
      const warnings: string[] = [];
      const { keys, bad } = diffWithR(run(name, warnings), name);
      expect(keys[0]).toEqual(keys[1]);
      expect(bad).toEqual([]);
      // glm.fit's and coxph's warnings on the same fits as R's.
      for (const what of [
        "fitted probabilities numerically 0 or 1",
        "algorithm did not converge",
        "ran out of iterations",
        "loglik converged before",
      ]) {
        const r = expectedRows(name).filter((w) => w.r_warning?.toLowerCase().includes(what));
        const fits = new Set(r.map((w) => (w.stratum ? `${w.feature} (stratum "${w.stratum}")` : w.feature)));
        const ours = warnings.filter((m) => m.toLowerCase().includes(what)).map((m) => m.slice(0, m.indexOf(": ")));
        expect(new Set(ours), what).toEqual(fits);
      }
    });
  }
});

describe("stats messages", () => {
  it("reports samples in one file only, constant features and skipped strata", () => {
    const warnings: string[] = [];
    run("lm_by_pam50", warnings);
    expect(warnings).toEqual([
      "2 sample(s) of results.tsv not in annotation.tsv, left out: S98, S41",
      "2 sample(s) of annotation.tsv not in results.tsv, left out: S40, S99",
      "1 constant feature(s) left out: Eosinophils",
      'stratum "Her2": HR has fewer than 2 levels among the complete samples; not tested (5 features)',
      'stratum "LumB": HR has fewer than 2 levels among the complete samples; not tested (5 features)',
      'stratum "Normal": 2 complete sample(s) for 3 coefficients; not tested (5 features)',
    ]);
  });

  it("warns as glm.fit does under separation", () => {
    const warnings: string[] = [];
    run("logistic_pcr", warnings);
    expect(warnings).toContain(
      "Sep: glm.fit: algorithm did not converge; glm.fit: fitted probabilities numerically 0 or 1 occurred (separation?)",
    );
    expect(warnings.filter((w) => w.includes("glm.fit"))).toHaveLength(1);
  });
});
