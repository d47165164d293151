// The one interface behind which every method other than CIBERSORT's R-identical pipeline sits
// (NNLS, EPIC, quanTIseq, ssGSEA, singscore, MCP-counter, ESTIMATE, plain signature scores).
// CIBERSORT keeps its richer CibersortResult (P-values, diagnostics) and converts to a MethodTable for
// `compare` and the browser page with `cibersortTable` (methods/cibersort-table.ts).
import type { Matrix } from "../matrix.js";

/** How much of a signature or gene set the mixture covers. */
export interface Coverage {
  /** Signature, gene set or marker list name. */
  name: string;
  found: number;
  total: number;
  /** Genes (markers) not found in the mixture, in the signature's order. */
  missing: string[];
}

/** What every method returns: one row per sample, one column per cell type / gene set / fit statistic. */
export interface MethodTable {
  /** Method id as on the command line, e.g. "nnls", "epic", "ssgsea". */
  method: string;
  /** Header of the first output column: "Mixture" for deconvolution, "sample" for scores. */
  rowHeader: string;
  /** samples × columns; column names are cell types or gene sets first, then fit columns (e.g. "RMSE"). */
  values: Matrix;
  /** How many of `values.cols` are estimates (fractions/scores); the rest are fit statistics. */
  estimateColumns: number;
  coverage: Coverage[];
  warnings: string[];
  /** Mixture rows matched under the list's name, "list's name ← mixture's name" (genes.ts meetGenes). */
  renamed?: string[];
}

/** Options every method accepts. */
export interface MethodRunOptions {
  onWarning?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** A method module: a pure function of a genes × samples mixture (already read and validated). */
export interface Method<O extends MethodRunOptions = MethodRunOptions> {
  id: string;
  /** One line for help texts and the browser page. */
  title: string;
  run(mixture: Matrix, options: O): Promise<MethodTable>;
}
