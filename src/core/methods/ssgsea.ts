// ssGSEA exactly as GSVA 1.46 `gsva(method = "ssgsea")` (Barbie et al., Nature 462:108, 2009;
// docs/scores.md): per sample, average ranks truncated to integers, weights rank^tau (tau = 0.25), the
// closed form of the summed random walk; optionally every score divided by (max − min) of the whole
// score matrix. Deviation from GSVA 1.46: a gene listed twice in a set counts once (GSVA counts it twice).
//
// Sharding: the normalisation couples all samples, so it is a separate step. Score each shard with
// `ssgseaRaw`, take `scoreRange` over all the raw tables once, then `normalizeByRange` each table;
// the result is bit-identical to one unsharded run.
import { InputError } from "../errors.js";
import type { Matrix } from "../matrix.js";
import { type ScoreRunOptions, allocI32, prepareScores, putMixture, putSets, scoreTable, withCore } from "./scorekit.js";
import type { Method, MethodTable } from "./types.js";

/** GSVA's default tau (ssGSEA's weight exponent alpha). */
export const SSGSEA_TAU = 0.25;

export interface SsgseaOptions extends ScoreRunOptions {
  /** Weight exponent tau (default 0.25, GSVA's default). */
  alpha?: number;
  /** Divide by the range of the whole score matrix (GSVA's ssgsea.norm; default true). */
  normalize?: boolean;
}

/**
 * Raw (unnormalised) ssGSEA scores: samples × gene sets, sets with no gene in the mixture left out.
 * @throws InputError if no set has a gene in the mixture.
 */
export async function ssgseaRaw(mixture: Matrix, opts: SsgseaOptions): Promise<MethodTable> {
  const { warnings, mapped, coverage } = prepareScores(mixture, opts, opts.geneSets);
  const alpha = opts.alpha ?? SSGSEA_TAU;
  if (!(alpha >= 0 && Number.isFinite(alpha))) throw new RangeError(`ssGSEA alpha must be a finite number ≥ 0, got ${alpha}`);
  const n = mixture.rows.length;
  const S = mixture.cols.length;
  return withCore(opts, (core) => {
    const k = core.x;
    const x = putMixture(core, mixture, opts.transform);
    const sets = putSets(core, mapped);
    const out = core.allocF64(S * sets.count);
    const i32 = (m: number) => allocI32(core, m);
    k.ssgseaScores(
      x,
      n,
      S,
      sets.rows,
      sets.off,
      sets.count,
      alpha,
      out,
      i32(n),
      i32(n),
      i32(n),
      core.allocF64(n),
      core.allocF64(n),
      i32(sets.maxSize),
      i32(sets.maxSize),
    );
    const data = core.f64(out, S * mapped.length).slice();
    return scoreTable(
      "ssgsea",
      mixture.cols,
      mapped.map((s) => s.name),
      data,
      coverage,
      warnings,
    );
  });
}

/** max − min over the score columns of all the tables (GSVA: range(es)[2] − range(es)[1]). */
export function scoreRange(tables: readonly MethodTable[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of tables) {
    const S = t.values.rows.length;
    for (let i = 0; i < S * t.estimateColumns; i++) {
      const v = t.values.data[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const range = hi - lo;
  if (!(range > 0 && Number.isFinite(range))) {
    throw new InputError(
      `cannot normalise ssGSEA scores by their range (${lo} … ${hi}): ` +
        "all scores are equal, e.g. one sample with one gene set; use --no-normalize",
    );
  }
  return range;
}

/** A copy of the table with every score divided by `range` (from scoreRange over the whole cohort). */
export function normalizeByRange(t: MethodTable, range: number): MethodTable {
  const data = t.values.data.slice();
  for (let i = 0; i < t.values.rows.length * t.estimateColumns; i++) data[i] = data[i] / range;
  return { ...t, values: { ...t.values, data } };
}

/** ssGSEA as GSVA 1.46 (normalised over this mixture unless normalize is false). */
export const ssgsea: Method<SsgseaOptions> = {
  id: "ssgsea",
  title: "ssGSEA (GSVA 1.46): single-sample rank-weighted enrichment",
  async run(mixture, opts) {
    const raw = await ssgseaRaw(mixture, opts);
    return opts.normalize === false ? raw : normalizeByRange(raw, scoreRange([raw]));
  },
};
