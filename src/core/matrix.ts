/**
 * The one matrix type of cellfrac: a dense float64 matrix with row and column names, stored
 * **column-major** (`data[r + c * rows.length]`). Expression matrices are genes × samples and
 * signatures genes × cell types, so one column (a sample, a cell type) is a contiguous slice and can be
 * handed to a Wasm kernel without copying.
 */
export interface Matrix {
  /** Row names (gene symbols), in file order. */
  readonly rows: string[];
  /** Column names (samples or cell types), in file order. */
  readonly cols: string[];
  /** Values, column-major, length rows.length * cols.length. */
  readonly data: Float64Array;
  /** Text of the header's first cell (e.g. "Gene symbol"), kept for round trips. */
  readonly rowHeader?: string;
}

export function makeMatrix(rows: string[], cols: string[], data?: Float64Array, rowHeader?: string): Matrix {
  const n = rows.length * cols.length;
  if (data && data.length !== n) {
    throw new RangeError(`matrix data has ${data.length} values, expected ${rows.length} × ${cols.length} = ${n}`);
  }
  return { rows, cols, data: data ?? new Float64Array(n), rowHeader };
}

/** Column c as a view (no copy). */
export function column(m: Matrix, c: number): Float64Array {
  const nr = m.rows.length;
  return m.data.subarray(c * nr, (c + 1) * nr);
}

export function get(m: Matrix, r: number, c: number): number {
  return m.data[r + c * m.rows.length];
}

/** A new matrix holding the given rows (by index) and columns (by index), in the given order. */
export function selectRows(m: Matrix, rowIdx: ArrayLike<number>, colIdx?: ArrayLike<number>): Matrix {
  const nr = m.rows.length;
  const cols = colIdx ?? Array.from(m.cols, (_, i) => i);
  const out = new Float64Array(rowIdx.length * cols.length);
  for (let c = 0; c < cols.length; c++) {
    const src = cols[c] * nr;
    const dst = c * rowIdx.length;
    for (let r = 0; r < rowIdx.length; r++) out[dst + r] = m.data[src + rowIdx[r]];
  }
  return {
    rows: Array.from(rowIdx, (r) => m.rows[r]),
    cols: Array.from(cols, (c) => m.cols[c]),
    data: out,
    rowHeader: m.rowHeader,
  };
}
