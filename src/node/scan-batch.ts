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
}

export interface ScanDone {
  /** Each row's maximum (NaN: the row needs the careful parser), then the kept rows' values, row after row. */
  out: Float64Array;
  /** The text again when some row needs the careful parser (the reading thread parses that row). */
  bytes?: Uint8Array;
}

export function scanBatch(t: ScanTask): ScanDone {
  const { bytes: b, rows, D, ncol } = t;
  const n = rows.length / 3;
  let kept = 0;
  for (let i = 0; i < n; i++) kept += rows[3 * i + 2];
  const out = new Float64Array(n + kept * ncol);
  let at = n;
  let careful = false;
  for (let i = 0; i < n; i++) {
    const s = rows[3 * i];
    const e = rows[3 * i + 1];
    let m: number;
    if (rows[3 * i + 2] === 1) {
      m = NaN;
      if (scanCells(b, s, e, D, ncol, out, at)) {
        m = -Infinity;
        for (let c = at; c < at + ncol; c++) if (out[c] > m) m = out[c];
      }
      at += ncol;
    } else {
      m = scanRowMax(b, s, e, D, ncol);
    }
    out[i] = m;
    careful ||= Number.isNaN(m);
  }
  return careful ? { out, bytes: b } : { out };
}
