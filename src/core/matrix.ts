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

/**
 * Row indices grouped by row name, groups in order of first occurrence; null when every name is unique.
 * The one duplicate-row rule of the readers (policies first/mean/max), Ensembl mapping and EPIC (median).
 */
export function rowGroups(rows: readonly string[]): Map<string, number[]> | null {
  // Most tables have no duplicate: a Set tells so without an array per row (a cohort's 60k rows, read twice).
  if (new Set(rows).size === rows.length) return null;
  const groups = new Map<string, number[]>();
  for (let r = 0; r < rows.length; r++) {
    const g = groups.get(rows[r]);
    if (g) g.push(r);
    else groups.set(rows[r], [r]);
  }
  return groups.size === rows.length ? null : groups;
}

/** One value for a column from a group's rows (`col` = the column's offset in `data`, rows in file order). */
export type RowCombiner = (data: Float64Array, col: number, rows: readonly number[]) => number;

/** The readers' duplicate policies as combiners (mean and max accumulate in row order, from the first row). */
export const ROW_COMBINERS: Record<"first" | "mean" | "max", RowCombiner> = {
  first: (d, c, rs) => d[c + rs[0]],
  mean: (d, c, rs) => {
    let v = d[c + rs[0]];
    for (let k = 1; k < rs.length; k++) v += d[c + rs[k]];
    return v / rs.length;
  },
  max: (d, c, rs) => {
    let v = d[c + rs[0]];
    for (let k = 1; k < rs.length; k++) v = Math.max(v, d[c + rs[k]]);
    return v;
  },
};

/** One row per group, at the group's first occurrence and named by it; a row without duplicates is copied as is. */
export function mergeRowGroups(m: Matrix, groups: Map<string, number[]>, combine: RowCombiner): Matrix {
  const nr = m.rows.length;
  const nc = m.cols.length;
  const out = [...groups.values()];
  const nu = out.length;
  const data = new Float64Array(nu * nc);
  for (let c = 0; c < nc; c++) {
    const src = c * nr;
    const dst = c * nu;
    for (let u = 0; u < nu; u++) {
      const rs = out[u];
      data[dst + u] = rs.length === 1 ? m.data[src + rs[0]] : combine(m.data, src, rs);
    }
  }
  return makeMatrix([...groups.keys()], m.cols, data, m.rowHeader);
}
