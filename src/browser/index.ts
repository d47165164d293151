// cellfrac's browser API ("cellfrac/browser"): the core (every method, the CIBERSORT flow, the parsers)
// with the browser host: fits on Web Workers (browserFitRunner), inputs parsed from bytes (gzip via
// DecompressionStream), bundled data fetched on demand (preloadData) and the Wasm core from its asset.
//
//   const mix = await parseMatrixBytes(bytes, { what: "mixture", name: "mix.tsv" });
//   await preloadData(["LM22.tsv"]);
//   const lm22 = parseMatrix(host().dataFile("LM22.tsv"), { what: "signature", name: "LM22" });
//   const res = await cibersortBrowser(mix, lm22, { perm: 100, seed: 1 });
import "./host.js";
import { cibersortMatrices } from "../core/cibersort/index.js";
import type { CibersortOptions, CibersortResult } from "../core/cibersort/types.js";
import type { Matrix } from "../core/matrix.js";
import { browserFitRunner } from "./pool.js";

export type * from "../core/cibersort/types.js";
export { NO_PVALUE } from "../core/cibersort/index.js";
export { toResultsJSON, toResultsTable } from "../core/cibersort/output.js";
export { InputError, UsageError } from "../core/errors.js";
export { formatNumber } from "../core/formats/write.js";
export { browserFitRunner, canShare, defaultWorkers, type BrowserPoolInfo } from "./pool.js";
export { gunzipIfNeeded, parseMatrixBytes } from "./parse.js";
export { preloadData } from "./host.js";
export { host, type Host } from "../core/host.js";
export { loadCore, instantiateCore, Core } from "../core/wasm.js";
export { parseMatrix, type DuplicatePolicy, type ReadOptions } from "../core/formats/read.js";
export { formatTable } from "../core/formats/write.js";
export { column, get, makeMatrix, selectRows, type Matrix } from "../core/matrix.js";
export { ENSEMBL_TABLE_FILE, ensemblStableId, ensemblSymbols, matchGenes, toSymbols, type ToSymbolsOptions } from "../core/genes.js";
export { BUILTIN_GENE_SETS, GENESETS_FOLDER, bundledGeneSets, mapGeneSets, parseGeneSets, type GeneSet } from "../core/genesets.js";
export { nnls, nnlsDeconvolve, type NnlsOptions } from "../core/methods/nnls.js";
export { TIL10_FILES, TIL10_FOLDER, loadTil10, quantiseqDeconvolve, type QuantiseqOptions } from "../core/methods/quantiseq.js";
export { EPIC_MRNA_CELL, epicDeconvolve, parseEpicGeneList, validateReference, type EpicReference } from "../core/methods/epic.js";
export { METHODS, methodByName, parseOptions, type MethodSpec, type OptionValues } from "../core/registry.js";
export { methodTableJson, methodTableTsv, resultText } from "../core/formats/results.js";
export { cibersortTable } from "../core/methods/cibersort-table.js";
export type { MethodTable } from "../core/methods/types.js";
export { compareTables, parseTable, type CompareReport } from "../core/compare.js";

/** CIBERSORT in the browser on parsed matrices; fits on `workers` Web Workers. */
export function cibersortBrowser(
  mixture: Matrix,
  signature: Matrix,
  options: CibersortOptions & { workers?: number } = {},
): Promise<CibersortResult> {
  return cibersortMatrices(mixture, signature, options, undefined, browserFitRunner(options.workers));
}
