/**
 * Streaming reader for genes × columns TSV/CSV and GCT 1.2/1.3 tables, plain or gzipped, and (through
 * stream-columnar.ts) Arrow IPC and Parquet (Node side). The file is read in chunks and never held as a whole;
 * only the rows chosen by `keepRows` are stored, so a cohort larger than
 * memory can be read for its signature genes. Every cell of every row is still parsed: a bad cell anywhere
 * is an error (as in R and readMatrixFile), and the maximum over all cells is returned for CIBERSORT's
 * anti-log rule. Numbers, messages and locations are readMatrixFile's: well-formed lines go through the byte
 * scanner (scan.ts), any other line through the careful per-line parser of read.ts.
 */
import { Buffer } from "node:buffer";
import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { open } from "node:fs/promises";
import { createGunzip, gunzipSync } from "node:zlib";
import { InputError } from "../core/errors.js";
import { type Matrix, makeMatrix, selectRows } from "../core/matrix.js";
import { isArrow } from "../core/formats/arrow.js";
import { isParquet } from "../core/formats/parquet.js";
import { isGzip } from "../core/formats/gzip.js";
import { isBlank, keepFn, mayBeLong, mergeDuplicates, noun, parseLine, type ReadOptions, roleError } from "../core/formats/read.js";
import { refuseUnreadable, SNIFF_BYTES } from "../core/formats/sniff.js";
import { type TableLayout, tableLayout } from "../core/formats/read.js";
import { cannotRead, readMatrixFile } from "./read.js";
import { withSeekable } from "./pipe.js";
import { scanCells, scanRowMax, str } from "../core/formats/scan.js";
import { FAR_LINE, findByte, inputLimits, overLimit, StreamGuard } from "../core/limits.js";
import { ArrowStreamCheck } from "../core/formats/arrow-check.js";
import { isHdf5 } from "../core/formats/hdf5.js";
import type { PendingRow, ScannedBatch } from "./stream-parallel.js";
import { scanPicked, WasmLines, WasmRowMax } from "./scan-batch.js";
import { type Core, loadCore } from "../core/wasm.js";

export interface StreamResult {
  /** The kept rows, merged by the duplicate policy (column-major, as every Matrix). */
  matrix: Matrix;
  /** Maximum over every numeric cell of the file (raw values, before any duplicate merge; rows with a missing value left out). */
  max: number;
  /** Gene of every data row, in file order (kept or not). */
  genes: string[];
  /** No gene occurs twice in `genes` (so no merge of them by a duplicate policy changes anything). */
  distinct?: boolean;
  /** Maximum of every data row, in the order of `genes`; NaN for a row with a missing value (--na drop-gene). */
  rowMax: Float64Array;
  /** With a ColumnPick: the file's sample columns and which of them (0-based, ascending) `matrix` holds. */
  picked?: { samples: number; columns: readonly number[] };
}

/**
 * The sample columns to convert (0-based, ascending), chosen from the header's names: a plan's shard needs
 * only its own (docs/scale.md). The other cells are not converted and rows not kept are not scanned at all
 * (lines are still split, genes and duplicates still checked), so `max` and `rowMax` then cover only the
 * picked cells of kept rows: the plan, which read every cell, has the file's maximum.
 */
export type ColumnPick = (samples: readonly string[]) => readonly number[];

/** How the reader may use threads: up to `threads` (default: every core) scanning workers for files of ≥ `minBytes`. */
export interface ParallelRead {
  threads?: number;
  minBytes?: number;
}

/**
 * Below this many bytes of file a second thread does not pay for starting workers (≈ 0.1 s of reading).
 * Above it, a TSV/CSV's cells are scanned on workers while this thread splits lines (stream-parallel.ts).
 */
const PARALLEL_MIN_BYTES = 32 << 20;

/** Bytes handed to the line splitter at a time. */
const CHUNK = 1 << 22;
/**
 * Doubles per storage block of kept rows (1 MB): small, because V8 counts the buffers a run allocates toward
 * its first full collection, which a short run then pays for (the bundled example: an 8 MB block did).
 */
const BLOCK = 1 << 17;

// The whole-file decode of readMatrixFile keeps a U+FEFF inside the text; a per-line decode must too.
const lineDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
const headerDecoder = new TextDecoder("utf-8");

