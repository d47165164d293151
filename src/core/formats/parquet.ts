/**
 * Parquet mixtures and signatures, decoded by hyparquet (footer, pages, every encoding) with
 * hyparquet-compressors (SNAPPY, GZIP, ZSTD, BROTLI, LZ4, LZ4_RAW). Pure (no `node:` imports): runs in a web
 * worker. What is ours is the table's meaning: the gene column is found by type (the one string column, or
 * the index column pandas names in its metadata, wherever it stands), every other column is one sample
 * (DOUBLE, FLOAT, INT32 or INT64, read as double), and each cell is checked as the text reader checks it.
 *
 * The file is read one column chunk at a time, by its byte range (decodeChunk): the whole-file reader here
 * slices the chunks out of the bytes it holds, the Node streaming reader (src/node/stream-columnar.ts) reads
 * each range from the file; both decode the same ranges the same way, so they agree on data and errors.
 */
// hyparquet comes from the host (core/host.ts parquetLibrary), loaded when Parquet is first read: a TSV run
// never loads it.
import type { FileMetaData, SchemaElement, SchemaTree } from "hyparquet";
import type { ColumnDecoder, CompressionCodec, Compressors, DecodedArray } from "hyparquet/src/types.js";
import { InputError } from "../errors.js";
import { parquetLibrary } from "../host.js";
import { checkDims, inputLimits, overLimit } from "../limits.js";
import { type Matrix, makeMatrix, selectRows } from "../matrix.js";
import { longColumns, longToMatrix } from "./long.js";
import { checkAnnotationColumns } from "./quant.js";

export { formatParquet } from "./parquet-write.js";

/** "PAR1" (or "PARE", the encrypted-footer variant, which is recognised only to be refused clearly). */
export function isParquet(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x41 && b[2] === 0x52 && (b[3] === 0x31 || b[3] === 0x45);
}

function unsupported(file: string | undefined, what: string): never {
  throw new InputError(`Parquet ${what} is not supported; convert the file to TSV or Arrow`, { file });
}

/** hyparquet's errors (and out-of-range reads on a corrupt file) as an InputError naming the file. */
export function guard<T>(file: string | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) throw e;
    if (e instanceof Error) throw new InputError(`corrupt Parquet data: ${e.message.replace(/^parquet /, "")}`, { file });
    throw e;
  }
}

/** A Parquet file as a gene × sample table: which column is what, and where each chunk lies. */
export interface ParquetTable {
  meta: FileMetaData;
  /** The top-level columns (leaves: nested columns are refused). */
  leaves: SchemaTree[];
  /** The gene column; -1: a long table (two string columns and a number column, see long.ts). */
  geneAt: number;
  samples: number[];
  rowHeader: string;
  numRows: number;
  /** Rows of each row group. */
  groupRows: number[];
  /** Where the footer starts: no chunk may reach into it. */
  footerStart: number;
}

/** The footer of a whole file held in memory, or of its tail read by a host (`size`: the file's length). */
export function readFooter(bytes: Uint8Array, file: string | undefined): FileMetaData {
  if (bytes.length >= 4 && bytes[3] === 0x45) unsupported(file, "encryption (a PARE file)");
  return guard(file, () => parquetLibrary().parquetMetadata(bytes));
}

const NUMERIC = new Set(["INT32", "INT64", "FLOAT", "DOUBLE"]);
/** Annotations that make a number something else (a date, a time, a decimal) or a string not text. */
const isText = (e: SchemaElement) => e.type === "BYTE_ARRAY" && !["JSON", "BSON", "ENUM"].includes(e.converted_type ?? "");
const isNumber = (e: SchemaElement) =>
  e.type !== undefined &&
  NUMERIC.has(e.type) &&
  (e.converted_type === undefined || /^U?INT_/.test(e.converted_type)) &&
  (e.logical_type === undefined || e.logical_type.type === "INTEGER");

