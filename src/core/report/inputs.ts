// The report's inputs, parsed from text: a cellfrac results table (TSV or JSON of any method), a sample
// annotation (TSV, first column the sample name) and stats tables (the `cellfrac stats` TSV format).
// Errors name the file, line, column and sample like every cellfrac reader.
import { InputError } from "../errors.js";
import type { Coverage } from "../methods/types.js";
import type { Composition, Grouping, StatsRow } from "../charts/specs.js";
import { STATS_COLUMNS } from "../stats/types.js";

/** A results table with what the report needs to know about the run. */
export interface ReportResults {
  /** Method id from a JSON result; null for a TSV (which does not record it). */
  method: string | null;
  format: "json" | "tsv";
  /** "Mixture" (deconvolution: fractions) or "sample" (scores). */
  rowHeader: string;
  samples: string[];
  /** Estimate columns (cell types / gene sets) then fit columns (P-value, RMSE, …). */
  columns: string[];
  estimateColumns: number;
  /** samples × columns, column-major. */
  values: Float64Array;
  coverage: Coverage[];
  warnings: string[];
}

/** Result columns that are fit statistics, not estimates (CIBERSORT, NNLS, EPIC). */
const FIT_COLUMNS = /^(P-value|Correlation|RMSE|convergeCode|Absolute score \(.*\))$/;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number cell: decimal, NA/NaN (→ NaN), Inf/-Inf; anything else is an InputError at file:line:column. */
function cellNumber(tok: string, file: string, line: number, column: number): number {
  if (NUMBER.test(tok)) return Number(tok);
  if (tok === "NA" || tok === "NaN" || tok === "") return NaN;
  if (tok === "Inf" || tok === "+Inf") return Infinity;
  if (tok === "-Inf") return -Infinity;
  throw new InputError(`not a number: "${tok}"`, { file, line, column });
}

/** Lines of a TSV without the trailing empty ones; header split on tabs. */
function tsvLines(text: string, file: string): { header: string[]; lines: string[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  if (lines.length === 0) throw new InputError("empty file", { file });
  if (lines.length === 1) throw new InputError("header line but no data rows", { file, line: 1 });
  return { header: lines[0].split("\t"), lines };
}

function fields(line: string, width: number, file: string, lineNo: number): string[] {
  const f = line.split("\t");
  if (f.length !== width) throw new InputError(`${f.length} fields, the header has ${width}`, { file, line: lineNo });
  return f;
}

/** Throws on a repeated name; lineOf gives its line in a TSV (JSON has no useful line). */
function checkUnique(names: string[], what: string, file: string, lineOf: (i: number) => number | undefined = () => undefined): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw new InputError(`${what} "${n}" appears twice`, { file, line: lineOf(i) });
    seen.add(n);
  });
}