/**
 * Read `path` as readMatrixFile does, storing only the rows `opts.keepRows` selects. Unlike readMatrixFile
 * with keepRows, every row is checked: a bad cell or a duplicate gene (policy "error") anywhere is reported,
 * and the duplicate warning covers the whole file. One difference in order: a gzip file that is corrupt after
 * a bad line reports the bad line (readMatrixFile inflates everything first). GCT: its line numbers are those
 * of the converted table, as readMatrixFile's (header = line 1). Arrow and Parquet: see stream-columnar.ts.
 * Returns null where readMatrixFile must read the file whole: gzipped Parquet, and a GCT whose dimension
 * line is not whole numbers. `chunk`: bytes split into lines at a time (tests use tiny ones). `par`: threads
 * that scan cells (TSV/CSV only); the result is the same for any thread count. With `opts.na` "drop-gene" a
 * missing value is NaN, as readMatrixFile reads it (rowMax is NaN for its row).
 */
export async function streamMatrixFile(
  path: string,
  opts: ReadOptions = {},
  chunk = CHUNK,
  par: ParallelRead = {},
  pick?: ColumnPick,
): Promise<StreamResult | null> {
  // The pick's own errors (a sample list naming no sample of the file) are not the mixture's.
  let pickError: unknown;
  const picker =
    pick &&
    ((names: readonly string[]) => {
      try {
        return pick(names);
      } catch (e) {
        pickError = e;
        throw e;
      }
    });
  try {
    const r = await streamTable(path, opts, chunk, par, picker);
    // Formats the table stream does not read pick after reading.
    if (!r || !picker || r.picked) return r;
    const columns = picker(r.matrix.cols);
    const matrix = selectRows(
      r.matrix,
      r.matrix.rows.map((_, i) => i),
      columns,
    );
    return { ...r, matrix, picked: { samples: r.matrix.cols.length, columns } };
  } catch (e) {
    throw e === pickError ? e : roleError(e, opts);
  }
}

async function streamTable(
  path: string,
  opts: ReadOptions,
  chunk: number,
  par: ParallelRead,
  pick: ColumnPick | undefined,
): Promise<StreamResult | null> {
  const file = opts.name ?? path;
  const opened = await sniff(path, file, opts);
  const { gz, head, whole } = opened;
  if (opts.hdf5 || isHdf5(head)) {
    const h5 = await import("./hdf5.js");
    if (isHdf5(head)) return h5.streamHdf5(path, file, opts, gz);
    h5.notHdf5(opts, file);
  }
  // The columnar readers (and apache-arrow) load only for such files: a TSV run starts faster without them.
  if (isParquet(head)) {
    if (gz) return null;
    // A long Parquet table (null) is read whole, as a long text table.
    return (await (await import("./stream-columnar.js")).streamParquet(path, file, opts)) ?? wholeAsStream(path, file, opts);
  }
  if (isArrow(head)) {
    const { streamArrow } = await import("./stream-columnar.js");
    return streamArrow(path, file, opts, gz ? checkedArrow(readChunks(path, file, opts, opened), file) : undefined);
  }
  refuseUnreadable(head, file);
  // A long table (gene, sample, value) is told from all of its rows: the whole-file reader's (long.ts).
  const lines = headerDecoder
    .decode(head)
    .split(/\r\n|\r|\n/)
    .slice(0, -1);
  if (opts.layout === "long" || (opts.layout !== "wide" && mayBeLong(lines, file))) return wholeAsStream(path, file, opts);
  const threads = scanThreads(path, par);
  const pool = threads > 0 ? new (await import("./stream-parallel.js")).ScanPool(threads) : undefined;
  const t = new TableStream(file, noun(opts), keepFn(opts.keepRows), pool !== undefined, pick, opts.na === "drop-gene");
  if (!pool && opts.keepRows && !pick) t.core = await loadCore(); // rows not kept: the Wasm row kernel, as the workers
  // One reused buffer (the unfinished line moves to its front): no allocation per chunk. With workers, a
  // buffer goes with its rows to a worker and the unfinished line to a new one.
  let buf = new Uint8Array(Math.min(chunk, whole?.length ?? chunk) + (1 << 16));
  let len = 0;
  let next = chunk; // split lines once this much is buffered (a long line is not rescanned per piece)
  let committing = false;
  const commit = async (inFlight: number) => {
    committing = true;
    for await (const b of pool!.settled(inFlight)) t.commit(b);
    committing = false;
  };
  const split = async (eof: boolean): Promise<boolean> => {
    const b = buf.subarray(0, len);
    const used = t.lines(b, eof);
    if (t.fallback) return false;
    if (t.pending.length > 0) {
      const fresh = new Uint8Array(buf.length);
      fresh.set(buf.subarray(used, len));
      await pool!.submit(buf, t.take(), t.D, t.ncol, t.pick);
      buf = fresh;
      await commit(2 * threads);
    } else buf.copyWithin(0, used, len);
    len -= used;
    next = len + chunk;
    return true;
  };
  // A line (a gzip bomb's one endless line) is refused within a chunk of the limit, not after buffering it.
  // An input read whole has no line longer than itself: within the limit, the guard has nothing to find.
  const guard = whole && whole.length <= inputLimits().maxLineBytes ? undefined : new StreamGuard(file, { lines: true });
  try {
    for await (const c of readChunks(path, file, opts, opened)) {
      guard?.push(c);
      for (let o = 0; o < c.length; o += chunk) {
        const piece = c.subarray(o, Math.min(c.length, o + chunk));
        if (len + piece.length > buf.length) {
          const grown = new Uint8Array(2 * (len + piece.length));
          grown.set(buf.subarray(0, len));
          buf = grown;
        }
        buf.set(piece, len);
        len += piece.length;
        if (len < next) continue;
        if (!(await split(false))) return null;
      }
    }
    if (!(await split(true))) return null;
    if (pool) await commit(0);
  } catch (e) {
    // An error found here (not in a scanned row) comes after every row split so far: those are checked
    // first, in file order, so that the first error of the file is the one reported, as with one thread.
    if (pool && !committing) {
      await commit(0);
      if (t.pending.length > 0) {
        const { scanHere } = await import("./stream-parallel.js");
        t.commit(scanHere(buf, t.take(), t.D, t.ncol, t.pick));
      }
    }
    throw e;
  } finally {
    pool?.close();
  }
  return t.finish(opts.duplicates ?? "error", opts.onWarning);
}

