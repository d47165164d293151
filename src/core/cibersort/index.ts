// CIBERSORT v1.04 (docs/cibersort.md): the cohort-wide pass, the permutation null built before the
// samples, one CoreAlg per sample, P-values, absolute modes and R's 15-significant-digit round trip.
import { InputError, RunError, UsageError } from "../errors.js";
import { makeMatrix, selectRows, type Matrix } from "../matrix.js";
import { RRandom } from "../rng.js";
import { type CoreAlgLayout, coreAlgLayout } from "../kernels.js";
import { loadCore, type Core } from "../wasm.js";
import { CibersortEngine } from "./engine.js";
import { FitFailure, RECORD_SD, recordSize, recordToFit, runFitsInProcess, type FitRunner } from "./fits.js";
import { prepare, type Prepared } from "./prepare.js";
import { rMedian } from "../rbase.js";
import { checkValue, methodByName } from "../registry.js";
import type { AbsMethod, CibersortOptions, CibersortResult, CohortPass, ScaleMode } from "./types.js";

export type * from "./types.js";

/** R's P-value sentinel when no permutations are run. */
export const NO_PVALUE = 9999;

/** as.numeric(as.character(x)): R prints doubles with 15 significant digits (docs/r-arithmetic.md). */
export function round15(x: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(15)) : x;
}

/** The nearest-null P-value rule of v1.04: 1 − i/L with i the first index minimising |null_i − r|. */
export function nearestNullPValue(nullSorted: Float64Array, r: number): number {
  const L = nullSorted.length;
  if (L === 0 || Number.isNaN(r)) return NaN;
  let best = Infinity;
  let bi = -1;
  for (let i = 0; i < L; i++) {
    const d = Math.abs(nullSorted[i] - r);
    if (d < best) {
      best = d;
      bi = i;
    }
  }
  return 1 - (bi + 1) / L;
}

/** The options the run depends on, checked by the method registry (its defaults and messages). */
function checkOptions(o: CibersortOptions): Required<Pick<CibersortOptions, "perm" | "seed" | "qn" | "absolute" | "scale" | "solver">> {
  const options = methodByName("cibersort").options;
  const check = (name: string, v: unknown) => {
    const spec = options.find((x) => x.name === name)!;
    return checkValue(spec, v) ?? spec.default;
  };
  check("threads", o.threads);
  return {
    perm: check("perm", o.perm) as number,
    seed: check("seed", o.seed) as number,
    qn: check("qn", o.qn) as boolean,
    absolute: (check("absolute", o.absolute === false ? undefined : o.absolute) as AbsMethod | undefined) ?? false,
    scale: check("scale", o.scale) as ScaleMode,
    solver: check("solver", o.solver) as "libsvm" | "exact",
  };
}

/**
 * The permutation draws of v1.04: P vectors of G values sampled from the pooled preprocessed mixture
 * (R `sample` after `set.seed`), P × G vector-major. Drawn here, in order, so any split of the fits keeps
 * R's random stream.
 */
export function permutationDraws(pool: Float64Array, G: number, perm: number, seed: number): Float64Array {
  const rng = new RRandom(seed);
  const out = new Float64Array(perm * G);
  for (let it = 0; it < perm; it++) {
    const idx = rng.sample(pool.length, G);
    for (let g = 0; g < G; g++) out[it * G + g] = pool[idx[g] - 1];
  }
  return out;
}

/** What a FitFailure's vectors are: "the fit of sample "S"", "the fits of permutations 3 to 9", … */
export function fitsNamed(f: FitFailure, perm: number, samples: readonly string[]): string {
  const one = (v: number) => (v < perm ? `permutation ${v + 1}` : `sample "${samples[v - perm]}"`);
  if (f.first === f.last) return `the fit of ${one(f.first)}`;
  return `the fits of ${one(f.first)} to ${one(f.last)} (one worker's chunk)`;
}

/** The null distribution from the permutation records: chosen-ν correlations, NaN-free, sorted ascending. */
export function nullFromRecords(records: Float64Array, perm: number, layout: CoreAlgLayout, T: number): Float64Array {
  const R = recordSize(layout, T);
  const out: number[] = [];
  for (let i = 0; i < perm; i++) {
    const fit = recordToFit(records.subarray(i * R, (i + 1) * R), layout, T);
    const k = fit.selected;
    if (k < 0) continue; // constant draw (sd 0): R's fit gives no correlation
    const r = fit.r[k];
    if (!Number.isNaN(r)) out.push(r);
  }
  return Float64Array.from(out).sort();
}

let runCounter = 0;

