// `cellfrac stats`: one model per feature (cell type, score) of a result table against a sample
// annotation, R's numbers for every feature at once. This module joins the two tables, builds each
// model's complete cases (na.omit per model), splits by --by strata, runs the test and adjusts p-values
// across features within each (test, term, stratum).
import { InputError, UsageError, type InputLocation } from "../errors.js";
import type { NamedTable } from "../compare.js";
import { idColumnOf, rowsById, type Annotation } from "./annotation.js";
import { cox } from "./cox.js";
import { designMatrix, parseFormula, rName, type Contrasts, type Formula, type Variable } from "./formula.js";
import { logistic } from "./glm.js";
import { anova, lm } from "./lm.js";
import { pAdjust, type AdjustMethod } from "./padjust.js";
import { kendall, kruskal, pearson, spearman, wilcoxon, type TestResult } from "./rank.js";

export { mergeAnnotations, parseAnnotation, type Annotation } from "./annotation.js";
export { ADJUST_METHODS, pAdjust, type AdjustMethod } from "./padjust.js";

export const COR_METHODS = ["spearman", "pearson", "kendall"] as const;
export type CorMethod = (typeof COR_METHODS)[number];

/** The test of one call. */
export type StatsTest =
  | { kind: "lm"; formula: string; anova?: 1 | 2 | 3 }
  | { kind: "group"; column: string }
  | { kind: "cor"; column: string; method?: CorMethod }
  | { kind: "logistic"; column: string; covariates?: string }
  | { kind: "cox"; time: string; event: string; covariates?: string };

export interface StatsOptions {
  /** Annotation column holding the sample names (default: the column matching most result samples). */
  idColumn?: string;
  /** Run the test within each level of this annotation column. */
  by?: string;
  /** p-value adjustment across features (default BH). */
  adjust?: AdjustMethod;
  /** Level order per annotation column (the first is the baseline); makes the column categorical. */
  levels?: Record<string, string[]>;
  /** Features to test (default: every numeric column except fit statistics). */
  features?: string[];
  onWarning?: (message: string) => void;
}

/** One output row. null = not defined for this test; NaN = R's NA (e.g. an aliased coefficient). */
export interface StatsRecord {
  feature: string;
  stratum: string;
  test: string;
  term: string;
  n: number;
  estimate: number | null;
  std_error: number | null;
  statistic: number | null;
  df: number | null;
  df2: number | null;
  p_value: number | null;
  q_value: number | null;
}

export const STATS_COLUMNS = [
  "feature",
  "stratum",
  "test",
  "term",
  "n",
  "estimate",
  "std_error",
  "statistic",
  "df",
  "df2",
  "p_value",
  "q_value",
] as const;

/** Fit statistics of cellfrac / CIBERSORT tables, never features. */
const FIT_COLUMNS = new Set(["P-value", "Correlation", "RMSE", "convergeCode"]);
const isFitColumn = (c: string) => FIT_COLUMNS.has(c) || c.startsWith("Absolute score");

const isNumber = (v: string) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v);
/** C-locale order (code units), as R's sort() under LC_COLLATE=C. */
const cCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Joined {
  /** Result row of each joined sample. */
  resultRow: number[];
  /** Annotation row of each joined sample. */
  annRow: number[];
  samples: string[];
}

function join(results: NamedTable, ann: Annotation, idColumn: string | undefined, warn: (m: string) => void): Joined {
  const seen = new Set<string>();
  results.rows.forEach((s) => {
    if (seen.has(s)) throw new InputError(`duplicate sample name`, { file: results.name, sample: s });
    seen.add(s);
  });
  const col = idColumnOf(ann, seen, idColumn);
  const byId = rowsById(ann, col);
  const out: Joined = { resultRow: [], annRow: [], samples: [] };
  const onlyResults: string[] = [];
  results.rows.forEach((s, i) => {
    const a = byId.get(s);
    if (a === undefined) onlyResults.push(s);
    else {
      out.resultRow.push(i);
      out.annRow.push(a);
      out.samples.push(s);
    }
  });
  const onlyAnn = [...byId.keys()].filter((id) => !seen.has(id));
  const list = (xs: string[]) => xs.slice(0, 10).join(", ") + (xs.length > 10 ? `, … (${xs.length - 10} more)` : "");
  if (onlyResults.length) warn(`${onlyResults.length} sample(s) of ${results.name} not in ${ann.name}, left out: ${list(onlyResults)}`);
  if (onlyAnn.length) warn(`${onlyAnn.length} sample(s) of ${ann.name} not in ${results.name}, left out: ${list(onlyAnn)}`);
  if (out.samples.length === 0) throw new InputError(`no sample of ${results.name} is in ${ann.name}`, { file: ann.name });
  return out;
}