/** Threads that scan cells (0: none, this thread reads alone): see ParallelRead. */
function scanThreads(path: string, par: ParallelRead): number {
  const threads = par.threads ?? availableParallelism();
  if (threads < 2) return 0;
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    return 0; // readChunks names the file that cannot be read
  }
  return size >= (par.minBytes ?? PARALLEL_MIN_BYTES) ? threads : 0;
}

/**
 * The whole table of `path`, as readMatrixFile returns it, read through the stream where it can be: a gzip
 * bomb or an endless line is then refused after at most a line's limit of memory, not after inflating it all.
 */
export async function readMatrixStreamed(path: string, opts: ReadOptions = {}): Promise<Matrix> {
  return withSeekable(path, opts, async (p, name) => {
    const r = await streamMatrixFile(p, { ...opts, name, keepRows: undefined });
    return r ? r.matrix : readMatrixFile(p, { ...opts, name });
  });
}

/**
 * A table the whole-file reader decides (a long table, told from all of its rows; or a three-column table
 * that is neither, whose error is then the whole-file reader's; a file the stream does not read, see
 * streamMatrixFile), returned as the stream returns it: `genes` are then the rows after duplicate merging.
 */
export function wholeAsStream(path: string, file: string, opts: ReadOptions): StreamResult {
  const all = readMatrixFile(path, { ...opts, name: file, keepRows: undefined });
  const nr = all.rows.length;
  const rowMax = new Float64Array(nr).fill(-Infinity);
  for (let i = 0; i < all.data.length; i++) {
    const r = i % nr;
    if (all.data[i] > rowMax[r] || Number.isNaN(all.data[i])) rowMax[r] = all.data[i]; // NaN: a missing value
  }
  let max = -Infinity;
  for (let r = 0; r < nr; r++) if (rowMax[r] > max) max = rowMax[r];
  const keep = keepFn(opts.keepRows);
  const matrix = keep
    ? selectRows(
        all,
        all.rows.flatMap((g, r) => (keep(g) ? [r] : [])),
      )
    : all;
  return { matrix, max, genes: all.rows, rowMax };
}

/** The inflated chunks of a gzipped Arrow IPC stream, each checked (ArrowStreamCheck) before it is passed on. */
async function* checkedArrow(chunks: AsyncGenerator<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const check = new ArrowStreamCheck(file);
  for await (const c of chunks) {
    const pass = check.push(c);
    if (pass.length) yield pass;
    if (pass.length < c.length) return; // the stream's end marker: apache-arrow must not read past it
  }
}

/**
 * Whether the file is gzipped, and its first SNIFF_BYTES (inflated if so), to tell the format; a small file's
 * whole bytes too (openInput), which the caller then reads instead of the file.
 */