/**
 * The cohort-wide pass and the fits: prepare, then the permutations (unless a plan's cohort gives the null)
 * and, with `withSamples`, every sample, on `runner`. Shared by the whole run, a plan's shard and the plan.
 */
async function fitStage(
  mixture: Matrix,
  signature: Matrix,
  options: CibersortOptions,
  wasm: Core | undefined,
  runner: FitRunner,
  withSamples: boolean,
) {
  const o = checkOptions(options);
  const c = wasm ?? (await loadCore());
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    options.onWarning?.(m);
  };
  const cohort = options.cohort;
  if (options.columns && !cohort) throw new RangeError("cibersort: columns need the cohort pass of a plan");
  const mix = options.columns
    ? selectRows(
        mixture,
        mixture.rows.map((_, i) => i),
        options.columns,
      )
    : mixture;
  const prep: Prepared = prepare(c, signature, mix, {
    qn: o.qn,
    scale: o.scale,
    needMedian: o.absolute === "sig.score",
    mixtureMax: options.mixtureMax,
    mixtureName: options.names?.mixture,
    signatureName: options.names?.signature,
    cohort,
  });
  prep.warnings.forEach(warn);
  const G = prep.genes.length;
  const T = prep.cellTypes.length;
  const S = withSamples ? prep.samples.length : 0;
  if (cohort && prep.genes.join("\t") !== cohort.genes.join("\t")) {
    throw new InputError(`the signature genes found in the mixture (${G}) are not the plan's (${cohort.genes.length})`, {
      file: options.names?.mixture,
    });
  }
  const perm = cohort ? 0 : o.perm; // a plan's null replaces the permutation fits
  // All fit vectors share one Float64Array: refuse here what would be a RangeError (the CLI bounds --perm by memory first).
  if ((perm + S) * G > 2 ** 32 - 1) {
    throw new UsageError(`perm ${perm} × ${G} genes (+ ${S} samples) is more than one array of 2^32 values holds`);
  }

  // Cohort-wide pass done: every fit (permutations first, as R, then samples) is now independent.
  const vectors = new Float64Array((perm + S) * G);
  vectors.set(permutationDraws(prep.y, G, perm, o.seed));
  if (withSamples) vectors.set(prep.y, perm * G);
  const solver = o.solver;
  let engine: CibersortEngine | undefined;
  const local = () => (engine ??= new CibersortEngine(c, prep.xRowMajor, G, T, solver));
  const layout = coreAlgLayout(c.x);
  const N = layout.nus.length; // fits per vector
  const total = N * (perm + S);
  options.onProgress?.(0, total);
  const R = recordSize(layout, T);
  const problem = { runId: `run-${++runCounter}`, x: prep.xRowMajor, G, T, solver, recordSize: R };
  const records = await runner(problem, vectors, local, {
    threads: options.threads,
    chunkSize: options.chunkSize,
    signal: options.signal,
    onFitted: (n) => options.onProgress?.(N * n, total),
  }).catch((e: unknown) => {
    throw e instanceof FitFailure ? new RunError(`cibersort: ${fitsNamed(e, perm, prep.samples)} failed: ${e.reason}`, { cause: e }) : e;
  });

  const nullDist = cohort ? cohort.nullDistribution : perm > 0 ? nullFromRecords(records, perm, layout, T) : new Float64Array(0);
  if (o.perm > 0 && nullDist.length < o.perm)
    warn(`${o.perm - nullDist.length} of ${o.perm} permutations gave no correlation and were dropped from the null (as R does)`);
  const usedGenes = new Set(prep.genes);
  const coverage = { used: G, total: prep.signatureGenes, missing: signature.rows.filter((g) => !usedGenes.has(g)) };
  return { o, prep, warn, warnings, local, layout, records: records.subarray(perm * R), R, N, G, T, nullDist, coverage };
}

/**
 * The cohort-wide pass of a run on the whole `mixture`, without the samples' fits: what a plan keeps so that
 * runs on parts of the samples (`options.cohort` + `options.columns`) give the whole run's rows.
 */
export async function cibersortCohort(
  mixture: Matrix,
  signature: Matrix,
  options: CibersortOptions = {},
  wasm?: Core,
  runner: FitRunner = runFitsInProcess,
): Promise<CohortPass> {
  const whole = { ...options, cohort: undefined, columns: undefined };
  const { prep, warnings, nullDist, coverage } = await fitStage(mixture, signature, whole, wasm, runner, false);
  return {
    samples: prep.samples.length,
    cellTypes: prep.cellTypes,
    mixtureMax: prep.mixtureMax,
    antilog: prep.antilog,
    qnTarget: prep.qnTarget,
    yMedian: prep.yMedian,
    genes: prep.genes,
    signatureCoverage: coverage,
    nullDistribution: nullDist,
    warnings,
  };
}