/** The table's columns, checked: a gene column, sample columns, known codecs and sizes within the file. */
export function parquetTable(meta: FileMetaData, size: number, file: string | undefined): ParquetTable {
  return guard(file, () => {
    const leaves = parquetLibrary().parquetSchema(meta).children;
    for (const l of leaves) {
      if (l.children.length > 0 || l.element.num_children !== undefined) unsupported(file, `nested column "${l.element.name}"`);
      if (l.element.repetition_type === "REPEATED") unsupported(file, `repeated column "${l.element.name}"`);
    }
    if (leaves.length < 2) throw new InputError(`Parquet table needs a gene column and at least one sample column`, { file });
    const numRows = Number(meta.num_rows);
    checkDims(numRows, leaves.length - 1, file);
    const names = leaves.map((l) => l.element.name);
    const texts = leaves.flatMap((l, i) => (isText(l.element) ? [i] : []));
    const pandas = texts.find((i) => names[i] === pandasIndex(meta));
    const describe = (i: number) => `"${names[i]}" ${typeName(leaves[i].element)}`;
    let geneAt: number;
    if (pandas !== undefined) geneAt = pandas;
    else if (texts.length === 1) geneAt = texts[0];
    else if (texts.length === 0) {
      throw new InputError(
        `no column holds gene symbols (strings): the columns are ${leaves
          .slice(0, 6)
          .map((_, i) => describe(i))
          .join(", ")}`,
        { file },
      );
    } else if (leaves.length === 3 && texts.length === 2 && isNumber(leaves[3 - texts[0] - texts[1]].element)) {
      geneAt = -1; // a long table: decided in parseParquet, on the values
    } else {
      const list = texts
        .slice(0, 6)
        .map((i) => `"${names[i]}"`)
        .join(", ");
      throw new InputError(`${texts.length} columns hold strings (${list}): one, the gene symbols, may; drop the others`, { file });
    }
    const samples = leaves.map((_, i) => i).filter((i) => i !== geneAt && !(geneAt < 0 && texts.includes(i)));
    const sampleNames = names.map((n, i) => (samples.includes(i) ? n : undefined));
    checkAnnotationColumns(sampleNames, file); // located as the header of a text table: line 1
    for (const i of samples) {
      if (!isNumber(leaves[i].element))
        unsupported(file, `${typeName(leaves[i].element)} sample column "${names[i]}" (numbers must be DOUBLE, FLOAT, INT32 or INT64)`);
    }
    const footerStart = size - 8 - meta.metadata_length;
    const groupRows = meta.row_groups.map((g) => Number(g.num_rows));
    if (groupRows.reduce((s, n) => s + n, 0) !== numRows)
      throw new InputError(`corrupt Parquet data: row groups and footer disagree on the row count`, { file });
    meta.row_groups.forEach((g, gi) => {
      if (g.columns.length !== leaves.length)
        throw new InputError(`corrupt Parquet data: row group ${gi + 1} has ${g.columns.length} columns, the schema ${leaves.length}`, {
          file,
        });
      g.columns.forEach((ch, c) => {
        const md = ch.meta_data;
        if (ch.file_path) unsupported(file, `column chunk in another file (column "${names[c]}")`);
        if (!md) unsupported(file, `column chunk without plain metadata (encrypted column "${names[c]}"?)`);
        if (!CODECS.includes(md.codec)) unsupported(file, `${md.codec} compression (column "${names[c]}")`);
        if (Number(md.num_values) !== groupRows[gi])
          throw new InputError(
            `corrupt Parquet data: column "${names[c]}" has ${md.num_values} values in a row group of ${groupRows[gi]} rows`,
            { file },
          );
        const [start, end] = chunkRange(meta, gi, c);
        if (!(start >= 4 && end <= footerStart && start < end))
          throw new InputError(`corrupt Parquet data: column "${names[c]}" lies outside the data`, { file });
      });
    });
    // pandas names an unnamed index "__index_level_0__": no header text then, as R's row names.
    const header = names[geneAt] ?? "";
    return {
      meta,
      leaves,
      geneAt,
      samples,
      rowHeader: /^__index_level_\d+__$/.test(header) ? "" : header,
      numRows,
      groupRows,
      footerStart,
    };
  });
}

