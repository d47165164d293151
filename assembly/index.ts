// cellfrac Wasm core: pure compute on flat memory. The host allocates with `alloc`, writes inputs,
// calls kernels with pointers and reads results back; `reset` frees everything at once (stub runtime).
// Every export is declared once on the TypeScript side, in src/core/kernels.ts (checked at load and by
// test/wasm-exports.test.ts); the ν grid and the CoreAlg block layout are exported from layout.ts.
export { rSum, rMean, rVar, rSd, rCor, rStandardize } from "./rstats";
export { quantileNormalize, qnClear, qnAccumulate, qnTarget, qnApply, sortIndexByKey } from "./qn";
export { NU_COUNT, nuAt, COREALG_SELECTED, COREALG_RMSE, COREALG_R, COREALG_ITER, COREALG_V, coreAlgOutW, coreAlgOutSize } from "./layout";
export { libsvmInit, libsvmSolve, libsvmGram, libsvmLastAlpha } from "./svr-libsvm";
export { libsvmCoreInit, libsvmCoreAlg } from "./corealg-libsvm";
export { exactInit, exactSolve, exactOutSize, exactCoreAlg } from "./svr-exact";
export { epicFit } from "./epic";
export { qpSubSimplex } from "./lsq";
export { nnlsSolve, nnlsMode, nnlsSetSize } from "./nnls";
export { ssgseaScores, estimateScores, rankColumns, log2p1, topEigen } from "./scores";
export { rowMaxExact, rowValues, scanLines } from "./rowmax";

/** Allocate `bytes` (8-byte aligned at least) in linear memory. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Free every allocation (start of a new run). */
export function reset(): void {
  heap.reset();
}

/** In place x_i ← 2^x_i with the same pow as glibc/musl (CIBERSORT's anti-log). */
export function antilog2(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const a = p + (<usize>i << 3);
    store<f64>(a, Math.pow(2.0, load<f64>(a)));
  }
}

/** Largest value (NaN-free input). */
export function maxOf(p: usize, n: i32): f64 {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = max(m, load<f64>(p + (<usize>i << 3)));
  return m;
}
