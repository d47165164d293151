// The common case of scanRowMax (src/core/formats/scan.ts), the check of every row a run does not keep: a row of
// plain decimal cells ([-]digits[.digits], 1–15 digits, delimiter D between cells, the line ending at e), each
// taken as N / 10^k exactly as the TypeScript loop takes it, or as R reads it where the two may differ (x87.ts);
// any other row is the host's (scanRowMax, scanCells, the careful parser). scanLines
// also splits a buffer's lines, so that a short run's reader does not split them in not yet optimised JavaScript.
// Compiled code reads the bytes faster, above all before V8 has optimised the loop (docs/scale.md, Reading).

import { rS, rE, rM, x87FromD, x87Div, x87ToD } from "./x87";

const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
  1e22,
];
const QUICK_TOL: f64 = 8.881784197001252e-16; // 2^-50: 4 ulps, above a quick value's 1-ulp error

const SPLITTER: f64 = 134217729; // 2^27 + 1: Dekker's split of a double into two 26-bit halves

/**
 * rnumber.ts's nearMidpointN for N = n (an integer below 2^53) and d = n / 10^k correctly rounded, with the
 * same operations in the same order: true when R's long-double reading of the digits may round to another
 * double than d (and for powers of two). Ulps at the bottom of the range (never a quick value's) say true.
 */
function nearMidpoint(d: f64, k: i32, n: f64): bool {
  const bits = reinterpret<u64>(d);
  if ((bits & 0x000fffffffffffff) == 0) return true;
  const F = unchecked(POW10[k]);
  const p = d * F;
  let t = SPLITTER * d;
  const ah = t - (t - d);
  const al = d - ah;
  t = SPLITTER * F;
  const bh = t - (t - F);
  const bl = F - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl;
  const r = Math.abs(n - p + (0 - pe));
  const e = <i32>(bits >>> 52) & 0x7ff;
  if (e <= 53) return true;
  const ulp = reinterpret<f64>(<u64>(e - 52) << 52);
  const half = (ulp * F) / 2;
  return r >= half * 0.998046875; // (1 − 2^−9)
}

let cellN: f64 = 0;
let cellFrac: i32 = 0;

/**
 * The plain decimal cell (after its sign) at b[s..e): its 1–15 digits as the integer cellN, cellFrac of them
 * after the point; returns where it ends, or −1 when it is not such a cell.
 */
@inline function plainCell(b: usize, s: i32, e: i32): i32 {
  const d0 = s;
  let n: f64 = 0;
  while (s < e) {
    const x = <i32>load<u8>(b + <usize>s) - 48;
    if (<u32>x > 9) break;
    n = n * 10 + <f64>x;
    s++;
  }
  let nd = s - d0;
  let frac = 0;
  if (s < e && load<u8>(b + <usize>s) == 46) {
    const f0 = ++s;
    while (s < e) {
      const x = <i32>load<u8>(b + <usize>s) - 48;
      if (<u32>x > 9) break;
      n = n * 10 + <f64>x;
      s++;
    }
    frac = s - f0;
    nd += frac;
  }
  if (nd == 0 || nd > 15) return -1;
  cellN = n;
  cellFrac = frac;
  return s;
}

/** The cell ending at s is the row's c-th of ncol: followed by D, the last by the line end e. */
@inline function cellEnds(b: usize, s: i32, e: i32, D: i32, c: i32, ncol: i32): bool {
  return c == ncol - 1 ? s == e : s < e && <i32>load<u8>(b + <usize>s) == D;
}

/**
 * R's value of the plain decimal n / 10^k (rDivPow10 in rnumber.ts): R_strtod divides the digits, exact in a long
 * double, by 10^k, also exact, rounds the quotient to 64 bits and then to a double.
 */
function rValue(n: f64, k: i32): f64 {
  x87FromD(n);
  const s = rS, e = rE, m = rM;
  x87FromD(unchecked(POW10[k]));
  x87Div(s, e, m, rS, rE, rM);
  return x87ToD(rS, rE, rM);
}

/** The cell's value as scanNumber reads it: the quick n / 10^k, or R's where the two may differ. */
@inline function cellValue(n: f64, frac: i32): f64 {
  const q = frac == 0 ? n : n / unchecked(POW10[frac]);
  return frac != 0 && n != 0 && nearMidpoint(q, frac, n) ? rValue(n, frac) : q;
}

/**
 * scanRowMax of a row of plain decimal cells: the first largest cell value, bit for bit R's; NaN when the row
 * is not such a row (the host reads it). A cell's quick value N / 10^k is R's unless nearMidpoint says it may not
 * be; only cells within 4 ulps of the row's quick maximum can be the maximum, and each of them was within 4 ulps
 * of the running maximum when seen (a candidate): the quick maximum is the answer unless such a candidate may be
 * read otherwise, and then those cells are read again, exactly (candidateMax in scan.ts).
 */
