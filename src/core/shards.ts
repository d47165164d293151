// Sharded runs (docs/scale.md, "Sharding"): a run on some of a mixture's samples writes a *part*, and
// `merge` puts the parts back in the mixture's order, as the table one run on every sample writes. Parts are
// JSON: doubles round-trip exactly through JSON's shortest decimal form, so the merged bytes are the one
// run's bytes. Per-sample methods need nothing else; CIBERSORT's parts come from one plan (cibersort/plan.ts)
// and ssGSEA's range normalisation happens in the merge.
import { InputError } from "./errors.js";
import { makeMatrix } from "./matrix.js";
import type { Coverage, MethodTable } from "./methods/types.js";

export const PART_FORMAT = "cellfrac-part";
export const PART_VERSION = 1;

/** JSON has no NaN or ±Infinity: they travel as strings. */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";

export function encodeNumbers(a: ArrayLike<number>): JsonNumber[] {
  return Array.from(a, (x) => (Number.isFinite(x) ? x : (String(x) as JsonNumber)));
}

export function decodeNumbers(a: readonly JsonNumber[]): Float64Array {
  return Float64Array.from(a, (x) => (typeof x === "number" ? x : Number(x)));
}

/** The CIBERSORT part of a part file: what the one run's JSON output needs beyond the table. */
export interface CibersortPartData {
  /** The plan's cohort-wide facts every part repeats (the merge checks they agree). */
  cohort: {
    warnings: string[];
    antilog: boolean;
    yMedian: JsonNumber;
    genes: string[];
    signatureCoverage: { used: number; total: number; missing: string[] };
    nullDistribution: JsonNumber[];
  };
  /** Per sample of the part: chosen ν, solver iterations (samples × ν row-major), warnings naming it. */
  nu: JsonNumber[];
  iterations: number[];
  warnings: string[];
}

export interface PartFile {
  format: typeof PART_FORMAT;
  version: number;
  method: string;
  /** What every part of one run shares: the plan's id (CIBERSORT) or a hash of the mixture and options. */
  run: string;
  /** Samples in the whole mixture. */
  samples: number;
  /** The part's samples: 0-based mixture columns, ascending. */
  columns: number[];
  table: {
    rowHeader: string;
    cols: string[];
    estimateColumns: number;
    rows: string[];
    /** samples × cols, column-major. */
    data: JsonNumber[];
    coverage: Coverage[];
    warnings: string[];
    /** Genes matched under another name (MethodTable.renamed). */
    renamed?: MethodTable["renamed"];
  };
  /** ssGSEA: the merge divides every score by the range of the whole score matrix. */
  normalize?: boolean;
  cibersort?: CibersortPartData;
}

/** A part file's content for `table` (the rows of `columns`). */
export function makePart(
  method: string,
  run: string,
  samples: number,
  columns: readonly number[],
  t: MethodTable,
  extra: Pick<PartFile, "normalize" | "cibersort"> = {},
): PartFile {
  return {
    format: PART_FORMAT,
    version: PART_VERSION,
    method,
    run,
    samples,
    columns: [...columns],
    table: {
      rowHeader: t.rowHeader,
      cols: t.values.cols,
      estimateColumns: t.estimateColumns,
      rows: t.values.rows,
      data: encodeNumbers(t.values.data),
      coverage: t.coverage,
      warnings: t.warnings,
      ...(t.renamed && { renamed: t.renamed }),
    },
    ...extra,
  };
}

/**
 * The part of a shard without samples (more shards than samples, a range past the end): it names its run
 * and nothing else; the merge checks its run and takes the table's columns from the other parts.
 */
export function emptyPart(method: string, run: string, samples: number, extra: Pick<PartFile, "normalize"> = {}): PartFile {
  const table = { rowHeader: "", cols: [], estimateColumns: 0, rows: [], data: [], coverage: [], warnings: [] };
  return { format: PART_FORMAT, version: PART_VERSION, method, run, samples, columns: [], table, ...extra };
}

/** Parse and check a part file's text (InputError naming `file`). */
export function parsePart(text: string, file: string): PartFile {
  let p: PartFile;
  try {
    p = JSON.parse(text) as PartFile;
  } catch {
    throw new InputError("not a cellfrac part file (not JSON); parts are written by a run with --sample-range or --sample-list", { file });
  }
  if (p?.format !== PART_FORMAT)
    throw new InputError("not a cellfrac part file (written by a run with --sample-range or --sample-list)", { file });
  if (p.version !== PART_VERSION)
    throw new InputError(`part format version ${p.version}; this cellfrac reads version ${PART_VERSION}`, { file });
  const t = p.table;
  if (!Array.isArray(p.columns) || !t || t.rows?.length !== p.columns.length || t.data?.length !== t.rows.length * t.cols.length) {
    throw new InputError("damaged part file: its sample columns, names and values do not agree", { file });
  }
  return p;
}

/** "sample 3 ("S3")" or a range "samples 7 to 9". */
function samplesNamed(from: number, to: number): string {
  return from === to ? `sample ${from + 1}` : `samples ${from + 1} to ${to + 1}`;
}

/**
 * Parts of one run in the mixture's order, checked: one method and run, every sample exactly once.
 * Returns the table of all samples and, per sample, which part and row holds it.
 */
