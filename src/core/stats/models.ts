// One model per (feature, stratum) for each test of `cellfrac stats`: complete cases, the checks that skip
// a stratum with a message, the fit, and its output rows.
import { InputError, UsageError } from "../errors.js";
import { cox } from "./cox.js";
import { designMatrix, parseFormula, rName, type Contrasts, type Formula, type NumericVariable, type Variable } from "./formula.js";
import { logistic } from "./glm.js";
import { anova, lm } from "./lm.js";
import { kendall, kruskal, pearson, spearman, wilcoxon, type TestResult } from "./rank.js";
import { missing, type VariableSource } from "./samples.js";
import type { StatsRecord, StatsTest } from "./types.js";

export interface ModelRows {
  records: Omit<StatsRecord, "feature" | "stratum" | "q_value">[];
  /** Why the model cannot be fitted in this stratum (it is skipped with this message). */
  skip?: string;
  /** R's warning for this fit (glm.fit, coxph), repeated on stderr. */
  warning?: string;
}

const rec = (test: string, term: string, n: number, r: Partial<StatsRecord>): ModelRows["records"][number] => ({
  test,
  term,
  n,
  estimate: r.estimate ?? null,
  std_error: r.std_error ?? null,
  statistic: r.statistic ?? null,
  df: r.df ?? null,
  df2: r.df2 ?? null,
  p_value: r.p_value ?? null,
});

function factorLevelsPresent(v: Variable, rows: Int32Array): number {
  if (v.kind === "numeric") return Infinity;
  return new Set(Array.from(rows, (r) => v.codes[r])).size;
}

/** The variables of a formula over the feature and annotation columns, in the formula's order. */
function modelVariables(f: Formula, feature: string, featureVar: Variable, src: VariableSource): Variable[] {
  return f.variables.map((name) => (name === feature ? featureVar : src.get(name)));
}

export type FitOne = (feature: string, y: NumericVariable, rows: number[]) => ModelRows;

