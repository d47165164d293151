// CIBERSORT v1.04 (ALGORITHMS.md §4): the cohort-wide pass, the permutation null built before the
// samples, one CoreAlg per sample, P-values, absolute modes and R's 15-significant-digit round trip.
import { InputError, UsageError } from "../errors.js";
import { makeMatrix, type Matrix } from "../matrix.js";
import { RRandom } from "../rng.js";
import { loadCore, type Core } from "../wasm.js";
import { CibersortEngine, NUS, type CoreFit } from "./engine.js";
import { prepare, rMedian, type Prepared } from "./prepare.js";
import type { CibersortOptions, CibersortResult } from "./types.js";

export type * from "./types.js";

/** R's P-value sentinel when no permutations are run. */
export const NO_PVALUE = 9999;

/** as.numeric(as.character(x)): R prints doubles with 15 significant digits (ALGORITHMS.md §1). */
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

function checkOptions(o: CibersortOptions): Required<Pick<CibersortOptions, "perm" | "seed" | "qn" | "absolute" | "scale">> {
  const perm = o.perm ?? 100;
  const seed = o.seed ?? 1;
  if (!Number.isInteger(perm) || perm < 0) throw new UsageError(`perm must be a non-negative integer, got ${perm}`);
  if (!Number.isInteger(seed) || Math.abs(seed) > 2 ** 31 - 1) throw new UsageError(`seed must be an integer (R set.seed range), got ${seed}`);
  const absolute = o.absolute ?? false;
  if (absolute !== false && absolute !== "sig.score" && absolute !== "no.sumto1") {
    throw new UsageError(`absolute must be false, "sig.score" or "no.sumto1", got ${String(absolute)}`);
  }
  const scale = o.scale ?? "auto";
  if (scale !== "auto" && scale !== "linear" && scale !== "log2") throw new UsageError(`scale must be auto, linear or log2, got ${scale}`);
  return { perm, seed, qn: o.qn ?? false, absolute, scale };
}

/**
 * The permutation null: P draws of G values from the pooled preprocessed mixture (R `sample`), each
 * standardised and fitted; the correlations of the chosen ν, sorted ascending with NaN removed.
 */
export function permutationNull(engine: CibersortEngine, pool: Float64Array, G: number, perm: number, seed: number, tick: () => void): Float64Array {
  const rng = new RRandom(seed);
  const yr = new Float64Array(G);
  const z = new Float64Array(G);
  const out: number[] = [];
  for (let it = 0; it < perm; it++) {
    const idx = rng.sample(pool.length, G);
    for (let g = 0; g < G; g++) yr[g] = pool[idx[g] - 1];
    const sd = engine.standardize(yr, z);
    if (sd > 0) {
      const fit = engine.fit(z);
      if (fit.selected >= 0 && !Number.isNaN(fit.r[fit.selected])) out.push(fit.r[fit.selected]);
    }
    tick();
  }
  return Float64Array.from(out).sort();
}

/** Deconvolve `mixture` (genes × samples) with `signature` (genes × cell types) exactly as CIBERSORT v1.04. */
export async function cibersort(mixture: Matrix, signature: Matrix, options: CibersortOptions = {}, wasm?: Core): Promise<CibersortResult> {
  const o = checkOptions(options);
  const c = wasm ?? (await loadCore());
  const warn = (m: string) => {
    warnings.push(m);
    options.onWarning?.(m);
  };
  const warnings: string[] = [];
  const prep: Prepared = prepare(c, signature, mixture, { qn: o.qn, scale: o.scale, mixtureName: options.names?.mixture, signatureName: options.names?.signature });
  prep.warnings.forEach(warn);
  const G = prep.genes.length;
  const T = prep.cellTypes.length;
  const S = prep.samples.length;
  const engine = new CibersortEngine(c, prep.xRowMajor, G, T);

  const total = 3 * (o.perm + S);
  let done = 0;
  const tick = () => {
    done += 3;
    options.signal?.throwIfAborted();
    options.onProgress?.(done, total);
  };

  const nullDist = o.perm > 0 ? permutationNull(engine, prep.y, G, o.perm, o.seed, tick) : new Float64Array(0);
  if (o.perm > 0 && nullDist.length < o.perm) warn(`${o.perm - nullDist.length} of ${o.perm} permutations gave no correlation and were dropped from the null (as R does)`);

  const abs = o.absolute;
  const fr = new Float64Array(S * T); // final values before rounding, row-major samples × types
  const core = new Float64Array(S * T); // CoreAlg output (w, or clipped v for no.sumto1), before any scaling
  const pRaw = new Float64Array(S);
  const rRaw = new Float64Array(S);
  const rmseRaw = new Float64Array(S);
  const absRaw = abs ? new Float64Array(S) : undefined;
  const nu = new Float64Array(S);
  const iterations = new Int32Array(S * 3);
  const z = new Float64Array(G);
  for (let s = 0; s < S; s++) {
    const y = prep.y.subarray(s * G, (s + 1) * G);
    const sd = engine.standardize(y, z);
    let fit: CoreFit | undefined;
    if (sd > 0) fit = engine.fit(z);
    tick();
    if (!fit || fit.selected < 0) {
      fr.fill(NaN, s * T, (s + 1) * T);
      core.fill(NaN, s * T, (s + 1) * T);
      pRaw[s] = rRaw[s] = rmseRaw[s] = nu[s] = NaN;
      if (absRaw) absRaw[s] = NaN;
      warn(
        fit
          ? `sample "${prep.samples[s]}": every ν gave all-negative weights; its row is NaN`
          : `sample "${prep.samples[s]}" is constant over the ${G} signature genes (sd = 0); its row is NaN`,
      );
      continue;
    }
    const k = fit.selected;
    iterations.set(fit.iterations, s * 3);
    nu[s] = NUS[k];
    let w: Float64Array;
    if (abs === "no.sumto1") {
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
    if (absRaw) absRaw[s] = engine.rSum(w);
    rRaw[s] = fit.r[k];
    rmseRaw[s] = fit.rmse[k];
    pRaw[s] = o.perm > 0 ? nearestNullPValue(nullDist, rRaw[s]) : NO_PVALUE;
  }

  const fractions = makeMatrix(prep.samples.slice(), prep.cellTypes.slice());
  for (let s = 0; s < S; s++) for (let t = 0; t < T; t++) fractions.data[t * S + s] = round15(fr[s * T + t]);
  if (S > 0 && G > 0 && T > 0 && nu.every(Number.isNaN)) {
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
      signatureCoverage: { used: G, total: prep.signatureGenes },
      antilog: prep.antilog,
      yMedian: prep.yMedian,
      nu,
      iterations,
      nullDistribution: nullDist,
      unrounded: { weights: core, correlation: rRaw, rmse: rmseRaw, pValue: pRaw, absoluteScore: absRaw },
    },
  };
}