/**
 * Deconvolve `mixture` (genes × samples) with `signature` (genes × cell types) exactly as CIBERSORT v1.04:
 * the core's entry point, on parsed matrices and a given Wasm instance (the Node API's `cibersort`, in
 * src/node/index.ts, takes paths or bytes). Browser-safe; `runner` spreads the fits (Node: runFitsOnPool
 * from pool.ts; default: this thread). With `options.cohort` and `options.columns`, only those samples.
 */
export async function cibersortMatrices(
  mixture: Matrix,
  signature: Matrix,
  options: CibersortOptions = {},
  wasm?: Core,
  runner: FitRunner = runFitsInProcess,
): Promise<CibersortResult> {
  const stage = await fitStage(mixture, signature, options, wasm, runner, true);
  const { o, prep, warn, warnings, local, layout, records, R, N, G, T, nullDist } = stage;
  const S = prep.samples.length;
  const sums = local(); // R sum() of the weights for the absolute score runs in this thread's core

  const abs = o.absolute;
  const fr = new Float64Array(S * T); // final values before rounding, row-major samples × types
  const core = new Float64Array(S * T); // CoreAlg output (w, or clipped v for no.sumto1), before any scaling
  const pRaw = new Float64Array(S);
  const rRaw = new Float64Array(S);
  const rmseRaw = new Float64Array(S);
  const absRaw = abs ? new Float64Array(S) : undefined;
  const nu = new Float64Array(S);
  const iterations = new Int32Array(S * N);
  for (let s = 0; s < S; s++) {
    const y = prep.y.subarray(s * G, (s + 1) * G);
    const rec = records.subarray(s * R, (s + 1) * R);
    const fit = recordToFit(rec, layout, T);
    if (fit.selected < 0) {
      fr.fill(NaN, s * T, (s + 1) * T);
      core.fill(NaN, s * T, (s + 1) * T);
      pRaw[s] = rRaw[s] = rmseRaw[s] = nu[s] = NaN;
      if (absRaw) absRaw[s] = NaN;
      warn(
        rec[RECORD_SD] > 0
          ? `sample "${prep.samples[s]}": every ν gave all-negative weights; its row is NaN`
          : `sample "${prep.samples[s]}" is constant over the ${G} signature genes (sd = 0); its row is NaN`,
      );
      continue;
    }
    const k = fit.selected;
    iterations.set(fit.iterations, s * N);
    nu[s] = layout.nus[k];
    let w: Float64Array;
    if (abs === "no.sumto1") {
      // biome-ignore lint/complexity/useMathMinMax: R's w[w < 0] <- 0 keeps a -0, Math.max would not
      w = fit.v.slice(k * T, (k + 1) * T).map((x) => (x < 0 ? 0 : x));
    } else {
      w = fit.w.slice(k * T, (k + 1) * T);
    }
    core.set(w, s * T);
    if (abs === "sig.score") {
      const med = rMedian(y);
      w = w.map((x) => (x * med) / prep.yMedian);
    }
    fr.set(w, s * T);
    if (absRaw) absRaw[s] = sums.rSum(w);
    rRaw[s] = fit.r[k];
    rmseRaw[s] = fit.rmse[k];
    pRaw[s] = o.perm > 0 ? nearestNullPValue(nullDist, rRaw[s]) : NO_PVALUE;
  }

  const fractions = makeMatrix(prep.samples.slice(), prep.cellTypes.slice());
  for (let s = 0; s < S; s++) for (let t = 0; t < T; t++) fractions.data[t * S + s] = round15(fr[s * T + t]);
  if (!options.columns && S > 0 && G > 0 && T > 0 && nu.every(Number.isNaN)) {
    throw new InputError(`no sample could be deconvolved (all ${S} rows are NaN)`);
  }
  return {
    samples: prep.samples,
    cellTypes: prep.cellTypes,
    fractions,
    pValue: pRaw.map(round15),
    correlation: rRaw.map(round15),
    rmse: rmseRaw.map(round15),
    absoluteScore: absRaw?.map(round15),
    absMethod: abs || undefined,
    warnings,
    diagnostics: {
      genes: prep.genes,
      signatureCoverage: stage.coverage,
      antilog: prep.antilog,
      yMedian: prep.yMedian,
      nu,
      iterations,
      nullDistribution: nullDist,
      unrounded: { weights: core, correlation: rRaw, rmse: rmseRaw, pValue: pRaw, absoluteScore: absRaw },
    },
  };
}
