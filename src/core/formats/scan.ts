/**
 * Fast byte scanner for TSV/CSV expression tables (pure: no `node:` imports, runs in a web worker).
 *
 * It handles the common, well-formed case only: no double quotes, LF or CRLF line ends, fields without
 * surrounding blanks, every cell a plain decimal number. Anything else makes it return `null`, and the
 * caller (read.ts) re-reads the input with the original string-based parser, which produces the precise
 * error messages. Numbers are bit-identical to `rStrtod`: tokens without exponent and ≤ 15 significant
 * digits are computed as N / 10^k (correctly rounded, as parseFloat) and pass the same long-double hazard
 * filter; every other token is handed to `rStrtod` as a string.
 */
import { nearMidpointN, rDivPow10, rStrtod } from "./rnumber.js";

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Result of a fast scan: rows (kept genes), their 1-based line numbers, and column-major data. */
export interface ScanResult {
  header: string[];
  /** First data line's field count was header+1 (R write.table without the row-name header cell). */
  short: boolean;
  delim: string;
  rows: string[];
  lines: number[];
  data: Float64Array;
}

const td = new TextDecoder("utf-8");

export function str(b: Uint8Array, s: number, e: number): string {
  let ascii = e - s < 64;
  if (ascii)
    for (let i = s; i < e; i++)
      if (b[i] > 127) {
        ascii = false;
        break;
      }
  return ascii ? String.fromCharCode.apply(null, b.subarray(s, e) as unknown as number[]) : td.decode(b.subarray(s, e));
}

/** 1 when the field is not a plain decimal number (caller falls back). */
const BAD = 1;
let status = 0;

let numEnd = 0;
/** Where the last scanned number ended (first byte after it). */
export function scanEnd(): number {
  return numEnd;
}

/**
 * Parse the number starting at b[s], reading no further than e, exactly as `NUMBER.test(tok) ? rStrtod(tok)`
 * for tok = the longest prefix matching the number grammar; sets `numEnd` after it and `status = BAD` when
 * there is no such prefix, the exponent is incomplete, or the value is not finite. The caller checks that a
 * delimiter or the line end follows.
 */
export function scanNumber(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  let c = b[i];
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let n = 0; // significant digits as an integer (exact while ndig ≤ 15)
  let ndig = 0;
  let frac = 0;
  let nd = 0; // mantissa digits seen
  for (; i < e; i++) {
    c = b[i] - 48;
    if (c < 0 || c > 9) break;
    nd++;
    if (ndig > 0 || c !== 0) {
      ndig++;
      n = n * 10 + c;
    }
  }
  if (i < e && b[i] === 46) {
    i++;
    for (; i < e; i++) {
      c = b[i] - 48;
      if (c < 0 || c > 9) break;
      nd++;
      frac++;
      if (ndig > 0 || c !== 0) {
        ndig++;
        n = n * 10 + c;
      }
    }
  }
  if (nd === 0) {
    status = BAD;
    return NaN;
  }
  if (i < e && (b[i] === 101 || b[i] === 69)) {
    // exponent: validate, then let rStrtod do it from the string
    let j = i + 1;
    if (j < e && (b[j] === 43 || b[j] === 45)) j++;
    const d0 = j;
    for (; j < e; j++) {
      c = b[j] - 48;
      if (c < 0 || c > 9) break;
    }
    if (j === d0) {
      status = BAD;
      return NaN;
    }
    numEnd = j;
    return slow(b, s, j);
  }
  numEnd = i;
  if (ndig === 0) return neg ? -0 : 0;
  if (ndig > 15) return slow(b, s, i);
  if (frac === 0) return neg ? -n : n;
  if (frac > 22) return slow(b, s, i);
  const d = n / POW10[frac];
  if (nearMidpointN(d, frac, n, 0)) return neg ? -rDivPow10(n, frac) : rDivPow10(n, frac);
  return neg ? -d : d;
}

function slow(b: Uint8Array, s: number, e: number): number {
  const v = rStrtod(str(b, s, e));
  if (!Number.isFinite(v)) status = BAD;
  return v;
}

