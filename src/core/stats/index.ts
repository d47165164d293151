// `cellfrac stats`: one model per feature (cell type, score) of a result table against a sample
// annotation, R's numbers for every feature at once. runStats joins the two tables (samples.ts), picks
// the features, splits by --by strata, fits each model (models.ts: complete cases as na.omit, then the
// test) and adjusts p-values across features within each (test, term, stratum).
import type { NamedTable } from "../compare.js";
import { UsageError } from "../errors.js";
import type { Annotation } from "./annotation.js";
import type { NumericVariable } from "./formula.js";
import { prepare } from "./models.js";
import { pAdjust } from "./padjust.js";
import { join, VariableSource } from "./samples.js";
import type { StatsOptions, StatsRecord, StatsTest } from "./types.js";

export { mergeAnnotations, parseAnnotation, type Annotation } from "./annotation.js";
export { ADJUST_METHODS, pAdjust, type AdjustMethod } from "./padjust.js";
export { formatStatsJson, formatStatsTsv, formatStatsWide } from "./output.js";
export { parseStatsArgs, STATS_TESTS, type StatsArgs, type StatsArgValues } from "./args.js";
export { COR_METHODS, STATS_COLUMNS, type CorMethod, type StatsOptions, type StatsRecord, type StatsTest } from "./types.js";

/** Fit statistics of cellfrac / CIBERSORT tables, never features. */
const FIT_COLUMNS = new Set(["P-value", "Correlation", "RMSE", "convergeCode"]);
const isFitColumn = (c: string) => FIT_COLUMNS.has(c) || c.startsWith("Absolute score");

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
    const by = src.factor(options.by);
    strata = by.levels.map((l, k) => ({ name: l, rows: strata[0].rows.filter((i) => by.codes[i] === k) }));
    const noBy = Array.from(by.codes).filter((c) => c < 0).length;
    if (noBy) warn(`--by ${options.by}: ${noBy} sample(s) with a missing value left out`);
  }

  const fitOne = prepare(test, src, features);
  const out: StatsRecord[] = [];
  const messages = new Map<string, number>();
  for (const feature of features) {
    const y = featureValues.get(feature)!;
    const yVar: NumericVariable = { kind: "numeric", name: feature, values: y };
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
