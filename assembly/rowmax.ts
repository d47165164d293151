// The common case of scanRowMax (src/core/formats/scan.ts) for the parallel reader's workers: one row of plain
// decimal cells ([-]digits[.digits], 1–15 digits, delimiter D between cells, the line ending at e), each taken as
// N / 10^k exactly as the TypeScript loop takes it, and the cells within 4 ulps of the row's running maximum
// written out as candidates (their exact value is then read by the host's scanNumber). Same operations, so the
// same candidates as the TypeScript loop; compiled code reads the bytes 1.7–2× as fast (docs/scale.md, Reading; bench/rowmax.ts).

const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
  1e22,
];
const QUICK_TOL: f64 = 8.881784197001252e-16; // 2^-50

/**
 * Candidates of row b[s..e) of `ncol` cells: their start offsets (i32) at `at` and quick values (f64) at `val`,
 * at most `cap`. Returns how many, −1 when the row is not the common case (the host reads it exactly), −2 when
 * more than `cap` cells are candidates.
 */
export function rowMaxCandidates(b: usize, s: i32, e: i32, D: i32, ncol: i32, at: usize, val: usize, cap: i32): i32 {
  let qm = -Infinity;
  let nc = 0;
  for (let c = 0; c < ncol; c++) {
    const start = s;
    const neg = load<u8>(b + <usize>s) == 45;
    if (neg) s++;
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
    if (c == ncol - 1 ? s != e : s >= e || <i32>load<u8>(b + <usize>s) != D) return -1;
    const q = frac == 0 ? n : n / unchecked(POW10[frac]);
    const v = neg ? -q : q;
    if (v >= qm - Math.abs(qm) * QUICK_TOL) {
      if (nc == cap) return -2;
      store<i32>(at + (<usize>nc << 2), start);
      store<f64>(val + (<usize>nc << 3), v);
      nc++;
      if (v > qm) qm = v;
    }
    s++;
  }
  return nc;
}
