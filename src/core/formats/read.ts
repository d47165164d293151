/**
 * The parser of genes × columns expression tables (mixtures, signatures) from text or bytes: TSV or CSV
 * (optionally gzipped, inflated by the host), GCT, Arrow IPC, Parquet; any line ending, strict number
 * parsing and precise error locations. Files are read by the host (src/node/read.ts, src/browser/parse.ts).
 */
import { rStrtod } from "./rnumber.js";
import { scanTable } from "./scan.js";
import { isArrow, parseArrow } from "./arrow.js";
import { isParquet, parseParquet } from "./parquet.js";
import { gctToTsv, isGct } from "./gct.js";
import { type QuantOptions, readQuantLike } from "./quant.js";
import { InputError, withRole } from "../errors.js";
import { refuseUnreadable } from "./sniff.js";
import { longColumns, longToMatrix, namesNumericSamples, refuseNumericSampleIds } from "./long.js";
import { gunzipSync, host } from "../host.js";
import { isGzip } from "./gzip.js";
import { type Hdf5Options, type Hdf5Read, hdf5NotHere, isHdf5, parseHdf5Bytes } from "./hdf5.js";
import { checkDims, checkLineLengths, inputLimits, overLimit } from "../limits.js";
import { type Matrix, makeMatrix, mergeRowGroups, ROW_COMBINERS, rowGroups, selectRows } from "../matrix.js";

export type DuplicatePolicy = "error" | "first" | "mean" | "max";

export interface ReadOptions {
  /** Shown in error messages as the file (the host's readMatrixFile defaults it to the path). */
  name?: string;
  /** Only changes the wording of messages. */
  what?: "mixture" | "signature";
  /** What to do with repeated gene symbols; default "error". */
  duplicates?: DuplicatePolicy;
  /** Told what was merged when duplicates is first/mean/max. */
  onWarning?: (message: string) => void;
  /**
   * Row selection: only genes for which this returns true (or that are in the set) are stored, e.g. the
   * signature genes for CIBERSORT without quantile normalisation. Errors in skipped rows may go unreported.
   */
  keepRows?: ((gene: string) => boolean) | ReadonlySet<string>;
  /** Long (gene, sample, value) or wide; default "auto": a long table is told by content (long.ts). */
  layout?: "auto" | "wide" | "long";
  /** HDF5 inputs (AnnData, ARCHS4): orientation, gene column, samples (see formats/hdf5.ts). */
  hdf5?: Hdf5Options;
  /** Missing values: "error" (default) or "drop-gene" (read as NaN; src/core/mixtures.ts drops those genes). */
  na?: "error" | "drop-gene";
  /** Quantifier outputs and GEO series matrices (src/core/formats/quant.ts): value column, ID maps, names. */
  quant?: QuantOptions;
}

export function keepFn(k: ReadOptions["keepRows"]): ((gene: string) => boolean) | undefined {
  if (k === undefined) return undefined;
  if (typeof k === "function") return k;
  return (g) => k.has(g);
}

export function parseMatrix(input: string | Uint8Array, opts: ReadOptions = {}): Matrix {
  try {
    return parseTable(input, opts);
  } catch (e) {
    throw roleError(e, opts);
  }
}

/** An error of reading the file, with the file's role named (src/core/errors.ts withRole). */
export function roleError(e: unknown, opts: ReadOptions): unknown {
  return withRole(e, opts.what, opts.what === "signature" ? "cell type" : undefined);
}

