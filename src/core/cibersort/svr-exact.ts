// Exact ν-SVR optimum (linear kernel, C = 1) for CIBERSORT's `--solver exact`: the host side of the
// Wasm kernel assembly/svr-exact.ts (interior point, then the exact solve of the face it identifies,
// accepted only as a KKT point with duality gap ≤ 1e-10; a degenerate optimum with ε = 0 is certified
// by the gap of the interior point). CibersortEngine owns the instance and calls
// exactInit once per run; CoreAlg on the exact optimum is the kernel's exactCoreAlg.
import type { Core } from "../wasm.js";

export interface ExactFit {
  w: Float64Array;
  b: number;
  epsilon: number;
  /**
   * Dual point β = a − c (feasible: |β| ≤ 1, Σβ = 0, Σ|β| = νG; Σ|β| ≤ νG when the optimum has ε = 0 and
   * the kernel returns its interior point, certified by the gap alone).
   */
  beta: Float64Array;
  /** Primal objective ½‖w‖² + νGε + Σ max(0, |x·w + b − z| − ε). */
  objective: number;
  /** Primal minus dual objective at (w, b, ε) and β. */
  gap: number;
  /** Interior-point iterations; negative when no certified face was found (then the best point). */
  iterations: number;
}

/** Buffers one solve needs in the instance (allocated by the engine after exactInit). */
export interface ExactBuffers {
  z: number;
  beta: number;
  out: number;
}

/** One exact ν-SVR fit of the standardised target already copied to buf.z. */
export function exactSolve(core: Core, buf: ExactBuffers, genes: number, cellTypes: number, nu: number): ExactFit {
  const iterations = core.x.exactSolve(buf.z, nu, buf.beta, buf.out);
  const o = core.f64(buf.out, core.x.exactOutSize(cellTypes));
  const T = cellTypes;
  return {
    w: o.slice(0, T),
    b: o[T],
    epsilon: o[T + 1],
    objective: o[T + 2],
    gap: o[T + 3],
    beta: core.f64(buf.beta, genes).slice(),
    iterations,
  };
}
