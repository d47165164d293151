// The cell scan of a batch of table rows, as TableStream.row does it for one row: run by the parallel
// reader's workers (parse-worker.ts), and in the reading thread for a batch cut short by an error.
import { candidateMax, scanCells, scanRowMax } from "../core/formats/scan.js";
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
 * cells) comes from the rowMaxCandidates kernel: the same candidates as scanRowMax's own loop, read about twice as
 * fast (assembly/rowmax.ts); the candidates' exact values and every other row as scanRowMax.
 */
export class WasmRowMax {
  private readonly p: number;
  private readonly at: Int32Array;
  private readonly v: Float64Array;
  private readonly atP: number;
  private readonly vP: number;

  constructor(
    private readonly core: Core,
    b: Uint8Array,
    private readonly ncol: number,
  ) {
    const x = core.x;
    x.reset();
    this.p = x.alloc(b.length);
    this.atP = x.alloc(4 * ncol);
    this.vP = x.alloc(8 * ncol);
    const mem = x.memory.buffer; // views after the last alloc (memory may have grown)
    new Uint8Array(mem, this.p, b.length).set(b);
    this.at = new Int32Array(mem, this.atP, ncol);
    this.v = new Float64Array(mem, this.vP, ncol);
  }

  max(b: Uint8Array, s: number, e: number, D: number): number {
    const nc = this.core.x.rowMaxCandidates(this.p, s, e, D, this.ncol, this.atP, this.vP, this.ncol);
    return nc < 0 ? scanRowMax(b, s, e, D, this.ncol) : candidateMax(b, e, this.at, this.v, nc);
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
