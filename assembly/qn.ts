// preprocessCore::normalize.quantiles for matrices without NA, as built on Linux (docs/quantile-normalisation.md):
// target[i] = double(x87-sum over columns of the i-th smallest value) / C, then each value is replaced by
// the target at its average rank (half-integer ranks take the mean of the two neighbouring targets).
import { x87FromD, x87Add, x87ToD, rS, rE, rM } from "./x87";

/** Stable ascending sort of idx[0..n) by key[idx] (bottom-up merge sort; tmp has room for n). */
export function sortIndexByKey(key: usize, idx: usize, tmp: usize, n: i32): void {
  let src = idx, dst = tmp;
  for (let width = 1; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n), hi = min(lo + (width << 1), n);
      let a = lo, b = mid, o = lo;
      while (a < mid && b < hi) {
        const ia = load<i32>(src + (<usize>a << 2)), ib = load<i32>(src + (<usize>b << 2));
        // Take from the right run only when strictly smaller: equal keys keep their order.
        if (load<f64>(key + (<usize>ib << 3)) < load<f64>(key + (<usize>ia << 3))) {
          store<i32>(dst + (<usize>o << 2), ib);
          b++;
        } else {
          store<i32>(dst + (<usize>o << 2), ia);
          a++;
        }
        o++;
      }
      for (; a < mid; a++, o++) store<i32>(dst + (<usize>o << 2), load<i32>(src + (<usize>a << 2)));
      for (; b < hi; b++, o++) store<i32>(dst + (<usize>o << 2), load<i32>(src + (<usize>b << 2)));
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src != idx) memory.copy(idx, src, <usize>n << 2);
}

/**
 * In-place quantile normalisation of a column-major rows × cols matrix at `x`.
 * Scratch: `acc` 16·rows bytes (x87 accumulators), `idx` and `tmp` 4·rows bytes each, `target` 8·rows bytes.
 * The same three steps are exported one column at a time (qnClear/qnAccumulate, qnTarget, qnApply) so a
 * host can normalise a matrix larger than one Wasm block with the same bits.
 */
export function quantileNormalize(x: usize, rows: i32, cols: i32, acc: usize, idx: usize, tmp: usize, target: usize): void {
  qnClear(acc, rows);
  for (let c = 0; c < cols; c++) qnAccumulate(x + ((<usize>c * <usize>rows) << 3), rows, acc, idx, tmp);
  qnTarget(acc, rows, cols, target);
  for (let c = 0; c < cols; c++) qnApply(x + ((<usize>c * <usize>rows) << 3), rows, idx, tmp, target);
}

/** Zero the long-double accumulators (16·rows bytes). */
export function qnClear(acc: usize, rows: i32): void {
  memory.fill(acc, 0, <usize>rows << 4);
}

/** Add one column's sorted values to the accumulators (columns must come in matrix order). */
export function qnAccumulate(col: usize, rows: i32, acc: usize, idx: usize, tmp: usize): void {
  for (let i = 0; i < rows; i++) store<i32>(idx + (<usize>i << 2), i);
  sortIndexByKey(col, idx, tmp, rows);
  for (let i = 0; i < rows; i++) {
    const v = load<f64>(col + (<usize>load<i32>(idx + (<usize>i << 2)) << 3));
    const a = acc + (<usize>i << 4);
    x87FromD(v);
    x87Add(load<u32>(a + 12), load<i32>(a + 8), load<u64>(a), rS, rE, rM);
    store<u64>(a, rM);
    store<i32>(a + 8, rE);
    store<u32>(a + 12, rS);
  }
}

/** target[i] = double(x87 sum of the i-th smallest values) / cols. */
export function qnTarget(acc: usize, rows: i32, cols: i32, target: usize): void {
  for (let i = 0; i < rows; i++) {
    const a = acc + (<usize>i << 4);
    const s = x87ToD(load<u32>(a + 12), load<i32>(a + 8), load<u64>(a));
    store<f64>(target + (<usize>i << 3), s / <f64>cols);
  }
}

/** Replace one column's values, in place, by the target at their average rank. */
export function qnApply(col: usize, rows: i32, idx: usize, tmp: usize, target: usize): void {
  for (let i = 0; i < rows; i++) store<i32>(idx + (<usize>i << 2), i);
  sortIndexByKey(col, idx, tmp, rows);
  // Tie groups at sorted positions a..b get rank (a + b + 2) / 2 (1-based average rank).
  let a = 0;
  while (a < rows) {
    const va = load<f64>(col + (<usize>load<i32>(idx + (<usize>a << 2)) << 3));
    let b = a;
    while (b + 1 < rows && load<f64>(col + (<usize>load<i32>(idx + (<usize>(b + 1) << 2)) << 3)) == va) b++;
    const rank = <f64>(a + b + 2) / 2.0;
    const f = <i32>Math.floor(rank);
    let value: f64;
    if (rank - <f64>f > 0.4) {
      value = 0.5 * (load<f64>(target + (<usize>(f - 1) << 3)) + load<f64>(target + (<usize>f << 3)));
    } else {
      value = load<f64>(target + (<usize>(f - 1) << 3));
    }
    // Only this group's positions are overwritten; later groups are still read from the original values.
    for (let k = a; k <= b; k++) store<f64>(col + (<usize>load<i32>(idx + (<usize>k << 2)) << 3), value);
    a = b + 1;
  }
}
