// CIBERSORT's result as a MethodTable, the shape `compare`, the accuracy report and the browser page
// share with the other methods. The CIBERSORT-Results columns and their order are kept.
import { resultColumns, resultValue } from "../cibersort/output.js";
import type { CibersortResult } from "../cibersort/types.js";
import { makeMatrix } from "../matrix.js";
import type { MethodTable } from "./types.js";

/** Samples × (cell types, P-value, Correlation, RMSE[, Absolute score (m)]); estimates = the cell types. */
export function cibersortTable(res: CibersortResult): MethodTable {
  const cols = resultColumns(res);
  const S = res.samples.length;
  const data = new Float64Array(S * cols.length);
  for (let c = 0; c < cols.length; c++) for (let s = 0; s < S; s++) data[s + c * S] = resultValue(res, s, c);
  const { used, total } = res.diagnostics.signatureCoverage;
  return {
    method: "cibersort",
    rowHeader: "Mixture",
    values: makeMatrix([...res.samples], cols, data, "Mixture"),
    estimateColumns: res.cellTypes.length,
    // The result keeps the genes used, not the missing ones' names.
    coverage: [{ name: "signature", found: used, total, missing: [] }],
    warnings: [...res.warnings],
  };
}
