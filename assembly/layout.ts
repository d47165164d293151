// The parts of the Wasm interface that are data, not calls: CIBERSORT's ν grid and the layout of the
// CoreAlg output block that both SVR kernels (svr-libsvm.ts via corealg-libsvm.ts, and svr-exact.ts)
// write. Defined here once and exported by the module (index.ts); the TypeScript side reads them from
// the instance at load (src/core/kernels.ts) instead of restating them.

/** Number of ν values CoreAlg tries. */
export const NU_COUNT: i32 = 3;
const NU_GRID: StaticArray<f64> = [0.25, 0.5, 0.75]; // CIBERSORT's grid, in R's order

/** ν of grid index i (0 ≤ i < NU_COUNT). */
export function nuAt(i: i32): f64 {
  return NU_GRID[i];
}

// CoreAlg output block, in f64 slots.
/** Chosen ν index (0..NU_COUNT − 1), −1 when every ν failed. */
export const COREALG_SELECTED: i32 = 0;
/** RMSE per ν (NU_COUNT slots). */
export const COREALG_RMSE: i32 = 1;
/** Pearson r per ν (NU_COUNT slots). */
export const COREALG_R: i32 = COREALG_RMSE + NU_COUNT;
/** Solver iterations per ν (NU_COUNT slots; negative: the solver's cap or no certified optimum). */
export const COREALG_ITER: i32 = COREALG_R + NU_COUNT;
/** Raw weights v per ν, NU_COUNT × T row-major; the normalised weights w follow (coreAlgOutW). */
export const COREALG_V: i32 = COREALG_ITER + NU_COUNT;

/** Start of the NU_COUNT × T normalised weights w. */
export function coreAlgOutW(t: i32): i32 {
  return COREALG_V + NU_COUNT * t;
}

/** Total f64 slots of the output block for T cell types. */
export function coreAlgOutSize(t: i32): i32 {
  return COREALG_V + 2 * NU_COUNT * t;
}
