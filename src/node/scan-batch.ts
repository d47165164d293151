// The cell scan of a batch of table rows, as TableStream.row does it for one row: run by the parallel
// reader's workers (parse-worker.ts), and in the reading thread for a batch cut short by an error.
import { scanCells, scanRowMax } from "../core/formats/scan.js";

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

export function scanBatch(t: ScanTask): ScanDone {
  const { bytes: b, rows, D, ncol, pick } = t;
  const n = rows.length / 3;
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
      m = scanRowMax(b, s, e, D, ncol);
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
