// NNLS deconvolution: per sample, the Lawson–Hanson non-negative least-squares fit of the mixture on the
// signature (R package nnls 1.4, docs/nnls.md, Wasm kernel assembly/nnls.ts), over the signature
// genes present in the mixture (signature order), linear scale, no standardisation, no intercept.
// Fractions = coefficients / sum(coefficients).
import { InputError } from "../errors.js";
import type { Matrix } from "../matrix.js";
import { withCore } from "./scorekit.js";
import type { Core } from "../wasm.js";
import { type DeconvRunOptions, checkNonNegative, deconvTable, linearMixture, signatureCoverage, startRun } from "./deconvkit.js";
import { matchGenes } from "../genes.js";
import type { Method, MethodTable } from "./types.js";

/** The nnls kernel's exports (assembly/nnls.ts). */
export interface NnlsOptions extends DeconvRunOptions {
  /** Signature, genes × cell types (linear scale). */
  signature: Matrix;
  /** Name for coverage and messages (default "signature"). */
  signatureName?: string;
  /** Write raw coefficients instead of fractions. */
  coefficients?: boolean;
}

/** One fit: coefficients, residual sum of squares, nnls mode (1 ok, 3 iteration limit), passive-set size. */
export interface NnlsFit {
  x: Float64Array;
  deviance: number;
  mode: number;
  nsetp: number;
}

/**
 * A reusable solver on one instance: a (m × n, column-major) is copied in per call because the
 * algorithm overwrites it with its triangularisation.
 */
export function nnlsSolver(core: Core, a: Float64Array, m: number, n: number): (b: ArrayLike<number>) => NnlsFit {
  const k = core.x;
  const pa = core.allocF64(m * n);
  const pb = core.allocF64(m);
  const px = core.allocF64(n);
  const pw = core.allocF64(n);
  const pz = core.allocF64(m);
  const pi = core.x.alloc(Math.max(8, n * 4));
  return (b) => {
    core.f64(pa, m * n).set(a);
    core.f64(pb, m).set(b);
    const rnorm = k.nnlsSolve(pa, m, n, pb, px, pw, pz, pi);
    return { x: Float64Array.from(core.f64(px, n)), deviance: rnorm * rnorm, mode: k.nnlsMode(), nsetp: k.nnlsSetSize() };
  };
}

/** Samples × (cell types, RMSE): NNLS fractions (or coefficients) per sample. */
export async function nnlsDeconvolve(mixture: Matrix, opts: NnlsOptions): Promise<MethodTable> {
  const sig = opts.signature;
  const name = opts.signatureName ?? "signature";
  const { warnings, warn } = startRun(mixture, opts);
  checkNonNegative(
    sig,
    sig.rows.map((_, i) => i),
    `${name}`,
  );
  const { from: sigRows, rows: index, missing } = matchGenes(sig.rows, mixture.rows);
  const coverage = [signatureCoverage(name, sig.rows.length, missing, warn)];
  const T = sig.cols.length;
  const m = index.length;
  if (m < T)
    throw new InputError(
      `only ${m} of the ${sig.rows.length} ${name} genes are in the mixture; NNLS needs at least as many genes as cell types (${T})`,
    );
  return withCore(opts, (core) => {
    const { matrix: mix } = linearMixture(core, mixture, opts, warn);
    checkNonNegative(mix, index, "mixture");
    const a = new Float64Array(m * T);
    for (let c = 0; c < T; c++) sigRows.forEach((r, i) => (a[i + c * m] = sig.data[r + c * sig.rows.length]));
    const solve = nnlsSolver(core, a, m, T);
    const S = mix.cols.length;
    const out = new Float64Array(S * (T + 1));
    const b = new Float64Array(m);
    const sumBuf = core.allocF64(T);
    for (let s = 0; s < S; s++) {
      index.forEach((r, i) => (b[i] = mix.data[r + s * mix.rows.length]));
      const fit = solve(b);
      if (fit.mode !== 1) warn(`sample "${mix.cols[s]}": NNLS stopped at its iteration limit (3 × ${T}); coefficients may not be optimal`);
      core.f64(sumBuf, T).set(fit.x);
      const total = core.x.rSum(sumBuf, T, 1); // R sum(): long-double accumulation
      if (!opts.coefficients && total === 0) warn(`sample "${mix.cols[s]}": all coefficients are 0; fractions are NaN`);
      for (let c = 0; c < T; c++) out[s + c * S] = opts.coefficients ? fit.x[c] : fit.x[c] / total;
      out[s + T * S] = Math.sqrt(fit.deviance / m);
      opts.onProgress?.(s + 1, S);
    }
    return deconvTable("nnls", mix.cols, [...sig.cols, "RMSE"], out, T, coverage, warnings);
  });
}

export const nnls: Method<NnlsOptions> = {
  id: "nnls",
  title: "NNLS: Lawson–Hanson non-negative least squares on a signature (R nnls)",
  run: nnlsDeconvolve,
};
