// The cell scan of a batch of table rows, as TableStream.row does it for one row: run by the parallel
// reader's workers (parse-worker.ts), and in the reading thread for a batch cut short by an error.
import { scanCells, scanRowMax } from "../core/formats/scan.js";
import type { Core } from "../core/wasm.js";

export interface ScanTask {
  /** The text: every row of the batch lies in it. */
  bytes: Uint8Array;
  /** Per row: start of its first cell, end of the line, 1 when its values are kept. */
  rows: Int32Array;
  /** Delimiter byte and cells per row. */
  D: number;
  ncol: number;
  /** A shard's columns (stream.ts, ColumnPick): only they are converted, and rows not kept are skipped. */
  pick?: Int32Array;
}

export interface ScanDone {
  /** Each row's maximum (NaN: the row needs the careful parser), then the kept rows' values, row after row. */
  out: Float64Array;
  /** The text again when some row needs the careful parser (the reading thread parses that row). */
  bytes?: Uint8Array;
}

/**
 * The batch's text in a Wasm core's memory, so that each row's maximum (rows not kept: most of a large cohort's
 * cells) comes from the rowMaxExact kernel (assembly/rowmax.ts), faster than by scanRowMax's own loop
 * (docs/scale.md, Reading); a row that is not plain decimals is scanRowMax's.
 */
export class WasmRowMax {
  protected readonly p: number;

  constructor(
    protected readonly core: Core,
    b: Uint8Array,
    protected readonly ncol: number,
  ) {
    const x = core.x;
    x.reset();
    this.p = x.alloc(b.length);
    new Uint8Array(x.memory.buffer, this.p, b.length).set(b);
  }

  max(b: Uint8Array, s: number, e: number, D: number): number {
    const m = this.core.x.rowMaxExact(this.p, s, e, D, this.ncol);
    return Number.isNaN(m) ? scanRowMax(b, s, e, D, this.ncol) : m;
  }
}

const ascii = new TextDecoder();

/** Lines scanLines splits per call at most (its output is 20 bytes a line), and the bytes their names may take. */
export const LINE_BATCH = 512;
const NAMES_ROOM = 1 << 16;

/**
 * WasmRowMax's text split into lines by the scanLines kernel (assembly/rowmax.ts), a batch at a time: for line i,
 * start at[3i], end of the first field at[3i + 1] (ASCII; −1: the host reads the line), end at[3i + 2], and the
 * row's maximum maxes[i] (NaN: not plain decimals).
 */
export class WasmLines extends WasmRowMax {
  private readonly linesP: number;
  private readonly maxesP: number;
  private readonly namesP: number;
  /** After scan(): line i's first field (ASCII; "" for a line the host reads itself). */
  names: string[] = [];
  private readonly valuesP: number;
  readonly at: Int32Array;
  readonly maxes: Float64Array;
  private readonly values: Float64Array;

  constructor(core: Core, b: Uint8Array, ncol: number) {
    super(core, b, ncol);
    const x = core.x;
    this.linesP = x.alloc(12 * LINE_BATCH);
    this.maxesP = x.alloc(8 * LINE_BATCH);
    this.namesP = x.alloc(4 + NAMES_ROOM);
    this.valuesP = x.alloc(8 * ncol);
    const mem = x.memory.buffer; // views after the last alloc (memory may have grown)
    this.at = new Int32Array(mem, this.linesP, 3 * LINE_BATCH);
    this.maxes = new Float64Array(mem, this.maxesP, LINE_BATCH);
    this.values = new Float64Array(mem, this.valuesP, ncol);
    this.mem = mem;
  }

  private readonly mem: ArrayBuffer;

  /** scanCells of the row's cells b[s..e) into out[base..] when they are plain decimals (rowValues); else false. */
  row(s: number, e: number, D: number, out: Float64Array, base: number): boolean {
    if (this.core.x.rowValues(this.p, s, e, D, this.ncol, this.valuesP) === 0) return false;
    out.set(this.values, base);
    return true;
  }

  /** How many lines of b[s..n) were split, at most LINE_BATCH (at eof the last may end at n); 0: none is whole. */
  scan(s: number, n: number, eof: boolean, D: number): number {
    const x = this.core.x;
    const k = x.scanLines(this.p, s, n, eof ? 1 : 0, D, this.ncol, this.linesP, this.maxesP, this.namesP, NAMES_ROOM, LINE_BATCH);
    // One decode and one split for the batch's names, not a string made per row.
    const len = new Int32Array(this.mem, this.namesP, 1)[0];
    this.names = ascii.decode(new Uint8Array(this.mem, this.namesP + 4, len)).split("\n");
    return k;
  }
}

/** scanBatch; with a Wasm core, rows not kept are scanned by its row-maximum kernel (same result). */
export function scanBatch(t: ScanTask, core?: Core): ScanDone {
  const { bytes: b, rows, D, ncol, pick } = t;
  const n = rows.length / 3;
  const wasm = core && !pick && ncol > 0 ? new WasmRowMax(core, b, ncol) : undefined;
  const nout = pick ? pick.length : ncol;
  let kept = 0;
  for (let i = 0; i < n; i++) kept += rows[3 * i + 2];
  const out = new Float64Array(n + kept * nout);
  let at = n;
  let careful = false;
  for (let i = 0; i < n; i++) {
    const s = rows[3 * i];
    const e = rows[3 * i + 1];
    let m: number;
    if (rows[3 * i + 2] === 1) {
      m = NaN;
      if (pick ? scanPicked(b, s, e, D, pick, out, at) : scanCells(b, s, e, D, ncol, out, at)) {
        m = -Infinity;
        for (let c = at; c < at + nout; c++) if (out[c] > m) m = out[c];
      }
      at += nout;
    } else if (pick) {
      m = -Infinity; // not kept: not needed (see ColumnPick)
    } else {
      m = wasm ? wasm.max(b, s, e, D) : scanRowMax(b, s, e, D, ncol);
    }
    out[i] = m;
    careful ||= Number.isNaN(m);
  }
  return careful ? { out, bytes: b } : { out };
}

/**
 * scanCells for the cells of columns `pick` (ascending) only, into out[base..]: the other cells are skipped
 * by their delimiters, unconverted. False when a picked cell needs the careful parser or the line has too
 * few cells.
 */
export function scanPicked(b: Uint8Array, s: number, e: number, D: number, pick: Int32Array, out: Float64Array, base: number): boolean {
  let c = 0; // the column that starts at s
  for (let j = 0; j < pick.length; j++) {
    for (; c < pick[j]; c++) {
      while (s < e && b[s] !== D) s++;
      if (s >= e) return false;
      s++;
    }
    let f = s;
    while (f < e && b[f] !== D) f++;
    if (!scanCells(b, s, f, D, 1, out, base + j)) return false;
    s = f + 1;
    c++;
  }
  return true;
}
