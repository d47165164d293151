/**
 * Arrow IPC (file or stream) mixtures and result tables. Pure (no `node:` imports): runs in a web worker.
 * apache-arrow comes from the host (loaded on first use: most runs read text and never need it).
 * Layout: the first column holds gene symbols (utf8), every other column is one sample (any numeric type).
 */
import type { RecordBatch, Schema, Table, Vector } from "apache-arrow";
import { InputError } from "../errors.js";
import { arrowLibrary } from "../host.js";
import { checkDims } from "../limits.js";
import { checkArrowMetadata } from "./arrow-check.js";
import { type Matrix, makeMatrix } from "../matrix.js";
import { checkAnnotationColumns } from "./quant.js";

/** "ARROW1" (IPC file) or a 0xFFFFFFFF continuation marker (IPC stream). */
export function isArrow(b: Uint8Array): boolean {
  if (b.length >= 6 && String.fromCharCode(b[0], b[1], b[2], b[3], b[4], b[5]) === "ARROW1") return true;
  return b.length >= 8 && b[0] === 0xff && b[1] === 0xff && b[2] === 0xff && b[3] === 0xff;
}

/**
 * Read an Arrow IPC table as genes × samples (column-major Float64, as the text reader). apache-arrow trusts
 * the file's declared lengths and offsets, so anything it throws on a damaged file is reported as corrupt data.
 */
export function parseArrow(bytes: Uint8Array, file?: string, keep?: (gene: string) => boolean): Matrix {
  try {
    return arrowMatrix(readIPC(bytes, file), file, keep);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`corrupt Arrow IPC data: ${(e as Error)?.message ?? e}`, { file });
  }
}

/**
 * tableFromIPC, but an IPC file's record batches are read by index: apache-arrow 21's sequential reader
 * loops forever when a damaged footer points a record-batch block at a schema message (found by fuzzing),
 * while readRecordBatch insists on a record batch. Rows are counted against maxRows batch by batch.
 */
function readIPC(whole: Uint8Array, file: string | undefined): Table {
  const bytes = checkArrowMetadata(whole, file);
  const { RecordBatchReader, Table, tableFromIPC } = arrowLibrary();
  const reader = RecordBatchReader.from(bytes).open();
  if (!reader.isFile()) return tableFromIPC(bytes);
  const batches: RecordBatch[] = [];
  let rows = 0;
  for (let i = 0; i < reader.numRecordBatches; i++) {
    const b = reader.readRecordBatch(i);
    if (!b) throw new InputError(`corrupt Arrow IPC data: record batch ${i + 1} of ${reader.numRecordBatches} is missing`, { file });
    rows += b.numRows;
    checkDims(rows, 0, file);
    batches.push(b);
  }
  return new Table(reader.schema, batches);
}

function arrowMatrix(t: Table, file: string | undefined, keep: ((gene: string) => boolean) | undefined): Matrix {
  const fields = t.schema.fields;
  checkArrowSchema(t.schema, file);
  checkDims(t.numRows, fields.length - 1, file);
  const geneCol = t.getChildAt(0)!;
  const n = t.numRows;
  const idx: number[] = [];
  const rows: string[] = [];
  for (let r = 0; r < n; r++) {
    const gs = arrowGene(geneCol.get(r), file, r);
    if (keep && !keep(gs)) continue;
    idx.push(r);
    rows.push(gs);
  }
  const cols = fields.slice(1).map((f) => f.name);
  const nr = rows.length;
  const data = new Float64Array(nr * cols.length);
  for (let c = 0; c < cols.length; c++) {
    const v = t.getChildAt(c + 1)!;
    for (let k = 0; k < nr; k++) {
      const x: unknown = v.get(idx[k]);
      const d = arrowNumber(x);
      if (Number.isNaN(d)) throw arrowBadCell(x, { file, line: idx[k] + 1, column: c + 2, gene: rows[k], sample: cols[c] });
      data[k + c * nr] = d;
    }
  }
  return makeMatrix(rows, cols, data, fields[0].name);
}

/**
 * What the whole-file and the streaming reader check before any row: a gene column of strings first (a
 * numeric first column would turn numbers into gene names), sample columns, none a quantifier's
 * annotation column (checkAnnotationColumns, the text reader's rule).
 */
export function checkArrowSchema(schema: Schema, file: string | undefined): void {
  const fields = schema.fields;
  if (fields.length < 2) throw new InputError(`Arrow table needs a gene column and at least one sample column`, { file });
  const { DataType } = arrowLibrary();
  const first = fields[0];
  const t = DataType.isDictionary(first.type) ? first.type.dictionary : first.type;
  if (!DataType.isUtf8(t) && !DataType.isLargeUtf8(t) && !DataType.isUtf8View(t)) {
    throw new InputError(
      `the first column, "${first.name}", holds ${String(first.type)}, not gene symbols (strings): ` +
        `an Arrow mixture has the genes in its first column`,
      { file, column: 1 },
    );
  }
  checkAnnotationColumns(
    fields.map((f, i) => (i === 0 ? undefined : f.name)),
    file,
  );
}

/** The gene of row `r` (0-based) as a string; an empty or missing one is an error. */
export function arrowGene(g: unknown, file: string | undefined, r: number): string {
  if (g === null || g === undefined || String(g) === "") throw new InputError(`empty gene symbol`, { file, line: r + 1, column: 1 });
  return String(g);
}

/** A sample cell as a double; NaN when it is missing or not a finite number (see arrowBadCell). */
export function arrowNumber(x: unknown): number {
  const d = typeof x === "bigint" ? Number(x) : x;
  return typeof d === "number" && Number.isFinite(d) ? d : NaN;
}

export function arrowBadCell(x: unknown, where: InputError["where"]): InputError {
  return new InputError(
    x === null || x === undefined ? "missing value (missing values are not allowed)" : `not a finite number: ${String(x)}`,
    where,
  );
}

/** A result table as an Arrow IPC file: first column `rowHeader` (utf8), then one float64 column per col. */
export function formatArrow(
  rowHeader: string,
  colNames: string[],
  rowNames: string[],
  values: (r: number, c: number) => number,
): Uint8Array {
  const { Table, Utf8, makeVector, tableToIPC, vectorFromArray } = arrowLibrary();
  const cols: Record<string, Vector> = {};
  cols[rowHeader] = vectorFromArray(rowNames, new Utf8());
  for (let c = 0; c < colNames.length; c++) {
    const a = new Float64Array(rowNames.length);
    for (let r = 0; r < rowNames.length; r++) a[r] = values(r, c);
    cols[colNames[c]] = makeVector(a);
  }
  return tableToIPC(new Table(cols), "file");
}
