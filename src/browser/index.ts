// cellfrac's browser API: the same engine as Node (src/cibersort, the Wasm core) without node: modules.
// Fits run on Web Workers (browserFitRunner); inputs are parsed from bytes (gzip via DecompressionStream).
//
//   const mix = await parseMatrixBytes(bytes, { what: "mixture", name: "mix.tsv" });
//   const res = await cibersortBrowser(mix, lm22, { perm: 100, seed: 1 });
import { cibersortMatrices } from "../core/cibersort/index.js";
import type { CibersortOptions, CibersortResult } from "../core/cibersort/types.js";
import type { Matrix } from "../core/matrix.js";
import { browserFitRunner } from "./pool.js";
import { parseMatrixBytes } from "./parse.js";

export type * from "../core/cibersort/types.js";
export { NO_PVALUE } from "../core/cibersort/index.js";
export { toResultsJSON, toResultsTable } from "../core/cibersort/output.js";
export { InputError, UsageError } from "../core/errors.js";
export { formatNumber } from "../core/formats/write.js";
export { browserFitRunner, canShare, defaultWorkers, type BrowserPoolInfo } from "./pool.js";
export { gunzipIfNeeded, parseMatrixBytes } from "./parse.js";

/** CIBERSORT in the browser on parsed matrices; fits on `workers` Web Workers. */
export function cibersortBrowser(mixture: Matrix, signature: Matrix, options: CibersortOptions & { workers?: number } = {}): Promise<CibersortResult> {
  return cibersortMatrices(mixture, signature, options, undefined, browserFitRunner(options.workers));
}