/**
 * The `ncol` cells of one line, b[s..e) after the gene field, separated by byte `D`, into out[base..]: true
 * when every cell is a plain number ending at a delimiter (the last at `e`), false when the line needs the
 * careful parser (some of out may then be written).
 */
export function scanCells(b: Uint8Array, s: number, e: number, D: number, ncol: number, out: Float64Array, base: number): boolean {
  status = 0;
  for (let c = 0; c < ncol; c++) {
    const v = scanNumber(b, s, e);
    if (status !== 0) return false;
    const f = numEnd;
    if (c === ncol - 1 ? f !== e : b[f] !== D) return false;
    out[base + c] = v;
    s = f + 1;
  }
  return true;
}

/** Relative margin of scanRowMax's candidates: 4 ulps, above the 1-ulp error of a quick value. */
const QUICK_TOL = 2 ** -50;
let candAt = new Int32Array(64);
let candV = new Float64Array(64);

/**
 * The row check of scanCells without storing: true/false as scanCells, and the largest cell value, bit for bit
 * as the maximum of scanCells' values, or NaN when the line needs the careful parser. Faster: every cell of a
 * non-signature row passes here and, in a short run, before V8 has optimised anything, so the common cell
 * ([-]digits[.digits], at most 15 digits) is read by one loop with no call and taken as N / 10^k (within an
 * ulp of R's value, no hazard filter); only cells within 4 ulps of the row's quick maximum at the time they
 * are seen are kept as candidates and then read exactly by scanNumber. (Quick values are 0 or ≥ 1e-15 in
 * magnitude, so a relative margin holds.) Any other row (a sign +, an exponent, long mantissas, a bad or
 * missing cell) is read exactly, cell by cell, as scanCells reads it.
 */
export function scanRowMax(b: Uint8Array, s: number, e: number, D: number, ncol: number): number {
  const s0 = s;
  let qm = -Infinity;
  let nc = 0;
  for (let c = 0; c < ncol; c++) {
    const at = s;
    const neg = b[s] === 45;
    if (neg) s++;
    const d0 = s;
    let n = 0;
    let x = 0;
    while (s < e && (x = b[s] - 48) >= 0 && x <= 9) {
      n = n * 10 + x;
      s++;
    }
    let nd = s - d0;
    let frac = 0;
    if (s < e && b[s] === 46) {
      const f0 = ++s;
      while (s < e && (x = b[s] - 48) >= 0 && x <= 9) {
        n = n * 10 + x;
        s++;
      }
      frac = s - f0;
      nd += frac;
    }
    if (nd === 0 || nd > 15 || (c === ncol - 1 ? s !== e : s >= e || b[s] !== D)) return exactRowMax(b, s0, e, D, ncol);
    const q = frac === 0 ? n : n / POW10[frac];
    const v = neg ? -q : q;
    if (v >= qm - Math.abs(qm) * QUICK_TOL) {
      if (nc === candAt.length) {
        const a = new Int32Array(2 * nc);
        a.set(candAt);
        candAt = a;
        const w = new Float64Array(2 * nc);
        w.set(candV);
        candV = w;
      }
      candAt[nc] = at;
      candV[nc++] = v;
      if (v > qm) qm = v;
    }
    s++;
  }
  return candidateMax(b, e, candAt, candV, nc);
}

/**
 * The row's maximum from its candidates (start offsets `at`, quick values `v`, nc of them; the row's quick
 * maximum is among them): those within 4 ulps of it read exactly.
 */
function candidateMax(b: Uint8Array, e: number, at: Int32Array, v: Float64Array, nc: number): number {
  let qm = -Infinity;
  for (let k = 0; k < nc; k++) if (v[k] > qm) qm = v[k];
  const lo = qm - Math.abs(qm) * QUICK_TOL;
  let m = -Infinity;
  for (let k = 0; k < nc; k++) {
    if (v[k] < lo) continue;
    const x = scanNumber(b, at[k], e);
    if (x > m) m = x;
  }
  return m;
}