/** Builds annotation variables over the joined samples. */
class VariableSource {
  private cache = new Map<string, Variable>();
  constructor(
    private ann: Annotation,
    private joined: Joined,
    private levels: Record<string, string[]>,
  ) {}

  get annName(): string {
    return this.ann.name;
  }

  /** Where joined sample i's value of column `name` is. */
  locate(name: string, i: number): InputLocation {
    return { ...this.ann.loc(this.joined.annRow[i], this.column(name)), sample: this.joined.samples[i] };
  }

  has(name: string): boolean {
    return this.ann.columns.includes(name);
  }

  column(name: string): number {
    const c = this.ann.columns.indexOf(name);
    if (c < 0) throw new UsageError(`no column "${name}" in ${this.ann.name} (columns: ${this.ann.columns.join(", ")})`);
    return c;
  }

  get(name: string, categorical = false): Variable {
    const key = `${name}\u0000${categorical}`;
    let v = this.cache.get(key);
    if (!v) this.cache.set(key, (v = this.make(name, categorical)));
    return v;
  }

  private make(name: string, categorical: boolean): Variable {
    const c = this.column(name);
    const raw = this.joined.annRow.map((r) => this.ann.rows[r][c]);
    const given = this.levels[name];
    const numeric = raw.every((v) => v === null || isNumber(v));
    if (!given && !categorical && numeric)
      return { kind: "numeric", name, values: Float64Array.from(raw, (v) => (v === null ? NaN : Number(v))) };
    let levels: string[];
    if (given) {
      levels = given;
      raw.forEach((v, i) => {
        if (v !== null && !given.includes(v)) {
          const r = this.joined.annRow[i];
          throw new InputError(`value "${v}" of column ${name} is not among --levels ${name}=${given.join(",")}`, {
            ...this.ann.loc(r, c),
            sample: this.joined.samples[i],
          });
        }
      });
    } else {
      const uniq = [...new Set(raw.filter((v): v is string => v !== null))];
      // R sorts the levels of a numeric column by value, of a character column in collation order.
      levels = numeric ? uniq.sort((a, b) => Number(a) - Number(b)) : uniq.sort(cCompare);
    }
    const index = new Map(levels.map((l, i) => [l, i]));
    return { kind: "factor", name, levels, codes: Int32Array.from(raw, (v) => (v === null ? -1 : index.get(v)!)) };
  }
}

const missing = (v: Variable, i: number) => (v.kind === "numeric" ? Number.isNaN(v.values[i]) : v.codes[i] < 0);

/** Why a model cannot be fitted in a stratum (it is skipped with a message), or null. */
type Skip = string | null;