/** Parses a results file: JSON as `cellfrac <method> -o x.json` writes it, otherwise the TSV table. */
export function parseResults(text: string, file: string): ReportResults {
  if (/^\s*\{/.test(text)) return parseResultsJson(text, file);
  const { header, lines } = tsvLines(text, file);
  const columns = header.slice(1);
  if (columns.length === 0) throw new InputError("the results table has no value columns", { file, line: 1 });
  const S = lines.length - 1;
  const samples: string[] = [];
  const values = new Float64Array(S * columns.length);
  for (let s = 0; s < S; s++) {
    const f = fields(lines[s + 1], header.length, file, s + 2);
    samples.push(f[0]);
    for (let c = 0; c < columns.length; c++) values[s + c * S] = cellNumber(f[c + 1], file, s + 2, c + 2);
  }
  checkUnique(samples, "sample", file, (i) => i + 2);
  return {
    method: null,
    format: "tsv",
    rowHeader: header[0],
    samples,
    columns,
    estimateColumns: estimateCount(columns),
    values,
    coverage: [],
    warnings: [],
  };
}

function estimateCount(columns: string[]): number {
  let n = columns.length;
  while (n > 0 && FIT_COLUMNS.test(columns[n - 1])) n--;
  return n;
}

const jsonNumber = (x: unknown): number => (typeof x === "number" ? x : NaN);

function parseResultsJson(text: string, file: string): ReportResults {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  const warnings = Array.isArray(doc.warnings) ? doc.warnings.map(String) : [];
  if (Array.isArray(doc.cellTypes) && Array.isArray(doc.samples)) {
    // src/core/cibersort/output.ts toResultsJSON (known by its shape): one object per sample.
    const types = doc.cellTypes.map(String);
    const rows = doc.samples as Record<string, unknown>[];
    const abs = rows.some((r) => "absoluteScore" in r);
    const columns = [...types, "P-value", "Correlation", "RMSE", ...(abs ? [`Absolute score (${doc.absMethod})`] : [])];
    const S = rows.length;
    const values = new Float64Array(S * columns.length);
    rows.forEach((r, s) => {
      const fr = (r.fractions ?? {}) as Record<string, unknown>;
      const row = [...types.map((t) => fr[t]), r.pValue, r.correlation, r.rmse, ...(abs ? [r.absoluteScore] : [])];
      row.forEach((x, c) => (values[s + c * S] = jsonNumber(x)));
    });
    const samples = rows.map((r) => String(r.sample));
    checkUnique(samples, "sample", file);
    const coverage = [
      { name: "signature", found: Number(doc.genesUsed), total: Number(doc.signatureGenes), missing: (doc.missingGenes as string[]) ?? [] },
    ];
    return {
      method: "cibersort",
      format: "json",
      rowHeader: "Mixture",
      samples,
      columns,
      estimateColumns: types.length,
      values,
      coverage,
      warnings,
    };
  }
  if (typeof doc.method === "string" && Array.isArray(doc.columns) && Array.isArray(doc.rows)) {
    // src/core/formats/results.ts methodTableJson: rows of {<rowHeader>: sample, <column>: value}.
    const columns = doc.columns.map(String);
    const rows = doc.rows as Record<string, unknown>[];
    const rowHeader = rows.length ? Object.keys(rows[0])[0] : "sample";
    const S = rows.length;
    const values = new Float64Array(S * columns.length);
    rows.forEach((r, s) => columns.forEach((c, j) => (values[s + j * S] = jsonNumber(r[c]))));
    const samples = rows.map((r) => String(r[rowHeader]));
    checkUnique(samples, "sample", file);
    const coverage = Array.isArray(doc.coverage) ? (doc.coverage as Coverage[]) : [];
    return {
      method: doc.method,
      format: "json",
      rowHeader,
      samples,
      columns,
      estimateColumns: estimateCount(columns),
      values,
      coverage,
      warnings,
    };
  }
  throw new InputError("JSON is not a cellfrac result (expected method with cellTypes/samples or columns/rows)", { file });
}

/** The estimate columns as a Composition. */
export function composition(r: ReportResults): Composition {
  const S = r.samples.length;
  const fractions = r.rowHeader === "Mixture";
  return {
    samples: r.samples,
    cellTypes: r.columns.slice(0, r.estimateColumns),
    values: r.values.subarray(0, S * r.estimateColumns),
    valueTitle: fractions ? "fraction" : "score",
  };
}

/** A sample annotation: column names and each sample's row of strings. */
export interface Annotation {
  file: string;
  columns: string[];
  rows: Map<string, string[]>;
}

export function parseAnnotation(text: string, file: string): Annotation {
  const { header, lines } = tsvLines(text, file);
  const rows = new Map<string, string[]>();
  for (let i = 1; i < lines.length; i++) {
    const f = fields(lines[i], header.length, file, i + 1);
    if (rows.has(f[0])) throw new InputError(`sample "${f[0]}" appears twice`, { file, line: i + 1, sample: f[0] });
    rows.set(f[0], f.slice(1));
  }
  return { file, columns: header.slice(1), rows };
}

const isNA = (v: string | undefined): boolean => v === undefined || v === "" || v === "NA" || v === "NaN";

function columnIndex(a: Annotation, col: string, option: string): number {
  const j = a.columns.indexOf(col);
  if (j < 0) throw new InputError(`${option} ${col}: no such column (columns: ${a.columns.join(", ")})`, { file: a.file, line: 1 });
  return j;
}

/** Levels in numeric order when all are numbers, otherwise in code-point order (never locale-dependent). */
function sortLevels(levels: string[]): string[] {
  if (levels.every((l) => NUMBER.test(l))) return levels.sort((a, b) => Number(a) - Number(b));
  return levels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The samples' levels of one annotation column (missing sample or NA → null). */
export function grouping(a: Annotation, col: string, samples: string[], option = "--group-by"): Grouping {
  const j = columnIndex(a, col, option);
  const of = samples.map((s) => {
    const v = a.rows.get(s)?.[j];
    return isNA(v) ? null : v!;
  });
  return { name: col, levels: sortLevels([...new Set(of.filter((v): v is string => v !== null))]), of };
}

/** The samples' values of one numeric annotation column (missing sample or NA → NaN). */
export function numericColumn(a: Annotation, col: string, samples: string[], option = "--score"): number[] {
  const j = columnIndex(a, col, option);
  const lineOf = new Map([...a.rows.keys()].map((s, i) => [s, i + 2]));
  return samples.map((s) => {
    const v = a.rows.get(s)?.[j];
    if (isNA(v)) return NaN;
    if (!NUMBER.test(v!))
      throw new InputError(`${option} ${col}: not a number: "${v}"`, { file: a.file, line: lineOf.get(s), column: j + 2, sample: s });
    return Number(v);
  });
}

/** The columns of a stats table, in order: those `cellfrac stats` writes. */
export { STATS_COLUMNS };
export const STATS_TESTS = ["lm", "anova", "wilcoxon", "kruskal", "spearman", "pearson", "kendall", "logistic", "cox", "cox_lr"];

export function parseStats(text: string, file: string): StatsRow[] {
  const { header, lines } = tsvLines(text, file);
  const idx = STATS_COLUMNS.map((c) => {
    const j = header.indexOf(c);
    if (j < 0) throw new InputError(`stats table has no column "${c}" (expected ${STATS_COLUMNS.join(", ")})`, { file, line: 1 });
    return j;
  });
  const rows: StatsRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = fields(lines[i], header.length, file, i + 1);
    const get = (k: number) => f[idx[k]];
    const num = (k: number) => cellNumber(get(k), file, i + 1, idx[k] + 1);
    const test = get(2);
    if (!STATS_TESTS.includes(test))
      throw new InputError(`unknown test "${test}" (one of ${STATS_TESTS.join(", ")})`, { file, line: i + 1, column: idx[2] + 1 });
    const row: StatsRow = {
      feature: get(0),
      stratum: get(1),
      test,
      term: get(3),
      n: num(4),
      estimate: num(5),
      std_error: num(6),
      statistic: num(7),
      df: num(8),
      df2: num(9),
      p_value: num(10),
      q_value: num(11),
    };
    if (test === "lm" && !(Number.isInteger(row.df) && row.df >= 1) && Number.isFinite(row.std_error)) {
      throw new InputError(`lm row needs a positive integer df (residual degrees of freedom), got "${get(8)}"`, {
        file,
        line: i + 1,
        column: idx[8] + 1,
      });
    }
    rows.push(row);
  }
  return rows;
}
