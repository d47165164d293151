// One Wasm instance set up for a run: the standardised signature, its float Gram matrix and the per-ν
// initial points live in the instance; each call fits one standardised target vector (CoreAlg).
import type { Core } from "../wasm.js";
import { exactCoreAlg } from "./exact.js";

export const NUS = [0.25, 0.5, 0.75] as const;

/** What CoreAlg returns for one target vector. */
export interface CoreFit {
  /** Index of the chosen ν (0..2), or −1 when no ν gave a finite RMSE. */
  selected: number;
  rmse: Float64Array; // per ν
  r: Float64Array; // per ν
  iterations: Int32Array; // per ν (negative: iteration cap)
  /** Raw SVR weights per ν, 3 × T row-major. */
  v: Float64Array;
  /** Normalised weights per ν, 3 × T row-major. */
  w: Float64Array;
}

export class CibersortEngine {
  private readonly zPtr: number;
  private readonly outPtr: number;
  private readonly outSize: number;
  private readonly wStart: number;
  private readonly stdOut: number;
  private readonly xRowMajor: Float64Array;

  /**
   * @param core a Wasm instance this engine owns until it is dropped (its heap is reset here)
   * @param xRowMajor standardised signature, genes × cell types, row-major
   */
  constructor(
    private readonly core: Core,
    xRowMajor: Float64Array,
    readonly genes: number,
    readonly cellTypes: number,
    /** "exact": the ν-SVR optimum (src/cibersort/exact.ts) instead of libsvm's trajectory. */
    readonly solver: "libsvm" | "exact" = "libsvm",
  ) {
    if (xRowMajor.length !== genes * cellTypes || genes < 1 || cellTypes < 1) {
      throw new RangeError(`signature is ${xRowMajor.length} values, expected ${genes} genes × ${cellTypes} cell types`);
    }
    this.xRowMajor = xRowMajor;
    const x = core.x;
    core.reset();
    const xp = core.putF64(xRowMajor);
    x.svrInit(xp, genes, cellTypes);
    x.coreInit(xp, genes, cellTypes);
    this.zPtr = core.allocF64(genes);
    this.stdOut = core.allocF64(genes);
    this.outSize = x.coreOutSize(cellTypes);
    this.wStart = x.coreOutW(cellTypes);
    this.outPtr = core.allocF64(this.outSize);
  }

  /**
   * Standardise y as R does ((y − mean) / sd) into `z` and return sd (0 for a constant vector).
   */
  standardize(y: Float64Array, z: Float64Array): number {
    const c = this.core;
    c.f64(this.zPtr, this.genes).set(y);
    const sd = c.x.rStandardize(this.zPtr, this.genes, this.stdOut);
    z.set(c.f64(this.stdOut, this.genes));
    return sd;
  }

  /** R `sum()` (long-double accumulation) of a short vector. */
  rSum(v: Float64Array): number {
    const c = this.core;
    c.f64(this.stdOut, v.length).set(v);
    return c.x.rSum(this.stdOut, v.length, 1);
  }

  /** One ν-SVR fit (ν index 0..2): β = α⁺ − α⁻ per gene, the duals α (2l, original order) and the iterations. */
  solve(z: Float64Array, nuIndex: number): { beta: Float64Array; alpha: Float64Array; iterations: number } {
    const c = this.core;
    c.f64(this.zPtr, this.genes).set(z);
    const iterations = c.x.svrSolve(this.zPtr, nuIndex, this.stdOut);
    const alpha = c.f64(c.x.svrLastAlpha(), 2 * this.genes).slice();
    return { beta: c.f64(this.stdOut, this.genes).slice(), alpha, iterations };
  }

  /** CoreAlg(X, z) for a standardised target z. */
  fit(z: Float64Array): CoreFit {
    if (this.solver === "exact") return exactCoreAlg(this.xRowMajor, this.genes, this.cellTypes, z, NUS);
    const c = this.core;
    const T = this.cellTypes;
    c.f64(this.zPtr, this.genes).set(z);
    c.x.coreAlg(this.zPtr, this.outPtr);
    const o = c.f64(this.outPtr, this.outSize);
    return {
      selected: o[0],
      rmse: o.slice(1, 4),
      r: o.slice(4, 7),
      iterations: Int32Array.from(o.subarray(7, 10)),
      v: o.slice(10, 10 + 3 * T),
      w: o.slice(this.wStart, this.wStart + 3 * T),
    };
  }
}