interface ModelRows {
  records: Omit<StatsRecord, "feature" | "stratum" | "q_value">[];
  skip?: Skip;
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

/** A model formula over a feature and annotation columns: its variables, factor checks and design. */
function modelVariables(f: Formula, feature: string, featureVar: Variable, src: VariableSource): Variable[] {
  return f.variables.map((name) => (name === feature ? featureVar : src.get(name)));
}

/**
 * Runs `test` for each feature of `results` (samples × features) against `annotation`. Returns the records
 * in feature, stratum, term order; warnings (samples in one table only, constant features, skipped strata,
 * R's glm warnings) go to options.onWarning.
 */
export function runStats(results: NamedTable, annotation: Annotation, test: StatsTest, options: StatsOptions = {}): StatsRecord[] {
  const warn = options.onWarning ?? (() => {});
  const joined = join(results, annotation, options.idColumn, warn);
  const src = new VariableSource(annotation, joined, options.levels ?? {});
  for (const col of Object.keys(options.levels ?? {})) src.column(col);
  const N = joined.samples.length;

  // Features.
  let features: string[];
  if (options.features) {
    for (const f of options.features)
      if (!results.cols.includes(f)) throw new UsageError(`--features: no numeric column "${f}" in ${results.name}`);
    features = options.features;
  } else features = results.cols.filter((c) => !isFitColumn(c));
  const featureValues = new Map<string, Float64Array>();
  const constant: string[] = [];
  for (const f of features) {
    const c = results.cols.indexOf(f);
    const v = Float64Array.from(joined.resultRow, (r) => results.data[r * results.cols.length + c]);
    const finite = Array.from(v).filter((x) => !Number.isNaN(x));
    if (finite.every((x) => x === finite[0])) constant.push(f);
    else featureValues.set(f, v);
  }
  if (constant.length) warn(`${constant.length} constant feature(s) left out: ${constant.join(", ")}`);
  features = features.filter((f) => featureValues.has(f));

  // Strata.
  let strata: { name: string; rows: number[] }[] = [{ name: "", rows: Array.from({ length: N }, (_, i) => i) }];
  if (options.by !== undefined) {
    const by = src.get(options.by, true);
    if (by.kind !== "factor") throw new Error("unreachable");
    strata = by.levels.map((l, k) => ({ name: l, rows: strata[0].rows.filter((i) => by.codes[i] === k) }));
    const noBy = Array.from(by.codes).filter((c) => c < 0).length;
    if (noBy) warn(`--by ${options.by}: ${noBy} sample(s) with a missing value left out`);
  }

  const fitOne = prepare(test, src, features);
  const out: StatsRecord[] = [];
  const messages = new Map<string, number>();
  for (const feature of features) {
    const y = featureValues.get(feature)!;
    const yVar: Variable = { kind: "numeric", name: feature, values: y };
    for (const s of strata) {
      const m = fitOne(feature, yVar, s.rows);
      if (m.skip) {
        const key = `${s.name ? `stratum "${s.name}": ` : ""}${m.skip}; not tested`;
        messages.set(key, (messages.get(key) ?? 0) + 1);
        continue;
      }
      if (m.warning) {
        const key = `${feature}${s.name ? ` (stratum "${s.name}")` : ""}: ${m.warning}`;
        messages.set(key, 1);
      }
      for (const r of m.records) out.push({ feature, stratum: s.name, ...r, q_value: null });
    }
  }
  for (const [msg, count] of messages) warn(count > 1 ? `${msg} (${count} features)` : msg);

  // q-values within each (test, term, stratum), across features.
  const method = options.adjust ?? "BH";
  const groups = new Map<string, number[]>();
  out.forEach((r, i) => {
    if (r.p_value === null) return;
    const key = `${r.test}\u0000${r.term}\u0000${r.stratum}`;
    const g = groups.get(key) ?? [];
    g.push(i);
    groups.set(key, g);
  });
  for (const idx of groups.values()) {
    const q = pAdjust(
      idx.map((i) => out[i].p_value!),
      method,
    );
    idx.forEach((i, k) => (out[i].q_value = q[k]));
  }
  return out;
}

type FitOne = (feature: string, y: Variable, rows: number[]) => ModelRows;

/** Checks the test's columns once and returns the per-model function. */
function prepare(test: StatsTest, src: VariableSource, features: string[]): FitOne {
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
      return (feature, y, rows) => {
        const vars = f.variables.map((v) => src.get(v));
        const cc = complete([y, ...vars], rows);
        const one = tooFewLevels(vars, cc);
        if (one) return { records: [], skip: `${rName(one.name)} has fewer than 2 levels among the complete samples` };
        const d = designMatrix(f, vars, cc, contrasts);
        if (cc.length <= d.p) return { records: [], skip: `${cc.length} complete sample(s) for ${d.p} coefficients` };
        const yy = Float64Array.from(cc, (i) => (y.kind === "numeric" ? y.values[i] : NaN));
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
            "aliased coefficients: type III anova not computed " +
            '(car::Anova stops with "there are aliased coefficients in the model")';
        } else {
          for (const a of anova(d, yy, fit, f, type)) {
            records.push(rec("anova", a.term, n, { statistic: a.statistic, df: a.df, df2: fit.dfResidual, p_value: a.pValue }));
          }
        }
        return { records, warning };
      };
    }
    case "group": {
      const g = src.get(test.column, true);
      if (g.kind !== "factor") throw new Error("unreachable");
      const levels = g.levels;
      if (levels.length < 2) throw new InputError(`column ${test.column} has fewer than two groups`, { file: src.annName });
      return (_feature, y, rows) => {
        const cc = complete([y, g], rows);
        const vals = y.kind === "numeric" ? y.values : new Float64Array();
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
              rec("wilcoxon", `${levels[1]} vs ${levels[0]}`, cc.length, {
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
        const yv = y.kind === "numeric" ? y.values : new Float64Array();
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
        const f = parseFormula(`\`${feature}\`` + (test.covariates ? ` + (${test.covariates})` : ""));
        const vars = modelVariables(f, feature, y, src);
        const cc = complete([...outcome, ...vars], rows);
        const one = tooFewLevels(vars, cc);
        if (one) return { records: [], skip: `${rName(one.name)} has fewer than 2 levels among the complete samples` };
        const d = designMatrix(f, vars, cc);
        const status = outcome[outcome.length - 1] as Extract<Variable, { kind: "numeric" }>;
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
        const time = outcome[0] as Extract<Variable, { kind: "numeric" }>;
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
        return { records, warning: c.converged ? undefined : `coxph: ran out of iterations and did not converge` };
      };
    }
  }
}