function typeName(e: SchemaElement): string {
  const ann = e.logical_type?.type ?? e.converted_type;
  return ann && ann !== "INTEGER" && ann !== "STRING" && ann !== "UTF8" ? `${e.type} (${ann})` : `${e.type}`;
}

/** pandas writes the DataFrame index (genes, when they are the row names) as an extra, usually last, column. */
function pandasIndex(meta: FileMetaData): string | undefined {
  const kv = meta.key_value_metadata?.find((e) => e.key === "pandas");
  if (!kv?.value) return undefined;
  try {
    const idx = (JSON.parse(kv.value) as { index_columns?: unknown }).index_columns;
    return Array.isArray(idx) && idx.length === 1 && typeof idx[0] === "string" ? idx[0] : undefined;
  } catch {
    return undefined; // not JSON: not pandas' metadata after all
  }
}

/** Bytes [start, end) of column c's chunk in row group g (dictionary page first, as hyparquet reads it). */
export function chunkRange(meta: FileMetaData, g: number, c: number): [number, number] {
  const md = meta.row_groups[g].columns[c].meta_data!;
  const data = Number(md.data_page_offset);
  const dict = md.dictionary_page_offset === undefined ? undefined : Number(md.dictionary_page_offset);
  const start = dict !== undefined && dict > 0 && dict < data ? dict : data;
  return [start, start + Number(md.total_compressed_size)];
}

/** The codecs read (hyparquet-compressors); others (LZO) are refused by name. */
const CODECS: readonly string[] = ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI", "LZ4", "LZ4_RAW"];
/**
 * Page decompressors. Each output is bounded by the page's declared size, itself under maxFileBytes, so a
 * lying header cannot make a reader allocate without limit.
 */
function boundedCodecs(file: string | undefined): Compressors {
  const { compressors } = parquetLibrary();
  const codecs: Compressors = {
    UNCOMPRESSED: (b) => b,
    SNAPPY: compressors.SNAPPY!,
    GZIP: compressors.GZIP!,
    ZSTD: compressors.ZSTD!,
    BROTLI: compressors.BROTLI!,
    LZ4: compressors.LZ4!,
    LZ4_RAW: compressors.LZ4_RAW!,
  };
  const out: Compressors = {};
  for (const [k, f] of Object.entries(codecs) as [CompressionCodec, NonNullable<Compressors[CompressionCodec]>][]) {
    out[k] = (input, size) => {
      if (size > inputLimits().maxFileBytes) throw overLimit(`a Parquet page of ${size} bytes`, "maxFileBytes", { file });
      const b = f(input, size);
      if (b.length !== size) throw new Error(`${k} page inflates to ${b.length} bytes, its header says ${size}`);
      return b;
    };
  }
  return out;
}

/** One column chunk, decoded: gene symbols (null: missing) or doubles with null flags (1: missing). */
export interface Decoded {
  strings?: (string | null)[];
  numbers?: Float64Array;
  nulls?: Uint8Array;
}

/** Column c of row group g from `bytes`, which hold the file from byte `at` on and cover the chunk's range. */
export function decodeChunk(bytes: Uint8Array, t: ParquetTable, g: number, c: number, file: string | undefined, at = 0): Decoded {
  return guard(file, () => {
    const [start, end] = chunkRange(t.meta, g, c);
    if (start - at < 0 || end - at > bytes.length) throw new RangeError(`column chunk ${start}..${end} is not in the bytes read`);
    const leaf = t.leaves[c];
    const md = t.meta.row_groups[g].columns[c].meta_data!;
    const decoder: ColumnDecoder = {
      pathInSchema: md.path_in_schema,
      type: md.type,
      element: leaf.element,
      schemaPath: [{ children: t.leaves, count: t.leaves.length, element: t.meta.schema[0], path: [] }, leaf],
      codec: md.codec,
      parsers: parquetLibrary().DEFAULT_PARSERS,
      compressors: boundedCodecs(file),
      utf8: true,
    };
    const rows = t.groupRows[g];
    // hyparquet slices pages from the view's whole buffer: give it the chunk alone, so that a corrupt page size
    // fails the same way whether the chunk was read alone (streaming) or sliced from the whole file.
    const own = at === start && bytes.byteOffset === 0 && bytes.buffer.byteLength === end - start;
    const chunk = own ? bytes : new Uint8Array(bytes.subarray(start - at, end - at)); // a copy (Buffer.slice is a view)
    const reader = { view: new DataView(chunk.buffer, 0, chunk.length), offset: 0 };
    const { data } = parquetLibrary().readColumn(reader, { groupStart: 0, selectStart: 0, selectEnd: rows, groupRows: rows }, decoder);
    const n = data.reduce((s, d) => s + d.length, 0);
    if (n !== rows) throw new Error(`column "${leaf.element.name}" holds ${n} values in a row group of ${rows} rows`);
    return isText(leaf.element) ? { strings: strings(data) } : numbers(data, rows);
  });
}

