// CIBERSORT result serialisations: the CIBERSORT-Results table (as the R script writes it, but with
// round-trip precision) and JSON.
import { formatTable } from "../formats/write.js";
import type { CibersortResult } from "./types.js";

/** Columns after the cell types, in R's order. */
export function resultColumns(res: CibersortResult): string[] {
  const cols = [...res.cellTypes, "P-value", "Correlation", "RMSE"];
  if (res.absMethod) cols.push(`Absolute score (${res.absMethod})`);
  return cols;
}

/** Value of row s, column c of the CIBERSORT-Results table. */
export function resultValue(res: CibersortResult, s: number, c: number): number {
  const T = res.cellTypes.length;
  const S = res.samples.length;
  if (c < T) return res.fractions.data[c * S + s];
  switch (c - T) {
    case 0:
      return res.pValue[s];
    case 1:
      return res.correlation[s];
    case 2:
      return res.rmse[s];
    default:
      return res.absoluteScore![s];
  }
}

/** `Mixture<TAB>cell types…<TAB>P-value<TAB>Correlation<TAB>RMSE[<TAB>Absolute score (m)]`. */
export function toResultsTable(res: CibersortResult): string {
  return formatTable("Mixture", resultColumns(res), res.samples, (s, c) => resultValue(res, s, c));
}

const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** JSON document: one object per sample plus run information. NaN becomes null. */
export function toResultsJSON(res: CibersortResult): string {
  const d = res.diagnostics;
  const nNu = d.iterations.length / Math.max(1, res.samples.length);
  const samples = res.samples.map((name, s) => ({
    sample: name,
    fractions: Object.fromEntries(res.cellTypes.map((t, c) => [t, num(resultValue(res, s, c))])),
    pValue: num(res.pValue[s]),
    correlation: num(res.correlation[s]),
    rmse: num(res.rmse[s]),
    ...(res.absMethod ? { absoluteScore: num(res.absoluteScore![s]) } : {}),
    nu: num(d.nu[s]),
    iterations: Array.from(d.iterations.subarray(s * nNu, (s + 1) * nNu)),
  }));
  const doc = {
    method: "cibersort",
    cellTypes: res.cellTypes,
    absMethod: res.absMethod ?? null,
    samples,
    warnings: res.warnings,
    genesUsed: d.signatureCoverage.used,
    signatureGenes: d.signatureCoverage.total,
    missingGenes: d.signatureCoverage.missing,
    antilog: d.antilog,
    yMedian: d.yMedian,
    permutations: d.nullDistribution.length,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
