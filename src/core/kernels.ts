// The one typed view of the Wasm module's exports (assembly/index.ts). Each export is declared here once,
// as data: the table gives the TypeScript type of `Core.x`, is checked against the instance at load (a
// stale or mismatched build/cellfrac.wasm fails with the names, not later with "not a function"), and
// test/wasm-exports.test.ts checks it against the release and debug builds. The ν grid and the CoreAlg
// output block layout are read from the instance (assembly/layout.ts), never restated here.

const VOID = "void";
const NUM = "number";

/** Every exported function: parameter names (the arity) and whether it returns a value. Pointers are byte offsets. */
export const KERNEL_FUNCTIONS = {
  alloc: [["bytes"], NUM],
  reset: [[], VOID],
  antilog2: [["p", "n"], VOID],
  maxOf: [["p", "n"], NUM],
  // R statistics with x87 accumulation (assembly/rstats.ts)
  rSum: [["p", "n", "stride"], NUM],
  rMean: [["p", "n"], NUM],
  rVar: [["p", "n"], NUM],
  rSd: [["p", "n"], NUM],
  rCor: [["px", "py", "n"], NUM],
  rStandardize: [["p", "n", "out"], NUM],
  // quantile normalisation (assembly/qn.ts)
  quantileNormalize: [["x", "rows", "cols", "acc", "idx", "tmp", "target"], VOID],
  qnClear: [["acc", "rows"], VOID],
  qnAccumulate: [["col", "rows", "acc", "idx", "tmp"], VOID],
  qnTarget: [["acc", "rows", "cols", "target"], VOID],
  qnApply: [["col", "rows", "idx", "tmp", "target"], VOID],
  sortIndexByKey: [["key", "idx", "tmp", "n"], VOID],
  // CIBERSORT: the ν grid and the CoreAlg block (assembly/layout.ts)
  nuAt: [["i"], NUM],
  coreAlgOutW: [["t"], NUM],
  coreAlgOutSize: [["t"], NUM],
  // libsvm-replay ν-SVR and CoreAlg on it (assembly/svr-libsvm.ts, assembly/corealg-libsvm.ts)
  libsvmInit: [["x", "l", "nf"], VOID],
  libsvmSolve: [["z", "nuIndex", "beta"], NUM],
  libsvmGram: [[], NUM],
  libsvmLastAlpha: [[], NUM],
  libsvmCoreInit: [["x", "l", "t"], VOID],
  libsvmCoreAlg: [["z", "out"], VOID],
  // exact ν-SVR optimum and CoreAlg on it (assembly/svr-exact.ts)
  exactInit: [["x", "g", "t"], VOID],
  exactSolve: [["z", "nu", "beta", "out"], NUM],
  exactOutSize: [["t"], NUM],
  exactCoreAlg: [["z", "out"], VOID],
  // deconvolution solvers (assembly/epic.ts, lsq.ts, nnls.ts)
  epicFit: [["a", "m", "n", "w", "b", "x", "constrainedSum", "cMin"], NUM],
  qpSubSimplex: [["D", "d", "n", "x", "work", "iwork"], NUM],
  nnlsSolve: [["a", "m", "n", "b", "x", "w", "zz", "idx"], NUM],
  nnlsMode: [[], NUM],
  nnlsSetSize: [[], NUM],
  // gene-set scores (assembly/scores.ts)
  ssgseaScores: [
    ["x", "n", "samples", "setRows", "setOff", "nSets", "alpha", "out", "idx", "tmp", "back", "posF", "w", "sIdx", "sTmp"],
    VOID,
  ],
  estimateScores: [["x", "n", "samples", "setRows", "setOff", "nSets", "out", "idx", "tmp", "tag", "posF", "w", "res"], VOID],
  rankColumns: [["x", "n", "samples", "minTies", "out", "idx", "tmp"], VOID],
  log2p1: [["p", "n"], VOID],
  // the table reader's row maximum and line splitter (assembly/rowmax.ts)
  rowMaxExact: [["b", "s", "e", "D", "ncol"], NUM],
  rowValues: [["b", "s", "e", "D", "ncol", "out"], NUM],
  scanLines: [["b", "s", "n", "eof", "D", "ncol", "lines", "maxes", "names", "room", "cap"], NUM],
  topEigen: [["a", "k", "v", "vecs"], NUM],
} as const satisfies Record<string, readonly [readonly string[], typeof VOID | typeof NUM]>;

