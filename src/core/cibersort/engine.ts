// One Wasm instance set up for a run: the standardised signature and what depends only on it (libsvm:
// its float Gram matrix and the per-ν initial points; exact: a padded copy and scratch) live in the
// instance; each call fits one standardised target vector (CoreAlg).
import { type CoreAlgLayout, coreAlgLayout } from "../kernels.js";
import type { Core } from "../wasm.js";
import { exactSolve, type ExactFit } from "./svr-exact.js";

/** What CoreAlg returns for one target vector. */
export interface CoreFit {
  /** Index of the chosen ν in the grid, or −1 when no ν gave a finite RMSE. */
  selected: number;
  rmse: Float64Array; // per ν
  r: Float64Array; // per ν
  iterations: Int32Array; // per ν (negative: iteration cap)
  /** Raw SVR weights per ν, ν-count × T row-major. */
  v: Float64Array;
  /** Normalised weights per ν, ν-count × T row-major. */
  w: Float64Array;
}

/** A CoreAlg output block (layout from the module) as a CoreFit; views, no copies. */
export function blockToFit(o: Float64Array, layout: CoreAlgLayout, cellTypes: number): CoreFit {
  const n = layout.nus.length;
  const w = layout.w(cellTypes);
  return {
    selected: o[layout.selected],
    rmse: o.subarray(layout.rmse, layout.rmse + n),
    r: o.subarray(layout.r, layout.r + n),
    iterations: Int32Array.from(o.subarray(layout.iterations, layout.iterations + n)),
    v: o.subarray(layout.v, layout.v + n * cellTypes),
    w: o.subarray(w, w + n * cellTypes),
  };
}

export class CibersortEngine {
  private readonly zPtr: number;
  private readonly outPtr: number;
  /** Where CoreAlg writes its results, and the ν grid (read from the module). */
  readonly layout: CoreAlgLayout;
  private readonly stdOut: number;
  private readonly xPtr: number;
  private readonly exactBeta: number = 0;
  private readonly exactOut: number = 0;
  /** libsvm state (libsvmInit/libsvmCoreInit) is built only when needed: always for "libsvm", on libsvmFit() for "exact". */
  private svrReady = false;

  /**
   * @param core a Wasm instance this engine owns until it is dropped (its heap is reset here)
   * @param xRowMajor standardised signature, genes × cell types, row-major
   */
  constructor(
    private readonly core: Core,
    xRowMajor: Float64Array,
    readonly genes: number,
    readonly cellTypes: number,
    /** "exact": the ν-SVR optimum (assembly/svr-exact.ts) instead of libsvm's trajectory. */
    readonly solver: "libsvm" | "exact" = "libsvm",
  ) {
    if (xRowMajor.length !== genes * cellTypes || genes < 1 || cellTypes < 1) {
      throw new RangeError(`signature is ${xRowMajor.length} values, expected ${genes} genes × ${cellTypes} cell types`);
    }
    const x = core.x;
    core.reset();
    const xp = (this.xPtr = core.putF64(xRowMajor));
    if (solver === "exact") {
      x.exactInit(xp, genes, cellTypes);
      this.exactBeta = core.allocF64(genes);
      this.exactOut = core.allocF64(x.exactOutSize(cellTypes));
    } else {
      this.initSvr();
    }
    this.zPtr = core.allocF64(genes);
    this.stdOut = core.allocF64(genes);
    this.layout = coreAlgLayout(x);
    this.outPtr = core.allocF64(this.layout.size(cellTypes));
  }

  private initSvr(): void {
    if (this.svrReady) return;
    this.core.x.libsvmInit(this.xPtr, this.genes, this.cellTypes);
    this.core.x.libsvmCoreInit(this.xPtr, this.genes, this.cellTypes);
    this.svrReady = true;
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

  /**
   * One libsvm-replay ν-SVR fit (index into the ν grid): β = α⁺ − α⁻ per gene, the duals α (2l, original
   * order) and the iterations.
   */
  libsvmFit(z: Float64Array, nuIndex: number): { beta: Float64Array; alpha: Float64Array; iterations: number } {
    this.initSvr();
    const c = this.core;
    c.f64(this.zPtr, this.genes).set(z);
    const iterations = c.x.libsvmSolve(this.zPtr, nuIndex, this.stdOut);
    const alpha = c.f64(c.x.libsvmLastAlpha(), 2 * this.genes).slice();
    return { beta: c.f64(this.stdOut, this.genes).slice(), alpha, iterations };
  }

  /** The exact ν-SVR optimum for a standardised target z (solver "exact" only). */
  exactFit(z: Float64Array, nu: number): ExactFit {
    if (this.solver !== "exact") throw new Error('exactFit needs an engine built with solver "exact"');
    this.core.f64(this.zPtr, this.genes).set(z);
    return exactSolve(this.core, { z: this.zPtr, beta: this.exactBeta, out: this.exactOut }, this.genes, this.cellTypes, nu);
  }

  /** The ν grid CoreAlg tries (from the module). */
  get nus(): readonly number[] {
    return this.layout.nus;
  }

  /** CoreAlg(X, z) for a standardised target z, as the module's output block (a view, valid until the next call). */
  fitBlock(z: Float64Array): Float64Array {
    const c = this.core;
    c.f64(this.zPtr, this.genes).set(z);
    if (this.solver === "exact") c.x.exactCoreAlg(this.zPtr, this.outPtr);
    else c.x.libsvmCoreAlg(this.zPtr, this.outPtr);
    return c.f64(this.outPtr, this.layout.size(this.cellTypes));
  }

  /** CoreAlg(X, z) for a standardised target z (with the exact optimum for solver "exact"). */
  fit(z: Float64Array): CoreFit {
    return blockToFit(this.fitBlock(z).slice(), this.layout, this.cellTypes);
  }
}