/** scanRowMax of a row outside the common case: every cell read exactly (scanCells' values and checks). */
function exactRowMax(b: Uint8Array, s: number, e: number, D: number, ncol: number): number {
  status = 0;
  let m = -Infinity;
  for (let c = 0; c < ncol; c++) {
    const v = scanNumber(b, s, e);
    if (status !== 0) return NaN;
    const f = numEnd;
    if (c === ncol - 1 ? f !== e : b[f] !== D) return NaN;
    if (v > m) m = v;
    s = f + 1;
  }
  return m;
}

/**
 * Scan a whole decoded table. `keep(gene)` selects rows (kept rows are the only ones stored). Returns null
 * when the input needs the careful parser (quotes, lone CR, blanks, ragged rows, bad cells, …).
 */
export function scanTable(b: Uint8Array, csvName: boolean, keep?: (gene: string) => boolean): ScanResult | null {
  let p = 0;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) p = 3;
  if (b.indexOf(34, p) >= 0) return null; // quotes
  const n = b.length;
  const lineEnd = (from: number): number => {
    const k = b.indexOf(10, from);
    return k < 0 ? n : k;
  };
  // header
  let le = lineEnd(p);
  const he = le > p && b[le - 1] === 13 ? le - 1 : le;
  const headerText = td.decode(b.subarray(p, he));
  if (headerText.includes("\r")) return null;
  const hasTab = headerText.includes("\t");
  const hasComma = headerText.includes(",");
  const delim = hasTab && !(csvName && hasComma) ? "\t" : hasComma || csvName ? "," : "\t";
  const D = delim.charCodeAt(0);
  const header = headerText.split(delim);
  for (const h of header) if (h.length > 0 && (h.charCodeAt(0) <= 32 || h.charCodeAt(h.length - 1) <= 32)) return null;
  p = le + 1;
  if (p >= n) return null;
  // first data line decides the field count
  le = lineEnd(p);
  let nf = 1;
  for (let i = p; i < le; i++) if (b[i] === D) nf++;
  const short = nf === header.length + 1;
  if (!short && nf !== header.length) return null;
  const ncol = nf - 1;
  if (ncol === 0) return null;

  // Row-major while scanning (sequential writes), transposed at the end: peak 2× the float64 size.
  let nlines = 0;
  if (!keep) {
    for (let k = p; k < n; ) {
      const q = b.indexOf(10, k);
      nlines++;
      if (q < 0) break;
      k = q + 1;
    }
  }
  let cap = keep ? 1024 : Math.max(nlines, 1);
  let buf = new Float64Array(cap * ncol);
  const rows: string[] = [];
  const lines: number[] = [];
  let lineNo = 1;
  while (p < n) {
    lineNo++;
    le = lineEnd(p);
    const e = le > p && b[le - 1] === 13 ? le - 1 : le;
    if (e === p) {
      // blank line: fine only if everything after it is blank too
      for (let i = p; i < n; i++) if (b[i] > 32) return null;
      break;
    }
    const g = b.indexOf(D, p);
    if (g < 0 || g > e) return null;
    if (g === p || b[p] <= 32 || b[g - 1] <= 32) return null;
    const gene = str(b, p, g);
    if (keep && !keep(gene)) {
      p = le + 1;
      continue;
    }
    const r = rows.length;
    if (r === cap) {
      cap *= 2;
      const nb = new Float64Array(cap * ncol);
      nb.set(buf);
      buf = nb;
    }
    for (let i = p; i < g; i++) if (b[i] === 13) return null; // lone CR in the gene field
    if (!scanCells(b, g + 1, e, D, ncol, buf, r * ncol)) return null;
    rows.push(gene);
    lines.push(lineNo);
    p = le + 1;
  }
  const nrow = rows.length;
  const data = new Float64Array(nrow * ncol);
  // blocked transpose
  const B = 64;
  for (let r0 = 0; r0 < nrow; r0 += B) {
    const r1 = Math.min(nrow, r0 + B);
    for (let c0 = 0; c0 < ncol; c0 += B) {
      const c1 = Math.min(ncol, c0 + B);
      for (let c = c0; c < c1; c++) {
        const dst = c * nrow;
        for (let r = r0; r < r1; r++) data[dst + r] = buf[r * ncol + c];
      }
    }
  }
  if (nrow === 0 && !keep) return null;
  return { header, short, delim, rows, lines, data };
}