/** Checks the test's columns once and returns the per-model function. */
export function prepare(test: StatsTest, src: VariableSource, features: string[]): FitOne {
  const complete = (vars: Variable[], rows: number[]) => Int32Array.from(rows.filter((i) => vars.every((v) => !missing(v, i))));
  const tooFewLevels = (vars: Variable[], rows: Int32Array) => vars.find((v) => v.kind === "factor" && factorLevelsPresent(v, rows) < 2);
  const checkNames = (f: Formula) => {
    for (const v of f.variables)
      if (features.includes(v) && src.has(v)) throw new UsageError(`"${v}" is both a feature and an annotation column`);
  };
  switch (test.kind) {
    case "lm": {
      const f = parseFormula(test.formula);
      f.variables.forEach((v) => src.column(v));
      const type = test.anova ?? 2;
      const contrasts: Contrasts = type === 3 ? "sum" : "treatment";
      return (_feature, y, rows) => {
        const vars = f.variables.map((v) => src.get(v));
        const cc = complete([y, ...vars], rows);
        const one = tooFewLevels(vars, cc);
        if (one) return { records: [], skip: `${rName(one.name)} has fewer than 2 levels among the complete samples` };
        const d = designMatrix(f, vars, cc, contrasts);
        if (cc.length <= d.p) return { records: [], skip: `${cc.length} complete sample(s) for ${d.p} coefficients` };
        const yy = Float64Array.from(cc, (i) => y.values[i]);
        const fit = lm(d, yy);
        const n = cc.length;
        const records = fit.coefficients.map((c) =>
          rec("lm", c.term, n, {
            estimate: c.estimate,
            std_error: c.stdError,
            statistic: c.statistic,
            df: fit.dfResidual,
            p_value: c.pValue,
          }),
        );
        let warning: string | undefined;
        if (type === 3 && fit.rank < d.p) {
          warning =
            "aliased coefficients: type III anova not computed " + '(car::Anova stops with "there are aliased coefficients in the model")';
        } else {
          for (const a of anova(d, yy, fit, f, type)) {
            records.push(rec("anova", a.term, n, { statistic: a.statistic, df: a.df, df2: fit.dfResidual, p_value: a.pValue }));
          }
        }
        return { records, warning };
      };
    }
    case "group": {
      const g = src.factor(test.column);
      const levels = g.levels;
      if (levels.length < 2) throw new InputError(`column ${test.column} has fewer than two groups`, { file: src.annName });
      return (_feature, y, rows) => {
        const cc = complete([y, g], rows);
        const vals = y.values;
        const byLevel = levels.map((_, k) =>
          Array.from(cc)
            .filter((i) => g.codes[i] === k)
            .map((i) => vals[i]),
        );
        const present = byLevel.filter((v) => v.length > 0).length;
        if (levels.length === 2) {
          if (present < 2) return { records: [], skip: `--group ${test.column}: one of its two groups is empty` };
          const r = wilcoxon(byLevel[0], byLevel[1]);
          return {
            records: [
              // Named like the lm coefficient of the second level against the first (e.g. HRPositive).
              rec("wilcoxon", rName(test.column) + levels[1], cc.length, {
                estimate: r.estimate,
                statistic: r.statistic,
                p_value: r.pValue,
              }),
            ],
          };
        }
        if (present < 2) return { records: [], skip: `--group ${test.column}: fewer than 2 non-empty groups` };
        const codes = new Int32Array(levels.length).fill(-1);
        let k = 0;
        byLevel.forEach((v, j) => v.length && (codes[j] = k++));
        const r = kruskal(
          Array.from(cc, (i) => vals[i]),
          Array.from(cc, (i) => codes[g.codes[i]]),
          k,
        );
        return { records: [rec("kruskal", rName(test.column), cc.length, { statistic: r.statistic, df: r.df, p_value: r.pValue })] };
      };
    }
    case "cor": {
      const x = src.get(test.column);
      if (x.kind !== "numeric") throw new UsageError(`--cor ${test.column}: the column is not numeric`);
      const method = test.method ?? "spearman";
      const fn = { spearman, pearson, kendall }[method];
      return (_feature, y, rows) => {
        const cc = complete([y, x], rows);
        const min = method === "pearson" ? 3 : 2;
        if (cc.length < min) return { records: [], skip: `${cc.length} complete sample(s), cor.test needs ${min}` };
        const yv = y.values;
        const r: TestResult = fn(
          Array.from(cc, (i) => yv[i]),
          Array.from(cc, (i) => x.values[i]),
        );
        const p = Number.isNaN(r.estimate) ? NaN : r.pValue;
        return {
          records: [
            rec(method, rName(test.column), cc.length, {
              estimate: r.estimate,
              statistic: r.statistic,
              df: method === "pearson" ? r.df : null,
              p_value: p,
            }),
          ],
        };
      };
    }
    case "logistic":
    case "cox": {
      const cov = test.covariates ? parseFormula(test.covariates) : null;
      cov?.variables.forEach((v) => src.column(v));
      if (cov) checkNames(cov);
      let outcome: Variable[];
      if (test.kind === "logistic") {
        const v = src.get(test.column);
        outcome = [binary(v, test.column, "--logistic", src)];
      } else {
        const t = src.get(test.time);
        if (t.kind !== "numeric") throw new UsageError(`--cox: time column ${test.time} is not numeric`);
        outcome = [t, binary(src.get(test.event), test.event, "--cox event", src)];
      }
      return (feature, y, rows) => {
        const f = parseFormula(`\`${feature}\`${test.covariates ? ` + (${test.covariates})` : ""}`);
        const vars = modelVariables(f, feature, y, src);
        const cc = complete([...outcome, ...vars], rows);
        const one = tooFewLevels(vars, cc);
        if (one) return { records: [], skip: `${rName(one.name)} has fewer than 2 levels among the complete samples` };
        const d = designMatrix(f, vars, cc);
        const status = outcome[outcome.length - 1] as NumericVariable;
        const s = Float64Array.from(cc, (i) => status.values[i]);
        const n = cc.length;
        if (test.kind === "logistic") {
          const ones = s.reduce((a, b) => a + b, 0);
          if (ones === 0 || ones === n)
            return { records: [], skip: `--logistic ${test.column} has one outcome only among the complete samples` };
          if (n <= d.p) return { records: [], skip: `${n} complete sample(s) for ${d.p} coefficients` };
          const g = logistic(d, s);
          const warnings = [];
          if (!g.converged) warnings.push("glm.fit: algorithm did not converge");
          if (g.boundaryProbabilities) warnings.push("glm.fit: fitted probabilities numerically 0 or 1 occurred (separation?)");
          return {
            records: g.coefficients.map((c) =>
              rec("logistic", c.term, n, { estimate: c.estimate, std_error: c.stdError, statistic: c.statistic, p_value: c.pValue }),
            ),
            warning: warnings.length ? warnings.join("; ") : undefined,
          };
        }
        const time = outcome[0] as NumericVariable;
        if (s.reduce((a, b) => a + b, 0) === 0) return { records: [], skip: `no event among the complete samples` };
        if (n < d.p) return { records: [], skip: `${n} complete sample(s) for ${d.p - 1} coefficients` };
        const c = cox(
          d,
          Float64Array.from(cc, (i) => time.values[i]),
          s,
        );
        const records = c.coefficients.map((r) =>
          rec("cox", r.term, n, { estimate: r.estimate, std_error: r.stdError, statistic: r.statistic, p_value: r.pValue }),
        );
        records.push(rec("cox_lr", "model", n, { statistic: c.lr.statistic, df: c.lr.df, p_value: c.lr.pValue }));
        const warning = !c.converged
          ? "coxph: ran out of iterations and did not converge"
          : c.mayBeInfinite.length
            ? `coxph: Loglik converged before variable ${c.mayBeInfinite.join(", ")}; coefficient may be infinite`
            : undefined;
        return { records, warning };
      };
    }
  }
}

/** A 0/1 outcome: numeric 0/1, or a two-level column (second level = 1, as glm reads a factor). */
function binary(v: Variable, name: string, what: string, src: VariableSource): NumericVariable {
  if (v.kind === "numeric") {
    const bad = v.values.findIndex((x) => !Number.isNaN(x) && x !== 0 && x !== 1);
    if (bad >= 0) throw new InputError(`${what} ${name}: values must be 0 or 1, found ${v.values[bad]}`, src.locate(name, bad));
    return v;
  }
  if (v.levels.length !== 2) throw new UsageError(`${what} ${name}: needs two values, found ${v.levels.length} (${v.levels.join(", ")})`);
  return { kind: "numeric", name, values: Float64Array.from(v.codes, (c) => (c < 0 ? NaN : c)) };
}