export function mergeTables(
  parts: readonly { file: string; part: PartFile }[],
  /** The method's shards share a plan (registry ShardSpec.plan): the run id is the plan's. */
  planned = false,
): {
  table: MethodTable;
  where: { part: number; row: number }[];
} {
  if (parts.length === 0) throw new InputError("no part files given");
  // The columns come from a part with samples (an empty shard's part has none); if every part is empty,
  // the coverage check below refuses them.
  const first = parts.find(({ part }) => part.columns.length > 0) ?? parts[0];
  for (const { file, part } of parts) {
    if (part === first.part) continue;
    if (part.method !== first.part.method)
      throw new InputError(`a ${part.method} part; ${first.file} is a ${first.part.method} part`, { file });
    if (part.run !== first.part.run || part.samples !== first.part.samples) {
      throw new InputError(
        `this part comes from another ${planned ? "plan" : "run (mixture or options)"} than ${first.file} ` +
          `(${part.run.slice(0, 12)} ≠ ${first.part.run.slice(0, 12)})`,
        { file },
      );
    }
    if (part.columns.length === 0) continue;
    const a = part.table;
    const b = first.part.table;
    if (a.cols.join("\t") !== b.cols.join("\t") || a.rowHeader !== b.rowHeader) {
      throw new InputError(`its columns differ from ${first.file}'s`, { file });
    }
  }
  const S = first.part.samples;
  const where: ({ part: number; row: number } | undefined)[] = new Array(S).fill(undefined);
  parts.forEach(({ file, part }, pi) => {
    part.columns.forEach((c, row) => {
      if (!Number.isInteger(c) || c < 0 || c >= S)
        throw new InputError(`sample column ${c + 1} is outside the mixture's ${S} samples`, { file });
      const had = where[c];
      if (had) {
        throw new InputError(`sample ${c + 1} ("${part.table.rows[row]}") is in two parts: ${parts[had.part].file} and ${file}`, { file });
      }
      where[c] = { part: pi, row };
    });
  });
  const missing: string[] = [];
  for (let c = 0; c < S; c++) {
    if (where[c]) continue;
    let e = c;
    while (e + 1 < S && !where[e + 1]) e++;
    missing.push(samplesNamed(c, e));
    c = e;
  }
  if (missing.length) {
    const shown = missing.slice(0, 5).join(", ") + (missing.length > 5 ? `, … (${missing.length} gaps)` : "");
    throw new InputError(`the parts do not cover every sample of the mixture (${S}): ${shown} missing`);
  }
  const t0 = first.part.table;
  const C = t0.cols.length;
  const data = new Float64Array(S * C);
  const rows: string[] = [];
  const decoded = parts.map(({ part }) => decodeNumbers(part.table.data));
  // Each warning once, in the order of the parts' first samples.
  const ordered = [...parts].sort((a, b) => (a.part.columns[0] ?? 0) - (b.part.columns[0] ?? 0));
  const warnings = [...new Set(ordered.flatMap(({ part }) => part.table.warnings))];
  where.forEach((w, s) => {
    const { part, row } = w!;
    const p = parts[part].part;
    const n = p.columns.length;
    rows.push(p.table.rows[row]);
    for (let c = 0; c < C; c++) data[s + c * S] = decoded[part][row + c * n];
  });
  return {
    table: {
      method: first.part.method,
      rowHeader: t0.rowHeader,
      values: makeMatrix(rows, [...t0.cols], data, t0.rowHeader),
      estimateColumns: t0.estimateColumns,
      coverage: t0.coverage,
      warnings,
      ...(t0.renamed && { renamed: t0.renamed }),
    },
    where: where as { part: number; row: number }[],
  };
}

/**
 * Which mixture columns a shard runs: "A-B" (1-based, inclusive) or a list of sample names (one a line).
 * Columns come back ascending; a name twice or not in the mixture is an InputError naming the list's line.
 */
export function selectSamples(samples: readonly string[], sel: { range?: string; list?: { text: string; file: string } }): number[] {
  const S = samples.length;
  if (sel.range !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(sel.range.trim());
    if (!m) throw new InputError(`--sample-range "${sel.range}": expected A-B (1-based, inclusive), e.g. 1-250`);
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a < 1 || b < a) throw new InputError(`--sample-range ${sel.range}: need 1 ≤ A ≤ B`);
    // B past the end is allowed (the last shard of an even split): the range is cut at the mixture's end; a
    // range wholly past it is an empty shard (a workflow's fixed-size ranges need not know the sample count).
    const out: number[] = [];
    for (let c = a - 1; c < Math.min(b, S); c++) out.push(c);
    return out;
  }
  const { text, file } = sel.list!;
  const index = new Map<string, number>();
  samples.forEach((s, i) => index.has(s) || index.set(s, i));
  const picked = new Map<number, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const name = raw.trim();
    if (name === "" || name.startsWith("#")) return;
    const c = index.get(name);
    if (c === undefined) throw new InputError(`sample "${name}" is not in the mixture`, { file, line: i + 1 });
    if (picked.has(c)) throw new InputError(`sample "${name}" is listed twice (first on line ${picked.get(c)})`, { file, line: i + 1 });
    picked.set(c, i + 1);
  });
  if (picked.size === 0) throw new InputError("the sample list names no sample", { file });
  return [...picked.keys()].sort((x, y) => x - y);
}