function strings(parts: DecodedArray[]): (string | null)[] {
  const out: (string | null)[] = [];
  for (const p of parts) for (const v of p as unknown[]) out.push(typeof v === "string" ? v : null);
  return out;
}

function numbers(parts: DecodedArray[], n: number): Decoded {
  const x = new Float64Array(n);
  let nulls: Uint8Array | undefined;
  let i = 0;
  for (const p of parts) {
    if (p instanceof Float64Array || p instanceof Float32Array || p instanceof Int32Array || p instanceof Uint32Array) {
      x.set(p, i);
      i += p.length;
      continue;
    }
    for (const v of p as unknown[]) {
      if (typeof v === "number") x[i] = v;
      else if (typeof v === "bigint") x[i] = Number(v);
      else {
        nulls ??= new Uint8Array(n);
        nulls[i] = 1;
        x[i] = NaN;
      }
      i++;
    }
  }
  return { numbers: x, nulls };
}

/** Column c over all row groups. */
function readWholeColumn(bytes: Uint8Array, t: ParquetTable, c: number, file: string | undefined): Decoded {
  const parts = t.groupRows.map((_, g) => decodeChunk(bytes, t, g, c, file));
  if (parts.length === 1) return parts[0];
  if (parts[0].strings) return { strings: parts.flatMap((p) => p.strings!) };
  const out: Decoded = { numbers: new Float64Array(t.numRows) };
  let at = 0;
  for (const p of parts) {
    out.numbers!.set(p.numbers!, at);
    if (p.nulls) (out.nulls ??= new Uint8Array(t.numRows)).set(p.nulls, at);
    at += p.numbers!.length;
  }
  return out;
}

/** Read a Parquet table as genes × samples (column-major Float64, as the text and Arrow readers). */
export function parseParquet(bytes: Uint8Array, file?: string, keep?: (gene: string) => boolean): Matrix {
  const t = parquetTable(readFooter(bytes, file), bytes.length, file);
  const names = t.leaves.map((l) => l.element.name);
  if (t.geneAt < 0) return parseLongParquet(bytes, t, file, keep);
  const genes = readWholeColumn(bytes, t, t.geneAt, file).strings!;
  const idx: number[] = [];
  const rows: string[] = [];
  for (let r = 0; r < genes.length; r++) {
    const g = genes[r];
    if (g === null || g === "") throw new InputError(`empty gene symbol`, { file, line: r + 1, column: t.geneAt + 1 });
    if (keep && !keep(g)) continue;
    idx.push(r);
    rows.push(g);
  }
  const cols = t.samples.map((i) => names[i]);
  const nr = rows.length;
  const data = new Float64Array(nr * cols.length);
  const all = idx.length === genes.length;
  for (let c = 0; c < cols.length; c++) {
    const { numbers, nulls } = readWholeColumn(bytes, t, t.samples[c], file);
    const dst = data.subarray(c * nr, (c + 1) * nr);
    if (all) dst.set(numbers!);
    else for (let k = 0; k < nr; k++) dst[k] = numbers![idx[k]];
    for (let k = 0; k < nr; k++) {
      const missing = nulls !== undefined && nulls[idx[k]] === 1;
      if (missing || !Number.isFinite(dst[k]))
        throw badCell(missing, dst[k], { file, line: idx[k] + 1, column: t.samples[c] + 1, gene: rows[k], sample: cols[c] });
    }
  }
  return makeMatrix(rows, cols, data, t.rowHeader);
}

