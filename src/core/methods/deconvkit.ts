// Shared steps of the regression deconvolution methods (NNLS, EPIC, quanTIseq): the anti-log rule,
// signature coverage (genes are matched by genes.ts matchGenes), the non-negativity check and the samples × columns
// result table.
import { ANTILOG_MAX } from "../rbase.js";
import { InputError } from "../errors.js";
import { type Matrix, makeMatrix } from "../matrix.js";
import type { Core } from "../wasm.js";
import type { Coverage, MethodRunOptions, MethodTable } from "./types.js";

/** How to read mixture values: "auto" anti-logs (2^x) when the mixture's maximum is below 50. */
export type DeconvScale = "auto" | "linear" | "log2";

/** Options every regression method takes. */
export interface DeconvRunOptions extends MethodRunOptions {
  /** Default "auto". */
  scale?: DeconvScale;
  /** The whole mixture's maximum when this is a shard of its samples (the anti-log rule). */
  mixtureMax?: number;
  /** A Wasm instance to use (default: a fresh one). */
  core?: Core;
}

/**
 * A run's start: a mixture without samples is refused; warnings are kept for the table and passed on to
 * onWarning as they come.
 */
export function startRun(mixture: Matrix, opts: MethodRunOptions): { warnings: string[]; warn: (m: string) => void } {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.onWarning?.(m);
  };
  if (mixture.cols.length === 0) throw new InputError("the mixture has no samples");
  return { warnings, warn };
}

/**
 * The mixture on a linear scale: a copy with 2^x applied (in Wasm, the same pow as R on glibc) when
 * scale is "log2", or "auto" and max < 50 (CIBERSORT's and quanTIseq's rule). Reports the decision.
 * `mixtureMax`: the whole mixture's maximum when `mixture` holds only some of its samples (a shard).
 */
export function linearMixture(
  core: Core,
  mixture: Matrix,
  { scale = "auto", mixtureMax }: DeconvRunOptions,
  warn: (m: string) => void,
): { matrix: Matrix; antilog: boolean } {
  let antilog = scale === "log2";
  if (scale === "auto") {
    let max = mixtureMax ?? -Infinity;
    if (mixtureMax === undefined) for (const v of mixture.data) if (v > max) max = v;
    antilog = max < ANTILOG_MAX;
    if (antilog)
      warn(`mixture maximum ${max} < ${ANTILOG_MAX}: taken as log2 and anti-logged (2^x); use --scale linear to keep the values`);
  }
  if (!antilog) return { matrix: mixture, antilog };
  const p = core.putF64(mixture.data);
  core.x.antilog2(p, mixture.data.length);
  const data = Float64Array.from(core.f64(p, mixture.data.length));
  return { matrix: makeMatrix(mixture.rows, mixture.cols, data, mixture.rowHeader), antilog };
}

/** Coverage record of a signature gene list, with a warning when fewer than half of its genes are found. */
export function signatureCoverage(name: string, total: number, missing: string[], warn: (m: string) => void): Coverage {
  const found = total - missing.length;
  if (found * 2 < total) {
    const shown = missing.slice(0, 10).join(", ") + (missing.length > 10 ? ", …" : "");
    warn(`only ${found} of ${total} ${name} signature genes are in the mixture (missing: ${shown}); estimates rest on few genes`);
  }
  return { name, found, total, missing };
}

/**
 * Throws InputError at the first (sample-major, then row order) value of the given rows that is
 * negative or not finite (missing values pass when allowMissing): the method models non-negative
 * linear-scale expression.
 */
export function checkNonNegative(m: Matrix, rowIdx: readonly number[], what: string, allowMissing = false): void {
  const nr = m.rows.length;
  for (let c = 0; c < m.cols.length; c++) {
    for (const r of rowIdx) {
      const v = m.data[r + c * nr];
      if (allowMissing && Number.isNaN(v)) continue;
      if (!(v >= 0) || v === Infinity) {
        const why = Number.isNaN(v) ? "is missing (NA)" : v === Infinity ? "is infinite" : `is negative (${v})`;
        throw new InputError(`${what} value ${why}; this method needs non-negative linear-scale expression`, {
          gene: m.rows[r],
          sample: m.cols[c],
        });
      }
    }
  }
}

/** A deconvolution result (values column-major: data[sample + column · samples]); first column "Mixture". */
export function deconvTable(
  method: string,
  samples: readonly string[],
  columns: readonly string[],
  data: Float64Array,
  estimateColumns: number,
  coverage: Coverage[],
  warnings: string[],
): MethodTable {
  return {
    method,
    rowHeader: "Mixture",
    values: makeMatrix([...samples], [...columns], data, "Mixture"),
    estimateColumns,
    coverage,
    warnings,
  };
}