function parseTable(input: string | Uint8Array, opts: ReadOptions): Matrix {
  const file = opts.name;
  const words = noun(opts);
  let text: string;
  if (typeof input === "string") {
    if (input.length > inputLimits().maxLineBytes) checkLineLengths(new TextEncoder().encode(input), file);
    const quant = readQuantLike(input, opts);
    if (quant) return mergeDuplicates(quant.matrix, opts.duplicates ?? "error", words, file, opts.onWarning, quant.lines);
    if (isGct(input)) input = gctToTsv(input, file);
    const fast = fastParse(new TextEncoder().encode(input), opts);
    if (fast) return fast;
    text = input;
  } else {
    let bytes = input;
    // Gzip by content, not by name: files get renamed.
    if (isGzip(bytes)) bytes = gunzipBounded(bytes, file);
    if (isHdf5(bytes)) {
      const lib = host().hdf5?.();
      if (!lib) throw hdf5NotHere(file);
      return finishHdf5(parseHdf5Bytes(lib, bytes, file, opts.hdf5 ?? {}, keepFn(opts.keepRows)), opts).matrix;
    }
    if (isArrow(bytes) || isParquet(bytes)) {
      const keep = keepFn(opts.keepRows);
      const m = isArrow(bytes) ? parseArrow(bytes, file, keep) : parseParquet(bytes, file, keep);
      checkColumnNames(m.cols, 2, words, file);
      refuseNumericSampleIds(m.rows, m.cols, file);
      return mergeDuplicates(m, opts.duplicates ?? "error", words, file, opts.onWarning);
    }
    refuseUnreadable(bytes, file);
    checkLineLengths(bytes, file);
    // Quantifier outputs and GEO series matrices look like tables but are not genes × samples as they are.
    const quant = readQuantLike(bytes, opts);
    if (quant) return mergeDuplicates(quant.matrix, opts.duplicates ?? "error", words, file, opts.onWarning, quant.lines);
    if (bytes.length > 4 && bytes[0] === 0x23 && bytes[1] === 0x31 && bytes[2] === 0x2e) {
      const t = new TextDecoder("utf-8").decode(bytes);
      if (isGct(t)) return parseMatrix(gctToTsv(t, file), opts);
    }
    const fast = fastParse(bytes, opts);
    if (fast) return fast;
    text = new TextDecoder("utf-8").decode(bytes);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  // Physical lines; lone CR counts as a line break (classic Mac files).
  const lines = text.split(/\r\n|\r|\n/);
  let end = lines.length;
  while (end > 0 && isBlank(lines[end - 1])) end--;
  if (end === 0) throw new InputError(`empty ${words.file} file`, { file });
  if (end === 1) throw new InputError(`${words.file} file has a header line but no data rows`, { file, line: 1 });

  const lay: TableLayout = { ...tableLayout(lines[0], lines[1], file, words), naDrop: opts.na === "drop-gene" };
  const nrow = end - 1;
  const long = opts.layout !== "wide" && lay.nf === 3 && lay.cols.length === 2 ? parseLong(lines, end, lay, file, opts) : undefined;
  if (long) return long;
  if (opts.layout === "long") {
    throw new InputError(`--layout long: not a long table (three columns: gene, sample and a number column)`, { file, line: 1 });
  }
  checkDims(nrow, lay.cols.length, file);
  const ncol = lay.cols.length;
  const rows = new Array<string>(nrow);
  const data = new Float64Array(nrow * ncol);
  const row = new Float64Array(ncol);
  for (let r = 0; r < nrow; r++) {
    const lineNo = r + 2;
    const raw = lines[r + 1];
    if (isBlank(raw)) throw new InputError(`empty line inside the table`, { file, line: lineNo });
    rows[r] = parseLine(raw, lineNo, lay, file, row, r === 0 ? lay.first : undefined);
    for (let c = 0; c < ncol; c++) data[r + c * nrow] = row[c];
  }

  const m = makeMatrix(rows, lay.cols, data, lay.rowHeader);
  const keep = keepFn(opts.keepRows);
  if (keep) {
    const idx: number[] = [];
    for (let r = 0; r < nrow; r++) if (keep(rows[r])) idx.push(r);
    const sel = selectRows(m, idx);
    return mergeDuplicates(
      sel,
      opts.duplicates ?? "error",
      words,
      file,
      opts.onWarning,
      idx.map((r) => r + 2),
    );
  }
  return mergeDuplicates(m, opts.duplicates ?? "error", words, file, opts.onWarning);
}

/** Whether a three-column text looks like a long table (src/core/formats/long.ts) on its first lines. */
export function mayBeLong(lines: string[], file: string | undefined): boolean {
  try {
    if (lines.length < 2) return false;
    const lay = tableLayout(lines[0], lines[1], file, { file: "matrix", col: "column" });
    if (lay.nf !== 3 || lay.cols.length !== 2) return false;
    const f = lines
      .slice(1)
      .filter((l) => !isBlank(l))
      .map((l) => splitFields(l, lay.delim, 0, file));
    const numeric = [0, 1, 2].map((c) => f.every((x) => NUMBER.test(x[c] ?? "")));
    return numeric.filter(Boolean).length === 1 || namesNumericSamples([lay.rowHeader, ...lay.cols], numeric);
  } catch {
    return false; // not a table the long reader would take; the text reader says what is wrong
  }
}

/**
 * A long table's matrix when the text is one (three columns, one numeric, a sample column that repeats:
 * at least two samples, each on two rows or more on average), else undefined. keepRows applies.
 */
function parseLong(lines: string[], end: number, lay: TableLayout, file: string | undefined, opts: ReadOptions): Matrix | undefined {
  const f: string[][] = [];
  for (let i = 1; i < end; i++) {
    if (isBlank(lines[i])) throw new InputError(`empty line inside the table`, { file, line: i + 1 });
    f.push(splitFields(lines[i], lay.delim, i + 1, file));
  }
  const header = [lay.rowHeader, ...lay.cols];
  const numeric = [0, 1, 2].map((c) => f.every((x) => NUMBER.test(x[c] ?? "")));
  const distinct = [0, 1, 2].map((c) => new Set(f.map((x) => x[c])).size);
  const cols = longColumns(header, numeric, distinct, f.length);
  const forced = opts.layout === "long";
  if (!cols || (!forced && (distinct[cols.sample] < 2 || 2 * distinct[cols.sample] > f.length))) return undefined;
  const values = new Float64Array(f.length);
  f.forEach((x, i) => {
    if (x.length !== 3) throw new InputError(`expected 3 fields, found ${x.length} (long table)`, { file, line: i + 2 });
    values[i] = rStrtod(x[cols.value]);
    if (!Number.isFinite(values[i]))
      badNumber(x[cols.value], { file, line: i + 2, column: cols.value + 1, gene: x[cols.gene], sample: x[cols.sample] });
  });
  const m = longToMatrix(
    f.map((x) => x[cols.gene]),
    f.map((x) => x[cols.sample]),
    values,
    file,
    (i) => i + 2,
    header[cols.gene],
  );
  const keep = keepFn(opts.keepRows);
  return keep
    ? selectRows(
        m,
        m.rows.flatMap((g, r) => (keep(g) ? [r] : [])),
      )
    : m;
}

/** An HDF5 read checked as a table is: sample names, duplicate genes over every gene (policy), kept rows merged. */
export function finishHdf5(r: Hdf5Read, opts: ReadOptions): Omit<Hdf5Read, "layout"> {
  const words = noun(opts);
  const policy = opts.duplicates ?? "error";
  checkColumnNames(r.matrix.cols, 2, words, opts.name);
  mergeDuplicates(makeMatrix(r.genes, [], new Float64Array(0)), policy, words, opts.name, opts.onWarning);
  return { ...r, matrix: mergeDuplicates(r.matrix, policy, words, opts.name, undefined) };
}

/** What the header line and the first data line say about a table (the careful parser's rules). */
export interface TableLayout {
  delim: string;
  /** Fields per line. */
  nf: number;
  rowHeader: string;
  cols: string[];
  /** The first data line's fields. */
  first: string[];
  /** Missing values read as NaN (--na drop-gene) instead of refused. */
  naDrop?: boolean;
}

/** Delimiter, column names and field count from the header and first data line; checks the names. */
export function tableLayout(
  headerLine: string,
  firstLine: string,
  file: string | undefined,
  words: { file: string; col: string },
): TableLayout {
  const name = file?.toLowerCase() ?? "";
  const csvName = name.endsWith(".csv") || name.endsWith(".csv.gz");
  const hasTab = headerLine.includes("\t");
  const hasComma = headerLine.includes(",");
  const delim = hasTab && !(csvName && hasComma) ? "\t" : hasComma || csvName ? "," : "\t";

  const header = splitFields(headerLine, delim, 1, file);
  const first = splitFields(firstLine, delim, 2, file);
  // R's write.table(row.names=TRUE) omits the row-name header cell: then every header field names a column.
  const short = first.length === header.length + 1;
  const nf = short ? first.length : header.length;
  const cols = short ? header : header.slice(1);
  checkCommentHeader(header, file);
  if (cols.length === 0) {
    throw new InputError(`no ${words.col} columns: the header has one field (is the file tab- or comma-separated?)`, { file, line: 1 });
  }
  checkColumnNames(cols, short ? 1 : 2, words, file);
  return { delim, nf, rowHeader: short ? "" : header[0], cols, first };
}

/** A one-field header beginning with "#" is a comment line (featureCounts, GDC STAR-Counts), which TSV has not. */
function checkCommentHeader(header: string[], file: string | undefined): void {
  if (header.length !== 1 || !header[0].startsWith("#")) return;
  const why = `line 1 begins with "#", a comment in the formats that define one, not in TSV/CSV tables`;
  throw new InputError(`${why} (featureCounts and GDC STAR-Counts files begin so): remove such lines, e.g. grep -v '^#' FILE`, {
    file,
    line: 1,
  });
}

/**
 * One non-blank data line by the careful rules: its values go to `out[0..ncol)`, the gene is returned; any
 * problem throws the precise InputError. `fields` are the line's fields when already split.
 */
export function parseLine(
  raw: string,
  lineNo: number,
  lay: TableLayout,
  file: string | undefined,
  out: Float64Array,
  fields?: string[],
): string {
  const f = fields ?? splitFields(raw, lay.delim, lineNo, file);
  const gene = f[0];
  const nf = lay.nf;
  if (f.length !== nf) {
    const hint = f.length === nf + 1 && f[nf] === "" ? " (trailing delimiter?)" : "";
    throw new InputError(`expected ${nf} fields, found ${f.length}${hint}`, { file, line: lineNo, gene: gene || undefined });
  }
  if (gene === "") throw new InputError(`empty gene symbol`, { file, line: lineNo, column: 1 });
  const maxCell = inputLimits().maxCellBytes;
  for (let c = 0; c < nf; c++) {
    // UTF-16 length: ≤ the UTF-8 bytes, ≥ a third of them; the cell limit is only for absurd cells.
    if (f[c].length > maxCell) {
      throw overLimit(`a cell of ${f[c].length} characters`, "maxCellBytes", { file, line: lineNo, column: c + 1 });
    }
  }
  for (let c = 0; c < nf - 1; c++) {
    const tok = f[c + 1];
    out[c] = cellValue(tok, { file, line: lineNo, column: c + 2, gene, sample: lay.cols[c] }, lay.naDrop);
  }
  return gene;
}

/** Whole-file gunzip, stopped at the maxFileBytes limit (or the largest buffer this Node can make). */
export function gunzipBounded(bytes: Uint8Array, file: string | undefined): Uint8Array {
  const max = inputLimits().maxFileBytes;
  try {
    return gunzipSync(bytes, Math.min(max, BUFFER_MAX));
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
      if (max <= BUFFER_MAX) throw overLimit("the decompressed data", "maxFileBytes", { file });
      const why = `the decompressed data exceeds ${BUFFER_MAX} bytes, the most one buffer holds; convert it to plain TSV or Parquet`;
      throw new InputError(why, { file });
    }
    throw new InputError(`corrupt gzip data: ${(e as Error).message}`, { file });
  }
}
const BUFFER_MAX = 2 ** 32 - 1;

