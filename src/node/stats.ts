// Node API of `cellfrac stats`: results and annotation from paths, text or parsed tables.
import { existsSync } from "node:fs";
import { parseTable, type NamedTable } from "../core/compare.js";
import { readTable } from "./compare.js";
import {
  mergeAnnotations,
  parseAnnotation,
  runStats,
  type Annotation,
  type StatsOptions,
  type StatsRecord,
  type StatsTest,
} from "../core/stats/index.js";
import { readAnnotation } from "./commands/stats.js";

/** A file path, table text (anything with a line break) or an already parsed table. */
export type StatsInput<T> = T | string;

const isText = (s: string) => /[\r\n]/.test(s) && !existsSync(s);

/**
 * R's statistics for every feature of a result table (samples × features) against a sample annotation:
 * `stats("cibersort.tsv", "samples.tsv", { kind: "lm", formula: "~ her2score * HR" })`. Returns one
 * record per (feature, stratum, test, term); several annotation tables are merged on their sample ids;
 * warnings go to options.onWarning. Bad input throws InputError.
 */
export function stats(
  results: StatsInput<NamedTable>,
  annotation: StatsInput<Annotation> | StatsInput<Annotation>[],
  test: StatsTest,
  options: StatsOptions = {},
): StatsRecord[] {
  const r = typeof results === "string" ? (isText(results) ? parseTable(results, "results") : readTable(results)) : results;
  const one = (a: StatsInput<Annotation>, i: number) =>
    typeof a === "string" ? (isText(a) ? parseAnnotation(a, `annotation ${i + 1}`) : readAnnotation(a)) : a;
  const anns = (Array.isArray(annotation) ? annotation : [annotation]).map(one);
  return runStats(r, mergeAnnotations(anns, new Set(r.rows), options.idColumn, options.onWarning), test, options);
}