async function sniff(path: string, file: string, opts: ReadOptions): Promise<Opened & { head: Uint8Array }> {
  const opened = openInput(path, file, opts);
  if (opened.whole) return { ...opened, head: opened.whole.subarray(0, SNIFF_BYTES) };
  const head = new Uint8Array(SNIFF_BYTES);
  let n = 0;
  for await (const c of readChunks(path, file, opts, opened)) {
    const k = Math.min(c.length, SNIFF_BYTES - n);
    head.set(c.subarray(0, k), n);
    n += k;
    if (n === SNIFF_BYTES) break;
  }
  return { ...opened, head: head.subarray(0, n) };
}

/** The bytes of a file openInput opened: its small input whole, else read (and gunzipped) as a stream. */
async function* readChunks(path: string, file: string, opts: ReadOptions, opened: Opened): AsyncGenerator<Uint8Array> {
  const { gz, whole } = opened;
  if (whole) {
    yield whole;
    return;
  }
  if (!gz) {
    // Plain text: one reused buffer (the caller copies each piece before asking for the next). A Buffer, as
    // gunzip's chunks are: the line guard's far searches use its indexOf (findByte).
    const fh = await open(path, "r").catch((e: unknown) => {
      throw cannotRead(e, opts, file);
    });
    try {
      const rb = Buffer.alloc(1 << 20);
      for (;;) {
        let got: number;
        try {
          got = (await fh.read(rb, 0, rb.length, null)).bytesRead;
        } catch (e) {
          throw cannotRead(e, opts, file);
        }
        if (got === 0) return;
        yield rb.subarray(0, got);
      }
    } finally {
      await fh.close();
    }
  }
  const inflated = new StreamGuard(file, { total: true });
  const src = createReadStream(path, { highWaterMark: 1 << 20 });
  let srcError: unknown;
  src.on("error", (e) => (srcError = e));
  try {
    const z = createGunzip({ chunkSize: 1 << 20 });
    src.on("error", (e) => z.destroy(e));
    src.pipe(z);
    try {
      for await (const c of z) {
        inflated.push(c as Uint8Array);
        yield c as Uint8Array;
      }
    } catch (e) {
      if (e instanceof InputError) throw e;
      if (srcError !== undefined) throw cannotRead(srcError, opts, file);
      throw new InputError(`corrupt gzip data: ${(e as Error).message}`, { file });
    } finally {
      z.destroy();
    }
  } finally {
    src.destroy();
  }
}

/**
 * Files up to this size are read by one synchronous call, and gzipped ones inflated by one gunzipSync of at
 * most SMALL_INFLATED bytes: for a small file the stream's asynchronous reads and inflation cost more in
 * waiting than the work itself (bench/RESULTS.md, "Start-up"). A larger or odd input
 * (not a regular file, over the inflated bound, any zlib error) takes the stream, which decides as before.
 */
const SMALL_FILE = 4 << 20;
const SMALL_INFLATED = 32 << 20;

/** An input as openInput found it: gzipped or not, and a small input's whole bytes (inflated). */
interface Opened {
  gz: boolean;
  whole?: Buffer;
}