/** A 0/1 outcome: numeric 0/1, or a two-level column (second level = 1, as glm reads a factor). */
function binary(v: Variable, name: string, what: string, src: VariableSource): Extract<Variable, { kind: "numeric" }> {
  if (v.kind === "numeric") {
    const bad = v.values.findIndex((x) => !Number.isNaN(x) && x !== 0 && x !== 1);
    if (bad >= 0) throw new InputError(`${what} ${name}: values must be 0 or 1, found ${v.values[bad]}`, src.locate(name, bad));
    return v;
  }
  if (v.levels.length !== 2) throw new UsageError(`${what} ${name}: needs two values, found ${v.levels.length} (${v.levels.join(", ")})`);
  return { kind: "numeric", name, values: Float64Array.from(v.codes, (c) => (c < 0 ? NaN : c)) };
}

/** NaN = R's NA (written "NA"), null = not defined (written empty). */
const cell = (x: number | null, fmt: (x: number) => string) => (x === null ? "" : Number.isNaN(x) ? "NA" : fmt(x));

/** TSV with the columns of STATS_COLUMNS, numbers at full precision. */
export function formatStatsTsv(records: StatsRecord[], fmt: (x: number) => string): string {
  const lines = [STATS_COLUMNS.join("\t")];
  for (const r of records) {
    lines.push(
      [
        r.feature,
        r.stratum,
        r.test,
        r.term,
        String(r.n),
        ...(["estimate", "std_error", "statistic", "df", "df2", "p_value", "q_value"] as const).map((k) => cell(r[k], fmt)),
      ].join("\t"),
    );
  }
  return lines.join("\n") + "\n";
}

/** JSON: { columns, records } with null for both NA and undefined. */
export function formatStatsJson(records: StatsRecord[]): string {
  const clean = records.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" && Number.isNaN(v) ? null : v])),
  );
  return JSON.stringify({ columns: STATS_COLUMNS, records: clean }, null, 1) + "\n";
}

/** Feature × (test, term, stratum) matrix of one statistic. */
export function formatStatsWide(records: StatsRecord[], value: (typeof STATS_COLUMNS)[number], fmt: (x: number) => string): string {
  const colKey = (r: StatsRecord) => `${r.test}:${r.term}` + (r.stratum ? `|${r.stratum}` : "");
  const cols = [...new Set(records.map(colKey))];
  const feats = [...new Set(records.map((r) => r.feature))];
  const at = new Map(records.map((r) => [`${r.feature}\u0000${colKey(r)}`, r[value]]));
  const lines = [["feature", ...cols].join("\t")];
  for (const f of feats) {
    lines.push(
      [
        f,
        ...cols.map((c) => {
          const v = at.get(`${f}\u0000${c}`);
          return v === undefined ? "" : typeof v === "number" ? cell(v, fmt) : v === null ? "" : String(v);
        }),
      ].join("\t"),
    );
  }
  return lines.join("\n") + "\n";
}
