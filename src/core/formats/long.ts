/**
 * Long ("tidy") tables: one row per (gene, sample, value), the three columns in any order, as written by
 * R's pivot_longer / melt, pandas' melt or DuckDB's UNPIVOT. Told by content: three columns of which exactly
 * one holds numbers; of the two text columns the gene column is the one whose header says so (gene, symbol,
 * feature, id), else the one with more distinct values. Turned into the genes × samples matrix the wide
 * file would give: genes and samples in order of first appearance, every pair exactly once.
 */
import { InputError } from "../errors.js";
import { checkDims } from "../limits.js";
import { type Matrix, makeMatrix } from "../matrix.js";

/** Which column holds what (0-based). */
export interface LongColumns {
  gene: number;
  sample: number;
  value: number;
}

const GENE_HEADER = /gene|symbol|feature|ensembl|^id$|hgnc/i;
const SAMPLE_HEADER = /sample|mixture|specimen|patient|donor|^run$|gsm/i;

/**
 * The long layout of a three-column table, or undefined. `numeric[c]`: every examined value of column c is a
 * number; `distinct[c]`: how many different values it has among those rows.
 */
export function longColumns(
  header: readonly string[],
  numeric: readonly boolean[],
  distinct: readonly number[],
  rows?: number,
): LongColumns | undefined {
  if (header.length === 3 && numeric.filter(Boolean).length === 2 && rows !== undefined)
    return numericSamples(header, numeric, distinct, rows);
  if (header.length !== 3 || numeric.filter(Boolean).length !== 1) return undefined;
  const value = numeric.indexOf(true);
  const [a, b] = [0, 1, 2].filter((c) => c !== value);
  const named = (re: RegExp) => [a, b].filter((c) => re.test(header[c]));
  const g = named(GENE_HEADER);
  const s = named(SAMPLE_HEADER);
  let gene: number;
  if (g.length === 1) gene = g[0];
  else if (s.length === 1) gene = s[0] === a ? b : a;
  else gene = distinct[a] >= distinct[b] ? a : b;
  return { gene, sample: gene === a ? b : a, value };
}

/**
 * Sample IDs that are numbers (1, 2, …): read wide, such a table gave two "samples", the IDs and the values
 * (merged into nonsense by --duplicates mean). Long only when the header names the sample column and every
 * (gene, sample) pair occurs once: rows = genes × samples, which no wide table of unique genes meets.
 */
function numericSamples(header: readonly string[], numeric: readonly boolean[], distinct: readonly number[], rows: number) {
  const gene = numeric.indexOf(false);
  const named = [0, 1, 2].filter((c) => c !== gene && SAMPLE_HEADER.test(header[c]));
  if (named.length !== 1 || distinct[gene] * distinct[named[0]] !== rows) return undefined;
  return { gene, sample: named[0], value: 3 - gene - named[0] };
}

/** Whether a three-column table with two number columns names one of them as the sample column (numericSamples). */
export function namesNumericSamples(header: readonly string[], numeric: readonly boolean[]): boolean {
  return numeric.filter(Boolean).length === 2 && [0, 1, 2].some((c) => numeric[c] && SAMPLE_HEADER.test(header[c] ?? ""));
}

/**
 * Refuse an Arrow or Parquet table read wide that is a long table with numbers for sample IDs: two number
 * columns, one named as the sample column, and every gene on two rows or more on average (as its samples).
 * Read wide it would be two "samples" (the IDs and the values), merged into nonsense by --duplicates.
 * `genes`: the gene of every row.
 */
export function refuseNumericSampleIds(genes: readonly string[], cols: readonly string[], file: string | undefined): void {
  const named = cols.filter((c) => SAMPLE_HEADER.test(c));
  if (cols.length !== 2 || named.length !== 1 || genes.length < 2 * new Set(genes).size) return;
  throw new InputError(
    `a long table whose sample IDs are numbers (column "${named[0]}"): cellfrac reads long Arrow and Parquet tables ` +
      `with the sample IDs as strings; write that column as text, or the table as TSV (read as a long table)`,
    { file },
  );
}

/**
 * The matrix of a long table. `line(i)` is the file line of entry i, for messages; `values` are checked
 * already (finite numbers).
 */
export function longToMatrix(
  genes: readonly string[],
  samples: readonly string[],
  values: ArrayLike<number>,
  file: string | undefined,
  line: (i: number) => number,
  rowHeader = "",
): Matrix {
  const gi = new Map<string, number>();
  const si = new Map<string, number>();
  const n = genes.length;
  for (let i = 0; i < n; i++) {
    if (genes[i] === "") throw new InputError(`empty gene symbol (long table)`, { file, line: line(i) });
    if (samples[i] === "") throw new InputError(`empty sample name (long table)`, { file, line: line(i), gene: genes[i] });
    if (!gi.has(genes[i])) gi.set(genes[i], gi.size);
    if (!si.has(samples[i])) si.set(samples[i], si.size);
  }
  const nr = gi.size;
  const nc = si.size;
  checkDims(nr, nc, file);
  const data = new Float64Array(nr * nc);
  const at = new Int32Array(nr * nc).fill(-1);
  for (let i = 0; i < n; i++) {
    const k = gi.get(genes[i])! + si.get(samples[i])! * nr;
    if (at[k] >= 0) {
      throw new InputError(
        `gene "${genes[i]}" and sample "${samples[i]}" occur twice (lines ${line(at[k])} and ${line(i)}) in a long table`,
        { file },
      );
    }
    at[k] = i;
    data[k] = values[i];
  }
  const gs = [...gi.keys()];
  const ss = [...si.keys()];
  for (let k = 0; k < at.length; k++) {
    if (at[k] < 0) {
      const miss = at.reduce((m, x) => m + (x < 0 ? 1 : 0), 0);
      const what = `gene "${gs[k % nr]}" has no value for sample "${ss[Math.floor(k / nr)]}"`;
      throw new InputError(`long table with missing pairs: ${what} (${miss} of ${nr} × ${nc} pairs missing)`, { file });
    }
  }
  return makeMatrix(gs, ss, data, rowHeader);
}