/** A long Parquet table (two string columns, one number column) as its genes × samples matrix. */
function parseLongParquet(bytes: Uint8Array, t: ParquetTable, file: string | undefined, keep?: (gene: string) => boolean): Matrix {
  const cols = t.leaves.map((_, c) => readWholeColumn(bytes, t, c, file));
  const header = t.leaves.map((l) => l.element.name);
  const distinct = cols.map((d) => new Set(d.strings ?? []).size);
  const lc = longColumns(
    header,
    cols.map((d) => d.strings === undefined),
    distinct,
  )!;
  const text = (c: number) => cols[c].strings!.map((g, r) => g ?? unsupportedNull(file, r, c));
  const { numbers, nulls } = cols[lc.value];
  const genes = text(lc.gene);
  const samples = text(lc.sample);
  numbers!.forEach((v, r) => {
    const missing = nulls !== undefined && nulls[r] === 1;
    if (missing || !Number.isFinite(v))
      throw badCell(missing, v, { file, line: r + 1, column: lc.value + 1, gene: genes[r], sample: samples[r] });
  });
  const m = longToMatrix(genes, samples, numbers!, file, (r) => r + 1, header[lc.gene]);
  return keep
    ? selectRows(
        m,
        m.rows.flatMap((g, r) => (keep(g) ? [r] : [])),
      )
    : m;
}

function unsupportedNull(file: string | undefined, r: number, c: number): never {
  throw new InputError(`empty gene or sample name (long table)`, { file, line: r + 1, column: c + 1 });
}

/** The error for a missing or non-finite sample value. */
export function badCell(missing: boolean, v: number, where: InputError["where"]): InputError {
  return new InputError(missing ? "missing value (missing values are not allowed)" : `not a finite number: ${v}`, where);
}

export interface ParquetColumnSummary {
  name: string;
  type: string;
  optional: boolean;
  /** Over all row groups: codecs, encodings listed in the chunk metadata, page types found, data page count. */
  codecs: string[];
  encodings: string[];
  pageTypes: string[];
  dataPages: number;
}

/** What a Parquet file holds and how it is stored (for tests and diagnostics). */
export function describeParquet(bytes: Uint8Array, file?: string): { rows: number; rowGroups: number; columns: ParquetColumnSummary[] } {
  return guard(file, () => {
    const meta = readFooter(bytes, file);
    const leaves = parquetLibrary().parquetSchema(meta).children;
    const columns = leaves.map((leaf, c) => {
      const codecs = new Set<string>();
      const encodings = new Set<string>();
      const pageTypes = new Set<string>();
      let dataPages = 0;
      meta.row_groups.forEach((g, gi) => {
        const md = g.columns[c].meta_data!;
        codecs.add(md.codec);
        for (const e of md.encodings) encodings.add(e);
        const [start, end] = chunkRange(meta, gi, c);
        const reader = { view: new DataView(bytes.buffer, bytes.byteOffset + start, end - start), offset: 0 };
        while (reader.offset < end - start) {
          const h = parquetLibrary().parquetHeader(reader);
          pageTypes.add(h.type);
          if (h.type === "DATA_PAGE" || h.type === "DATA_PAGE_V2") dataPages++;
          reader.offset += h.compressed_page_size;
        }
      });
      const sorted = (x: Set<string>) => [...x].sort();
      const optional = leaf.element.repetition_type === "OPTIONAL";
      return {
        name: leaf.element.name,
        type: leaf.element.type ?? "",
        optional,
        codecs: sorted(codecs),
        encodings: sorted(encodings),
        pageTypes: sorted(pageTypes),
        dataPages,
      };
    });
    return { rows: Number(meta.num_rows), rowGroups: meta.row_groups.length, columns };
  });
}
