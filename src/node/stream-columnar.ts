/**
 * Streaming readers for columnar mixtures (Node side), with streamMatrixFile's contract (stream.ts): Parquet
 * is read footer first, then one column chunk at a time by its byte range (hyparquet); Arrow IPC (file or stream, plain or
 * gzipped) one record batch at a time. Only the kept rows are stored; every cell is checked and counted in
 * the maxima. The matrix, messages and locations are readMatrixFile's: where a file has several errors, the
 * one reported is the one the whole-file reader meets first (its order: corrupt data, then empty genes, then
 * column by column), so errors are held back until the end unless nothing can come before them.
 * Differences: the duplicate warning and the cell checks cover every row, not only the kept ones (as for
 * text), and a gzipped Arrow IPC *file* (not stream) is inflated whole by apache-arrow's reader.
 */
import { readSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { RecordBatchReader } from "apache-arrow";
import { InputError } from "../core/errors.js";
import { makeMatrix } from "../core/matrix.js";
import { arrowBadCell, arrowGene, arrowNumber, checkArrowSchema } from "../core/formats/arrow.js";
import { checkArrowIPC } from "../core/formats/arrow-check.js";
import { type AsyncBuffer, parquetMetadataAsync } from "hyparquet";
import { badCell, chunkRange, decodeChunk, guard, parquetTable, readFooter } from "../core/formats/parquet.js";
import { checkColumnNames, keepFn, mergeDuplicates, noun, type ReadOptions } from "../core/formats/read.js";
import { cannotRead } from "./read.js";
import { refuseNumericSampleIds } from "../core/formats/long.js";
import type { StreamResult } from "./stream.js";

/** Rows arriving a batch at a time (a Parquet row group, an Arrow record batch). */
class Columnar {
  readonly genes: string[] = [];
  private rowMax = new Float64Array(1024);
  private keptGenes: string[] = [];
  private keptRows: number[] = [];
  /** Per sample column, the kept values of each batch. */
  private parts: Float64Array[][];
  private base = 0;
  private kidx: number[] = [];
  private pending: { key: number[]; err: unknown } | undefined;
  private readonly keep: ((gene: string) => boolean) | undefined;

  constructor(
    private readonly file: string,
    private readonly opts: ReadOptions,
    nsamples: number,
  ) {
    this.keep = keepFn(opts.keepRows);
    this.parts = Array.from({ length: nsamples }, () => []);
  }

  /** An error the whole-file reader would meet at `key` (compared in order); the first one wins. */
  fail(key: number[], err: unknown): void {
    const p = this.pending;
    if (p) {
      let i = 0;
      while (i < key.length && i < p.key.length && key[i] === p.key[i]) i++;
      if (i === key.length || (i < p.key.length && key[i] > p.key[i])) return;
    }
    this.pending = { key, err };
  }

  /** A new batch: its genes (null: empty, already reported through fail). */
  batch(genes: (string | null)[]): void {
    this.base = this.genes.length;
    const need = this.base + genes.length;
    if (need > this.rowMax.length) {
      const grown = new Float64Array(Math.max(need, 2 * this.rowMax.length));
      grown.set(this.rowMax.subarray(0, this.base));
      this.rowMax = grown;
    }
    this.rowMax.fill(-Infinity, this.base, need);
    this.kidx = [];
    for (let r = 0; r < genes.length; r++) {
      const g = genes[r];
      this.genes.push(g ?? "");
      if (g !== null && (!this.keep || this.keep(g))) {
        this.kidx.push(r);
        this.keptGenes.push(g);
        this.keptRows.push(this.base + r);
      }
    }
  }

  /** Sample column `c` of the batch, every value finite (the caller checked). */
  column(c: number, value: (r: number) => number, n: number): void {
    const mx = this.rowMax;
    const at = this.base;
    for (let r = 0; r < n; r++) {
      const v = value(r);
      if (v > mx[at + r]) mx[at + r] = v;
    }
    const kept = new Float64Array(this.kidx.length);
    for (let k = 0; k < kept.length; k++) kept[k] = value(this.kidx[k]);
    this.parts[c].push(kept);
  }

  finish(cols: string[], rowHeader: string): StreamResult {
    if (this.pending) throw this.pending.err;
    const { file, opts } = this;
    const words = noun(opts);
    const policy = opts.duplicates ?? "error";
    checkColumnNames(cols, 2, words, file);
    refuseNumericSampleIds(this.genes, cols, file);
    // Duplicates over every row, worded as readMatrixFile words them (line = row + 2); then the kept rows merged.
    mergeDuplicates(makeMatrix(this.genes, [], new Float64Array(0)), policy, words, file, opts.onWarning);
    const nr = this.keptGenes.length;
    const data = new Float64Array(nr * cols.length);
    for (let c = 0; c < cols.length; c++) {
      let at = c * nr;
      for (const p of this.parts[c]) {
        data.set(p, at);
        at += p.length;
      }
      this.parts[c] = [];
    }
    const rowMax = this.rowMax.slice(0, this.genes.length);
    let max = -Infinity;
    for (let i = 0; i < rowMax.length; i++) if (rowMax[i] > max) max = rowMax[i];
    const m = makeMatrix(this.keptGenes, cols, data, rowHeader);
    return {
      matrix: mergeDuplicates(
        m,
        policy,
        words,
        file,
        undefined,
        this.keptRows.map((r) => r + 2),
      ),
      max,
      genes: this.genes,
      rowMax,
    };
  }
}

/** Errors of reading the file itself: never held back. */
const ioErrors = new WeakSet<object>();
const heldBack = (e: unknown): boolean => e instanceof InputError && !ioErrors.has(e);

/** Bytes [pos, pos + len) of the file (fewer at its end). */
async function readAt(fh: FileHandle, pos: number, len: number, file: string, opts: ReadOptions): Promise<Uint8Array> {
  const b = new Uint8Array(len);
  let got = 0;
  try {
    while (got < len) {
      const r = (await fh.read(b, got, len - got, pos + got)).bytesRead;
      if (r === 0) break;
      got += r;
    }
  } catch (e) {
    const err = cannotRead(e, opts, file);
    ioErrors.add(err);
    throw err;
  }
  return got === len ? b : b.subarray(0, got);
}

/**
 * A plain (not gzipped) Parquet file through an AsyncBuffer over its handle: hyparquet reads the footer by
 * byte range, then each column chunk is read by its range and decoded (decodeChunk) as the whole-file reader
 * decodes it.
 */
export async function streamParquet(path: string, file: string, opts: ReadOptions): Promise<StreamResult | null> {
  const fh = await open(path, "r").catch((e: unknown) => {
    throw cannotRead(e, opts, file);
  });
  try {
    const size = (await fh.stat()).size;
    const head = await readAt(fh, 0, 4, file, opts);
    if (head.length === 4 && head[3] === 0x45) readFooter(head, file); // refuses encryption by name
    const buffer: AsyncBuffer = {
      byteLength: size,
      slice: async (start, end = size) => {
        const b = await readAt(fh, start, end - start, file, opts);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
      },
    };
    const meta = await parquetMetadataAsync(buffer).catch((e: unknown) =>
      guard(file, () => {
        throw e;
      }),
    );
    const pt = parquetTable(meta, size, file);
    if (pt.geneAt < 0) return null; // a long table: read whole (parseParquet)
    const names = pt.leaves.map((l) => l.element.name);
    const chunk = async (g: number, c: number) => {
      const [start, end] = chunkRange(meta, g, c);
      return decodeChunk(await readAt(fh, start, end - start, file, opts), pt, g, c, file, start);
    };
    const { geneAt, samples } = pt;
    const t = new Columnar(file, opts, samples.length);
    for (let g = 0; g < pt.groupRows.length; g++) {
      const row0 = t.genes.length;
      const genes = (await chunk(g, geneAt)).strings!; // corrupt here: nothing comes before it
      for (let r = 0; r < genes.length; r++) {
        if (genes[r] === "") genes[r] = null;
        if (genes[r] === null) t.fail([1, row0 + r], new InputError(`empty gene symbol`, { file, line: row0 + r + 1, column: geneAt + 1 }));
      }
      t.batch(genes);
      for (let c = 0; c < samples.length; c++) {
        let d;
        try {
          d = await chunk(g, samples[c]);
        } catch (e) {
          if (!heldBack(e)) throw e;
          t.fail([2 + c, 0, g], e); // the whole-file reader decodes a column's chunks before checking it
          continue;
        }
        const { numbers, nulls } = d;
        const x = numbers!;
        for (let r = 0; r < x.length; r++) {
          const missing = nulls !== undefined && nulls[r] === 1;
          if (missing || !Number.isFinite(x[r])) {
            const gene = genes[r] ?? "";
            t.fail(
              [2 + c, 1, row0 + r],
              badCell(missing, x[r], { file, line: row0 + r + 1, column: samples[c] + 1, gene, sample: names[samples[c]] }),
            );
            x[r] = -Infinity; // not counted; the error is thrown at the end
          }
        }
        t.column(c, (r) => x[r], x.length);
      }
    }
    return t.finish(
      samples.map((i) => names[i]),
      pt.rowHeader,
    );
  } finally {
    await fh.close();
  }
}

/**
 * Arrow IPC, record batch by record batch: a plain file through its handle (apache-arrow reads the IPC
 * file's blocks by offset), a gzipped one from `inflated`.
 */
export async function streamArrow(
  path: string,
  file: string,
  opts: ReadOptions,
  inflated: AsyncIterable<Uint8Array> | undefined,
): Promise<StreamResult> {
  const fh = inflated
    ? undefined
    : await open(path, "r").catch((e: unknown) => {
        throw cannotRead(e, opts, file);
      });
  const corrupt = (e: unknown) =>
    e instanceof InputError ? e : new InputError(`corrupt Arrow IPC data: ${(e as Error).message}`, { file });
  let end = 0;
  try {
    if (fh) {
      // apache-arrow trusts the metadata's lengths (see arrow-check.ts): check them first, reading no body.
      const size = (await fh.stat()).size;
      const fd = fh.fd;
      end = checkArrowIPC(
        (at, n) => {
          const buf = new Uint8Array(Math.max(0, Math.min(n, size - at)));
          return buf.subarray(0, readSync(fd, buf, 0, buf.length, at));
        },
        size,
        file,
      );
    }
    let reader;
    try {
      // The handle as apache-arrow sees it: a stream ends at its end marker (checkArrowIPC says why).
      // apache-arrow calls only fd, stat, read and close (io/file.ts AsyncRandomAccessFile); fh is closed below.
      const shown = fh && { fd: fh.fd, stat: async () => ({ size: end }), read: fh.read.bind(fh), close: async () => {} };
      reader = await (shown
        ? RecordBatchReader.from(shown as unknown as FileHandle)
        : RecordBatchReader.from(inflated as AsyncIterable<Uint8Array> & AsyncIterator<Uint8Array>));
      await reader.open();
    } catch (e) {
      throw corrupt(e);
    }
    const fields = reader.schema.fields;
    try {
      checkArrowSchema(reader.schema, file);
    } catch (e) {
      // The whole-file reader meets corrupt batches before it looks at the schema.
      try {
        for await (const _ of reader);
      } catch (c) {
        throw corrupt(c);
      }
      throw e;
    }
    const cols = fields.slice(1).map((f) => f.name);
    const t = new Columnar(file, opts, cols.length);
    const it = reader[Symbol.asyncIterator]();
    for (;;) {
      let next;
      try {
        next = await it.next();
      } catch (e) {
        throw corrupt(e); // the whole-file reader decodes everything first
      }
      if (next.done) break;
      const b = next.value;
      const n = b.numRows;
      const row0 = t.genes.length;
      const geneCol = b.getChildAt(0)!;
      const genes: (string | null)[] = new Array(n);
      for (let r = 0; r < n; r++) {
        try {
          genes[r] = arrowGene(geneCol.get(r), file, row0 + r);
        } catch (e) {
          t.fail([0, row0 + r], e);
          genes[r] = null;
        }
      }
      t.batch(genes);
      const x = new Float64Array(n);
      for (let c = 0; c < cols.length; c++) {
        const v = b.getChildAt(c + 1)!;
        for (let r = 0; r < n; r++) {
          const raw: unknown = v.get(r);
          const d = arrowNumber(raw);
          if (Number.isNaN(d)) {
            t.fail(
              [1 + c, row0 + r],
              arrowBadCell(raw, { file, line: row0 + r + 1, column: c + 2, gene: genes[r] ?? "", sample: cols[c] }),
            );
            x[r] = -Infinity;
          } else x[r] = d;
        }
        t.column(c, (r) => x[r], n);
      }
    }
    return t.finish(cols, fields[0].name);
  } finally {
    await fh?.close();
  }
}