/** Whether the file is gzipped (by its first two bytes), and a small file's bytes, inflated if so. */
function openInput(path: string, file: string, opts: ReadOptions): Opened {
  const head = new Uint8Array(2);
  let n: number;
  let small: Buffer | undefined;
  try {
    const fd = openSync(path, "r");
    try {
      n = readSync(fd, head, 0, 2, 0);
      small = readSmall(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw cannotRead(e, opts, file);
  }
  const gz = isGzip(head.subarray(0, n));
  return { gz, whole: small && (gz ? inflateSmall(small) : small) };
}

function readSmall(fd: number): Buffer | undefined {
  const st = fstatSync(fd);
  if (!st.isFile() || st.size > SMALL_FILE) return undefined;
  const b = Buffer.allocUnsafe(st.size);
  let got = 0;
  while (got < b.length) {
    const k = readSync(fd, b, got, b.length - got, got);
    if (k === 0) return undefined; // shrank while read: the stream decides
    got += k;
  }
  return b;
}

function inflateSmall(b: Buffer): Buffer | undefined {
  const max = Math.min(SMALL_INFLATED, inputLimits().maxFileBytes + 1);
  // Output in one piece when the gzip trailer's size (that of the last member) is right: no 16 kB pieces to join.
  const chunkSize = b.length < 18 ? undefined : Math.max(1 << 14, Math.min(max, b.readUInt32LE(b.length - 4) + 64));
  try {
    return gunzipSync(b, { maxOutputLength: max, chunkSize });
  } catch {
    return undefined; // over the bound or corrupt: the stream reports it where it is
  }
}

/** Line splitter and row parser; state carried from chunk to chunk. */
class TableStream {
  private lineNo = 0;
  private header: string | undefined;
  private line2 = "";
  private lay: TableLayout | undefined;
  D = 9;
  ncol = 0;
  /** With a ColumnPick: the converted columns, and `nout` cells stored per kept row (ncol without). */
  pick: Int32Array | undefined;
  private nout = 0;
  /** First blank line after the header not yet followed by a non-blank one (0: none). */
  private blankAt = 0;
  private scratch: Float64Array = new Float64Array(0);
  private blocks: Float64Array[] = [];
  private blockRows = 1;
  private genes: string[] = [];
  /** Each row's line (for messages), grown with rowMax: typed, so a cohort's rows add nothing to the JS heap. */
  private lineOf = new Int32Array(1024);
  private rowMax = new Float64Array(1024);
  private readonly maxRows = inputLimits().maxRows;
  private keptGenes: string[] = [];
  private keptLines: number[] = [];
  /** GCT: null when the file is not GCT, undefined before its first line is seen. */
  private gct: { line: number; rowMeta: number; colMeta: number } | null | undefined = undefined;
  private gctBuf = new Uint8Array(1 << 12);
  /** Set when readMatrixFile must read the file instead (a GCT dimension line that is not whole numbers). */
  fallback = false;
  /** With workers (not GCT): rows split since the last take(), their cells not yet scanned. */
  pending: PendingRow[] = [];
  private par = false;
  /** Without workers: a Wasm core for the rows not kept (WasmRowMax, over the buffer lines() is splitting). */
  core: Core | undefined;
  private wasmRows: WasmRowMax | undefined;
  private wasmOf: Uint8Array | undefined;
  /** While wasmLines runs: its kernel, which also reads the kept rows' values (rowValues). */
  private lineKernel: WasmLines | undefined;

  constructor(
    private readonly file: string,
    private readonly words: { file: string; col: string },
    private readonly keep: ((gene: string) => boolean) | undefined,
    private readonly parallel = false,
    private readonly picker?: ColumnPick,
    /** --na drop-gene: a missing value is NaN (the careful parser's). */
    private readonly naDrop = false,
  ) {}

  /** The rows split since the last call (their text is the buffer just split). */
  take(): PendingRow[] {
    const rows = this.pending;
    this.pending = [];
    return rows;
  }

  /**
   * Every complete physical line of `b` (LF, CRLF or a lone CR ends a line, as the careful parser splits);
   * returns how many bytes were consumed (the rest is an unfinished line). At `eof` everything is.
   */
  lines(b: Uint8Array, eof: boolean): number {
    const n = b.length;
    const own = Buffer.from(b.buffer, b.byteOffset, n); // memchr for far searches (findByte)
    this.wasmRows = undefined; // b's bytes are copied to Wasm memory on first need
    this.wasmOf = b;
    let pos = 0;
    let lf = -1;
    let cr = -1;
    let q = -1;
    let far = true;
    let wasm = this.core !== undefined;
    while (pos < n) {
      // Once the layout is known, the rest of a plain buffer (no CR, no quote) is split by the Wasm core.
      if (wasm && this.lay && this.gct === null && !this.fallback) {
        wasm = false;
        if (own.indexOf(13, pos) < 0 && own.indexOf(34, pos) < 0) return this.wasmLines(b, pos, eof);
      }
      if (lf < pos) lf = findByte(b, own, 10, pos, far);
      if (cr < pos) cr = findByte(b, own, 13, pos, far || cr < 0);
      if (q < pos) q = findByte(b, own, 34, pos, far || q < 0);
      const t = Math.min(lf, cr);
      if (t === n && !eof) break;
      if (t === n - 1 && b[t] === 13 && !eof) break; // a CR at the end: the LF of a CRLF may follow
      this.line(b, pos, t, q < t);
      far = t - pos >= FAR_LINE;
      pos = t + 1;
      if (t < n && b[t] === 13 && pos < n && b[pos] === 10) pos++;
    }
    return pos;
  }

  /**
   * lines() from `pos` on, for a buffer with no CR and no quote there: the scanLines kernel splits the lines, names
   * them and reads the maximum of each plain row; each line then goes where line() would send it.
   */
  private wasmLines(b: Uint8Array, pos: number, eof: boolean): number {
    const n = b.length;
    const w = new WasmLines(this.core!, b, this.ncol);
    this.wasmRows = w; // the same copy of b serves a line the kernel leaves to line()
    this.lineKernel = w;
    for (;;) {
      const k = w.scan(pos, n, eof, this.D);
      const { at } = w;
      for (let i = 0; i < k; i++) {
        const s = at[3 * i];
        const g = at[3 * i + 1];
        const e = at[3 * i + 2];
        if (g < 0) this.line(b, s, e, false);
        else {
          // line() for a line that is not blank (it starts with printable ASCII)
          const lineNo = ++this.lineNo;
          if (this.blankAt !== 0) throw new InputError(`empty line inside the table`, { file: this.file, line: this.blankAt });
          this.row(b, s, e, false, lineNo, g, i);
        }
        pos = e < n ? e + 1 : n;
      }
      if (k === 0 || pos === n) {
        this.lineKernel = undefined;
        return pos;
      }
    }
  }

  private line(b: Uint8Array, s: number, e: number, quoted: boolean): void {
    if (this.fallback) return;
    if (this.gct !== null) {
      const n = this.gctLine(b, s, e);
      if (n < 0) return;
      if (this.gct) {
        b = this.gctBuf;
        s = 0;
        e = n;
        quoted = b.subarray(0, n).includes(34);
      }
    }
    const lineNo = ++this.lineNo;
    if (lineNo === 1) {
      if (e - s >= 3 && b[s] === 0xef && b[s + 1] === 0xbb && b[s + 2] === 0xbf) s += 3;
      this.header = headerDecoder.decode(b.subarray(s, e)); // drops one more BOM, as readMatrixFile does
      return;
    }
    if (lineNo === 2) this.line2 = lineDecoder.decode(b.subarray(s, e));
    if (blank(b, s, e)) {
      if (this.blankAt === 0) this.blankAt = lineNo;
      return;
    }
    if (!this.lay) this.start();
    if (this.blankAt !== 0) throw new InputError(`empty line inside the table`, { file: this.file, line: this.blankAt });
    this.row(b, s, e, quoted, lineNo);
  }

  /**
   * GCT lines as gctToTsv converts them: the version and dimension lines and 1.3's column-metadata rows are
   * dropped (-1), from the others the Description (1.2) or row-metadata (1.3) fields are cut, leaving the
   * line in gctBuf (its length is returned). Not GCT: the line is left alone.
   */
  private gctLine(b: Uint8Array, s: number, e: number): number {
    let g = this.gct;
    if (g === undefined) {
      // readMatrixFile's rule: the bytes start "#1." (no BOM), then isGct's: "#1.2" or "#1.3", optional white
      // space, a line break.
      const first = lineDecoder.decode(b.subarray(s, e));
      const m = /^#1\.([23])\s*$/.exec(first);
      if (!m || e >= b.length) {
        this.gct = null;
        return e - s;
      }
      this.gct = { line: 1, rowMeta: m[1] === "3" ? -1 : 1, colMeta: 0 };
      return -1;
    }
    g = g!;
    const at = ++g.line;
    if (at === 2) {
      if (g.rowMeta < 0) {
        const dims = lineDecoder.decode(b.subarray(s, e)).trim().split(/\s+/).map(Number);
        g.rowMeta = dims[2] ?? 0;
        g.colMeta = dims[3] ?? 0;
        const whole = (x: number) => Number.isInteger(x) && x >= 0;
        if (!whole(g.rowMeta) || !whole(g.colMeta)) this.fallback = true;
      }
      return -1;
    }
    if (at > 3 && at <= 3 + g.colMeta) return -1;
    // [first field, fields after the row metadata…] joined by tabs, as gctToTsv's drop.
    if (this.gctBuf.length < e - s) this.gctBuf = new Uint8Array(2 * (e - s));
    const tab = b.indexOf(9, s);
    if (tab < 0 || tab >= e) {
      this.gctBuf.set(b.subarray(s, e), 0); // one field: kept whole
      return e - s;
    }
    let k = tab;
    for (let i = 0; i < g.rowMeta && k < e; i++) {
      k = b.indexOf(9, k + 1);
      if (k < 0) k = e;
    }
    const cut = Math.min(k, e);
    this.gctBuf.set(b.subarray(s, tab), 0);
    this.gctBuf.set(b.subarray(cut, e), tab - s);
    return tab - s + (e - cut);
  }

  /** The first non-blank line after the header: the table's layout is now known. */
  private start(): void {
    const lay: TableLayout = { ...tableLayout(this.header!, this.line2, this.file, this.words), naDrop: this.naDrop };
    this.lay = lay;
    this.D = lay.delim.charCodeAt(0);
    this.ncol = lay.nf - 1;
    if (this.ncol > inputLimits().maxColumns) {
      throw overLimit(`${this.ncol.toLocaleString("en-US")} columns`, "maxColumns", { file: this.file, line: 1 });
    }
    this.scratch = new Float64Array(this.ncol);
    if (this.picker) this.pick = Int32Array.from(this.picker(lay.cols));
    this.nout = this.pick ? this.pick.length : this.ncol;
    this.blockRows = Math.max(1, Math.floor(BLOCK / Math.max(1, this.nout)));
    this.par = this.parallel && this.gct === null;
  }

  /**
   * With workers: the row is split here, in order (its gene chosen, a quoted or odd row parsed carefully at
   * once), and its cells are scanned later by a worker; commit() then stores it, in file order.
   */
  private rowLater(b: Uint8Array, s: number, e: number, quoted: boolean, lineNo: number): void {
    const g = quoted ? -1 : b.indexOf(this.D, s);
    if (g > s && g < e && b[s] > 32 && b[g - 1] > 32) {
      const gene = str(b, s, g);
      this.pending.push({ gene, kept: !this.keep || this.keep(gene), lineNo, start: s, s: g + 1, e });
      return;
    }
    const values = new Float64Array(this.ncol);
    const gene = this.careful(b, s, e, lineNo, values);
    this.pending.push({ gene, kept: !this.keep || this.keep(gene), lineNo, start: s, s, e, values });
  }

  /** Stores a batch of rows once their cells are scanned (rows the scan refused go to the careful parser). */
  commit({ rows, done }: ScannedBatch): void {
    const { out, bytes } = done;
    const nout = this.nout;
    let i = 0;
    let at = rows.length - rows.filter((r) => r.values).length;
    for (const r of rows) {
      let { gene, kept } = r;
      let src: Float64Array;
      let from = 0;
      let m: number;
      if (r.values) {
        src = r.values;
        ({ src, m } = this.picked(src));
      } else {
        m = out[i++];
        src = out;
        from = at;
        if (r.kept) at += nout;
        if (Number.isNaN(m)) {
          // Not plain numbers (or a bad cell): the careful parser decides, with its message.
          const parsed = this.careful(bytes!, r.start, r.e, r.lineNo, this.scratch);
          if (parsed !== gene) kept = !this.keep || this.keep((gene = parsed));
          ({ src, m } = this.picked(this.scratch));
          from = 0;
        }
      }
      if (kept) {
        const { block, base } = this.slot();
        block.set(src.subarray(from, from + nout), base);
      }
      this.push(gene, kept, r.lineNo, m);
    }
  }

  /** A whole row's values (careful parser) as stored: the picked cells, and their maximum. */
  private picked(all: Float64Array): { src: Float64Array; m: number } {
    const p = this.pick;
    if (!p) return { src: all, m: rowMax(all, 0, this.ncol) };
    const src = new Float64Array(p.length);
    for (let j = 0; j < p.length; j++) src[j] = all[p[j]];
    return { src, m: rowMax(src, 0, p.length) };
  }

  /** The careful parser on one line (readMatrixFile's numbers and messages); returns the gene. */
  private careful(b: Uint8Array, s: number, e: number, lineNo: number, out: Float64Array): string {
    const raw = lineDecoder.decode(b.subarray(s, e));
    return parseLine(raw, lineNo, this.lay!, this.file, out, lineNo === 2 ? this.lay!.first : undefined);
  }

  /** Where the next kept row's values go. */
  private slot(): { block: Float64Array; base: number } {
    const r = this.keptGenes.length;
    const bi = Math.floor(r / this.blockRows);
    if (bi === this.blocks.length) this.blocks.push(new Float64Array(this.blockRows * this.nout));
    return { block: this.blocks[bi], base: (r - bi * this.blockRows) * this.nout };
  }

  /**
   * A data row. From wasmLines: `g`, where its first field ends, and `at`, the line's place in the kernel's batch
   * (its name, and the maximum of its cells unless NaN: not plain, scanRowMax reads it).
   */
  private row(b: Uint8Array, s: number, e: number, quoted: boolean, lineNo: number, g?: number, at?: number): void {
    if (this.par) {
      this.rowLater(b, s, e, quoted, lineNo);
      return;
    }
    const ncol = this.ncol;
    let gene: string | undefined;
    let kept = false;
    let m = -Infinity;
    if (!quoted) {
      g ??= b.indexOf(this.D, s);
      if (g > s && g < e && b[s] > 32 && b[g - 1] > 32) {
        const w = at === undefined ? undefined : this.lineKernel;
        gene = w ? w.names[at!] : str(b, s, g);
        kept = !this.keep || this.keep(gene);
        if (kept) {
          const { block, base } = this.slot();
          const p = this.pick;
          if (
            p
              ? scanPicked(b, g + 1, e, this.D, p, block, base)
              : w?.row(g + 1, e, this.D, block, base) || scanCells(b, g + 1, e, this.D, ncol, block, base)
          )
            m = rowMax(block, base, this.nout);
          else gene = undefined;
        } else if (this.pick) {
          // Not kept: nothing of it is needed (the plan checked every cell).
        } else {
          // checked, not stored
          if (w) m = Number.isNaN(w.maxes[at!]) ? scanRowMax(b, g + 1, e, this.D, ncol) : w.maxes[at!];
          else if (this.core && b === this.wasmOf) m = (this.wasmRows ??= new WasmRowMax(this.core, b, ncol)).max(b, g + 1, e, this.D);
          else m = scanRowMax(b, g + 1, e, this.D, ncol);
          if (Number.isNaN(m)) gene = undefined;
        }
      }
    }
    if (gene === undefined) {
      gene = this.careful(b, s, e, lineNo, this.scratch);
      kept = !this.keep || this.keep(gene);
      const p = this.picked(this.scratch);
      if (kept) {
        const { block, base } = this.slot();
        block.set(p.src, base);
      }
      m = p.m;
    }
    this.push(gene, kept, lineNo, m);
  }

  /** Records a data row (its values, if kept, are already in the slot). */
  private push(gene: string, kept: boolean, lineNo: number, m: number): void {
    const i = this.genes.length;
    if (i >= this.maxRows) throw overLimit("the number of data rows", "maxRows", { file: this.file, line: lineNo });
    if (i === this.rowMax.length) {
      const grown = new Float64Array(2 * i);
      grown.set(this.rowMax);
      this.rowMax = grown;
      const lines = new Int32Array(2 * i);
      lines.set(this.lineOf);
      this.lineOf = lines;
    }
    this.rowMax[i] = m;
    this.lineOf[i] = lineNo;
    this.genes.push(gene);
    if (kept) {
      this.keptGenes.push(gene);
      this.keptLines.push(lineNo);
    }
  }

  finish(policy: NonNullable<ReadOptions["duplicates"]>, onWarning: ReadOptions["onWarning"]): StreamResult {
    const { file, words } = this;
    const lay = this.lay;
    if (!lay) {
      if (this.header === undefined || isBlank(this.header)) throw new InputError(`empty ${words.file} file`, { file });
      throw new InputError(`${words.file} file has a header line but no data rows`, { file, line: 1 });
    }
    // Duplicates over every row, reported as readMatrixFile reports them for the whole file (R fails on
    // any duplicate row name); then the kept rows are merged, silently, by the same code.
    const all = makeMatrix(this.genes, [], new Float64Array(0));
    const distinct = mergeDuplicates(all, policy, words, file, onWarning, this.lineOf) === all;
    const nrow = this.keptGenes.length;
    const ncol = this.nout;
    const data = new Float64Array(nrow * ncol);
    // Row-major blocks to column-major, each block released once copied (peak: twice the kept values).
    const R = this.blockRows;
    for (let bi = 0; bi < this.blocks.length; bi++) {
      const blk = this.blocks[bi];
      const r0 = bi * R;
      const r1 = Math.min(nrow, r0 + R);
      for (let c = 0; c < ncol; c++) {
        const dst = c * nrow;
        for (let r = r0; r < r1; r++) data[dst + r] = blk[(r - r0) * ncol + c];
      }
      this.blocks[bi] = new Float64Array(0);
    }
    const p = this.pick;
    const m = makeMatrix(this.keptGenes, p ? Array.from(p, (c) => lay.cols[c]) : lay.cols, data, lay.rowHeader);
    const rowMax = this.rowMax.slice(0, this.genes.length);
    let max = -Infinity;
    for (let i = 0; i < rowMax.length; i++) if (rowMax[i] > max) max = rowMax[i];
    return {
      matrix: mergeDuplicates(m, policy, words, file, undefined, this.keptLines),
      max,
      genes: this.genes,
      distinct,
      rowMax,
      ...(p && { picked: { samples: lay.cols.length, columns: Array.from(p) } }),
    };
  }
}

/** NaN when a value is missing (only --na drop-gene reads one). */
function rowMax(a: Float64Array, at: number, n: number): number {
  let m = -Infinity;
  for (let c = at; c < at + n; c++) {
    if (a[c] > m) m = a[c];
    else if (Number.isNaN(a[c])) return NaN;
  }
  return m;
}

/** isBlank on the line's text, decoding only when the first byte is not already printable ASCII. */
function blank(b: Uint8Array, s: number, e: number): boolean {
  if (e === s) return true;
  if (b[s] > 32 && b[s] < 127) return false;
  return isBlank(lineDecoder.decode(b.subarray(s, e)));
}