/** Every exported global (immutable i32, assembly/layout.ts). */
export const KERNEL_GLOBALS = ["NU_COUNT", "COREALG_SELECTED", "COREALG_RMSE", "COREALG_R", "COREALG_ITER", "COREALG_V"] as const;

type Table = typeof KERNEL_FUNCTIONS;
type KernelFn<P extends readonly string[], R> = (...args: { [I in keyof P]: number }) => R extends typeof VOID ? void : number;

/** The module's exports, typed from the tables above. */
export type CoreExports = { readonly memory: WebAssembly.Memory } & {
  readonly [K in keyof Table]: KernelFn<Table[K][0], Table[K][1]>;
} & { readonly [G in (typeof KERNEL_GLOBALS)[number]]: WebAssembly.Global };

/** What differs between the tables and an instance's exports (empty when they match). */
export function exportMismatches(exports: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (!(exports.memory instanceof WebAssembly.Memory)) out.push("memory: missing");
  for (const [name, [params]] of Object.entries(KERNEL_FUNCTIONS)) {
    const f = exports[name];
    if (typeof f !== "function") out.push(`${name}: missing`);
    else if (f.length !== params.length) out.push(`${name}: takes ${f.length} arguments, declared ${params.length}`);
  }
  for (const name of KERNEL_GLOBALS) if (!(exports[name] instanceof WebAssembly.Global)) out.push(`${name}: missing global`);
  const declared = new Set<string>(["memory", ...Object.keys(KERNEL_FUNCTIONS), ...KERNEL_GLOBALS]);
  for (const name of Object.keys(exports)) if (!declared.has(name)) out.push(`${name}: exported but not declared in kernels.ts`);
  return out;
}

/** The instance's exports, typed, after checking them against the tables. */
export function bindExports(exports: WebAssembly.Exports): CoreExports {
  const bad = exportMismatches(exports);
  if (bad.length) {
    throw new Error(`cellfrac: the Wasm module does not match src/core/kernels.ts (rebuild with npm run build): ${bad.join("; ")}`);
  }
  return exports as unknown as CoreExports; // checked above, name by name
}

/** Where CoreAlg writes its results, in f64 slots of the output block (assembly/layout.ts). */
export interface CoreAlgLayout {
  /** The ν grid, in the order CoreAlg tries it. */
  nus: readonly number[];
  selected: number;
  /** Start of the RMSE per ν (then r, then iterations per ν). */
  rmse: number;
  r: number;
  iterations: number;
  /** Start of the raw weights v, ν-count × T row-major. */
  v: number;
  /** Start of the normalised weights w, ν-count × T row-major. */
  w(cellTypes: number): number;
  /** Total slots of the block. */
  size(cellTypes: number): number;
}

const layouts = new WeakMap<CoreExports, CoreAlgLayout>();

/** The CoreAlg layout and ν grid as the module exports them (read once per instance). */
export function coreAlgLayout(x: CoreExports): CoreAlgLayout {
  let l = layouts.get(x);
  if (!l) {
    const g = (name: (typeof KERNEL_GLOBALS)[number]): number => x[name].value as number;
    l = {
      nus: Object.freeze(Array.from({ length: g("NU_COUNT") }, (_, i) => x.nuAt(i))),
      selected: g("COREALG_SELECTED"),
      rmse: g("COREALG_RMSE"),
      r: g("COREALG_R"),
      iterations: g("COREALG_ITER"),
      v: g("COREALG_V"),
      w: (t) => x.coreAlgOutW(t),
      size: (t) => x.coreAlgOutSize(t),
    };
    layouts.set(x, l);
  }
  return l;
}