/** The byte scanner for well-formed input; null sends the input to the careful parser above. */
function fastParse(bytes: Uint8Array, opts: ReadOptions): Matrix | null {
  const file = opts.name;
  // With keepRows the scanner skips rows it does not keep unread: a long table must not pass as a wide one.
  const head = new TextDecoder("utf-8").decode(bytes.subarray(0, 4096)).split(/\r\n|\r|\n/);
  if (opts.layout === "long" || (opts.layout !== "wide" && mayBeLong(bytes.length > 4096 ? head.slice(0, -1) : head, file))) return null;
  const lower = file?.toLowerCase() ?? "";
  const csvName = lower.endsWith(".csv") || lower.endsWith(".csv.gz");
  const s = scanTable(bytes, csvName, keepFn(opts.keepRows));
  if (!s) return null;
  const words = noun(opts);
  checkCommentHeader(s.header, file);
  const cols = s.short ? s.header : s.header.slice(1);
  checkDims(s.rows.length, cols.length, file);
  checkColumnNames(cols, s.short ? 1 : 2, words, file);
  const m = makeMatrix(s.rows, cols, s.data, s.short ? "" : s.header[0]);
  return mergeDuplicates(m, opts.duplicates ?? "error", words, file, opts.onWarning, s.lines);
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function noun(opts: ReadOptions): { file: string; col: string } {
  if (opts.what === "signature") return { file: "signature", col: "cell-type" };
  if (opts.what === "mixture") return { file: "mixture", col: "sample" };
  return { file: "matrix", col: "column" };
}

export function isBlank(s: string): boolean {
  return s.length === 0 || s.trim().length === 0;
}

const MISSING = /^(?:NA|NaN|N\/A|#N\/A|null|none|-)$/i;

/**
 * One cell's number by the strict rules (rounded as R's read.table); a bad cell throws the precise error at
 * `where`. With `naDrop` a missing value (empty, NA, null, …) is NaN instead.
 */
export function cellValue(tok: string, where: InputError["where"], naDrop = false): number {
  // Number()/parseFloat alone accept "", "0x10", "Infinity", "1abc"; the regex makes it strict. rStrtod
  // then rounds as R's read.table does (not always correctly), so our matrices equal R's bit for bit.
  const v = NUMBER.test(tok) ? rStrtod(tok) : NaN;
  if (Number.isFinite(v)) return v;
  if (naDrop && (tok === "" || MISSING.test(tok))) return NaN;
  return badNumber(tok, where);
}

function badNumber(tok: string, where: InputError["where"]): never {
  if (tok === "") throw new InputError("empty cell (missing values are not allowed; --na drop-gene drops such genes)", where);
  if (MISSING.test(tok)) {
    throw new InputError(`missing value "${tok}" (missing values are not allowed; --na drop-gene drops such genes)`, where);
  }
  if (/^[+-]?inf(?:inity)?$/i.test(tok)) throw new InputError(`infinite value "${tok}" is not allowed`, where);
  if (NUMBER.test(tok)) throw new InputError(`number "${clip(tok)}" is out of the double range`, where);
  throw new InputError(`not a number: "${clip(tok)}"`, where);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Fields of one line, trimmed, surrounding double quotes removed (with "" as an escaped quote). */
function splitFields(line: string, delim: string, lineNo: number, file: string | undefined): string[] {
  if (!line.includes('"')) {
    const f = line.split(delim);
    for (let i = 0; i < f.length; i++) {
      const s = f[i];
      if (s.length > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32)) f[i] = s.trim();
    }
    return f;
  }
  // Quote-aware path (rare): a quoted field may contain the delimiter.
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    let j = i;
    while (j < n && (line[j] === " " || (line[j] === "\t" && delim !== "\t"))) j++;
    let field: string;
    if (line[j] === '"') {
      let s = "";
      let k = j + 1;
      for (;;) {
        const q = line.indexOf('"', k);
        if (q < 0) throw new InputError("unterminated double quote", { file, line: lineNo, column: out.length + 1 });
        s += line.slice(k, q);
        if (line[q + 1] === '"') {
          s += '"';
          k = q + 2;
        } else {
          k = q + 1;
          break;
        }
      }
      const d = line.indexOf(delim, k);
      const rest = (d < 0 ? line.slice(k) : line.slice(k, d)).trim();
      if (rest !== "") throw new InputError(`text after closing quote: "${clip(rest)}"`, { file, line: lineNo, column: out.length + 1 });
      field = s;
      i = d < 0 ? n + 1 : d + 1;
    } else {
      const d = line.indexOf(delim, i);
      field = (d < 0 ? line.slice(i) : line.slice(i, d)).trim();
      i = d < 0 ? n + 1 : d + 1;
    }
    out.push(field);
    if (i > n) return out;
  }
}

export function checkColumnNames(cols: string[], offset: number, words: { col: string }, file: string | undefined): void {
  const seen = new Map<string, number[]>();
  for (let c = 0; c < cols.length; c++) {
    if (cols[c] === "") throw new InputError(`empty ${words.col} name in the header`, { file, line: 1, column: c + offset });
    const at = seen.get(cols[c]);
    if (at) at.push(c + offset);
    else seen.set(cols[c], [c + offset]);
  }
  const dups = [...seen].filter(([, at]) => at.length > 1);
  if (dups.length) {
    const list = dups.map(([n, at]) => `"${n}" (columns ${at.join(", ")})`).join(", ");
    throw new InputError(`duplicate ${words.col} name${dups.length > 1 ? "s" : ""}: ${list}`, { file, line: 1 });
  }
}

/** Apply the duplicate-gene policy. Rows keep the order of their first occurrence; genes are never renamed. */
export function mergeDuplicates(
  m: Matrix,
  policy: DuplicatePolicy,
  words: { file: string },
  file: string | undefined,
  onWarning: ((message: string) => void) | undefined,
  lineOf?: ArrayLike<number>,
): Matrix {
  const groups = rowGroups(m.rows);
  if (!groups) return m;

  const dups = [...groups].filter(([, rs]) => rs.length > 1);
  const extra = dups.reduce((s, [, rs]) => s + rs.length, 0);
  const shown = dups
    .slice(0, 10)
    .map(([g, rs]) => `"${g}" (lines ${rs.map((r) => (lineOf ? lineOf[r] : r + 2)).join(", ")})`)
    .join(", ");
  const more = dups.length > 10 ? `, … (${dups.length} in all)` : "";
  const count = `${dups.length} gene symbol${dups.length > 1 ? "s" : ""} occur${dups.length > 1 ? "" : "s"} more than once`;
  if (policy === "error") {
    throw new InputError(
      `duplicate gene symbols in the ${words.file} file: ${count}: ${shown}${more}; merge them with --duplicates first|mean|max`,
      { file },
    );
  }

  const how = policy === "first" ? "kept the first row of" : policy === "mean" ? "averaged" : "took the elementwise maximum of";
  onWarning?.(`${file ?? words.file}: ${count}; ${how} each (${extra} rows merged into ${dups.length}): ${shown}${more}`);
  return mergeRowGroups(m, groups, ROW_COMBINERS[policy]);
}