export function rowMaxExact(b: usize, s: i32, e: i32, D: i32, ncol: i32): f64 {
  const s0 = s;
  let qm = -Infinity;
  let hm = -Infinity; // largest candidate whose quick value may not be R's
  for (let c = 0; c < ncol; c++) {
    const neg = load<u8>(b + <usize>s) == 45;
    s = plainCell(b, neg ? s + 1 : s, e);
    if (s < 0 || !cellEnds(b, s, e, D, c, ncol)) return NaN;
    const n = cellN, frac = cellFrac;
    const q = frac == 0 ? n : n / unchecked(POW10[frac]);
    const v = neg ? -q : q;
    if (v >= qm - Math.abs(qm) * QUICK_TOL) {
      if (frac != 0 && n != 0 && nearMidpoint(q, frac, n) && v > hm) hm = v;
      if (v > qm) qm = v;
    }
    s++;
  }
  const lo = qm - Math.abs(qm) * QUICK_TOL;
  if (hm < lo) return qm;
  let m = -Infinity;
  s = s0;
  for (let c = 0; c < ncol; c++) {
    const neg = load<u8>(b + <usize>s) == 45;
    s = plainCell(b, neg ? s + 1 : s, e) + 1;
    const n = cellN, frac = cellFrac;
    const q = frac == 0 ? n : n / unchecked(POW10[frac]);
    if ((neg ? -q : q) < lo) continue;
    const x = cellValue(n, frac);
    if ((neg ? -x : x) > m) m = neg ? -x : x;
  }
  return m;
}

/** scanCells of a row of plain decimal cells: the `ncol` values, R's, at `out`; returns 1. 0: the host reads the row. */
export function rowValues(b: usize, s: i32, e: i32, D: i32, ncol: i32, out: usize): i32 {
  for (let c = 0; c < ncol; c++) {
    const neg = load<u8>(b + <usize>s) == 45;
    s = plainCell(b, neg ? s + 1 : s, e);
    if (s < 0 || !cellEnds(b, s, e, D, c, ncol)) return 0;
    const x = cellValue(cellN, cellFrac);
    store<f64>(out + (<usize>c << 3), neg ? -x : x);
    s++;
  }
  return 1;
}

/**
 * The table reader's lines, for the rows it does not keep: the lines of b[s..n) (each ended by LF; at `eof`
 * the last may end at n; the host has checked that no CR or double quote lies in b[s..n)), at most `cap`.
 * For line i, at `lines` + 12i: its start, the end of its first field (−1 when the host reads the line itself:
 * blank, not starting with printable ASCII, no delimiter D, a first field empty, not ASCII or ending in a blank), its
 * end; at `maxes` + 8i: rowMaxExact of its `ncol` cells (NaN when not plain or with no first field). At `names`,
 * their byte count (i32), then the first fields one after the other, each followed by LF (none for g = −1), so
 * that the host makes all of a batch's names with one decode and one split; `room` bytes (at least 1): the batch
 * ends before a line whose name does not fit (the first line of a batch is then given g = −1). Returns how many
 * lines; an unfinished last line (no LF, not eof) is left for the next call.
 */
export function scanLines(
  b: usize,
  s: i32,
  n: i32,
  eof: i32,
  D: i32,
  ncol: i32,
  lines: usize,
  maxes: usize,
  names: usize,
  room: i32,
  cap: i32,
): i32 {
  let k = 0;
  let w = names + 4;
  const end = w + <usize>room;
  while (k < cap && s < n && w < end) {
    let e = s;
    while (e < n && load<u8>(b + <usize>e) != 10) e++;
    if (e == n && !eof) break;
    let g = -1;
    let m: f64 = NaN;
    const c0 = e > s ? <i32>load<u8>(b + <usize>s) : 0;
    if (c0 > 32 && c0 < 127) {
      let t = s;
      let high = 0; // a non-ASCII byte in the first field
      for (; t < e; t++) {
        const x = <i32>load<u8>(b + <usize>t);
        if (x == D) break;
        high |= x & 0x80;
      }
      if (t > s && t < e && high == 0 && load<u8>(b + <usize>(t - 1)) > 32) {
        if (w + <usize>(t - s) >= end) {
          if (k > 0) break; // the next batch begins with it
        } else {
          g = t;
          m = rowMaxExact(b, t + 1, e, D, ncol);
          memory.copy(w, b + <usize>s, <usize>(t - s));
          w += <usize>(t - s);
        }
      }
    }
    store<u8>(w++, 10);
    const o = lines + (<usize>k * 12);
    store<i32>(o, s);
    store<i32>(o + 4, g);
    store<i32>(o + 8, e);
    store<f64>(maxes + (<usize>k << 3), m);
    k++;
    s = e + 1;
  }
  store<i32>(names, <i32>(w - names - 4));
  return k;
}
