// Plain signature scores for any gene set (e.g. a 20-gene HER2 expression signature). Scores are on the
// values as given (or log2(x + 1) with transform "log2p1"); sets are scored on their genes present.
// - mean:   R mean() of the set's values per sample (the MCP-counter computation, any sets);
// - zscore: each gene standardised across samples (R scale(): mean, sd with n − 1), then the mean of the
//           set's z-scores per sample;
// - pc1:    first principal component of the set's standardised genes (i.e. of their correlation
//           matrix): score = Z·v with v the unit-norm leading eigenvector (Jacobi, Wasm).
//           Sign convention: v is oriented so that Σ v_g > 0, which makes the scores positively correlated
//           with the zscore score (cov(Zv, Z1) = λ·Σv); if Σ v_g = 0, the largest |v_g| (first one) is
//           made positive. Scores are centred (mean 0) with variance λ (the eigenvalue).
// zscore and pc1 depend on the whole cohort (like ssGSEA's normalisation): score all samples together.
// Genes constant across the samples carry no information and are left out of zscore/pc1 with a warning.
import { InputError } from "../errors.js";
import type { MappedSet } from "../genesets.js";
import type { Matrix } from "../matrix.js";
import type { Core } from "../wasm.js";
import { mcpcounterScores } from "./mcpcounter.js";
import { type ScoreRunOptions, prepareScores, putMixture, scoreTable, withCore } from "./scorekit.js";
import type { Method, MethodTable } from "./types.js";

export type SigScoreKind = "zscore" | "mean" | "pc1";

/** |Σ v| below this (relative to ‖v‖ = 1) counts as zero for the pc1 sign rule: rounding noise. */
const PC1_SUM_ZERO = 1e-12;

/**
 * Standardised rows (genes) of the mixture, computed with R's mean/sd (long-double, n − 1). Returns one
 * Float64Array of S values per gene index asked, or undefined for a gene constant across samples.
 */
function standardize(core: Core, x: number, n: number, S: number, genes: readonly number[]): Map<number, Float64Array | undefined> {
  const buf = core.allocF64(S);
  const out = new Map<number, Float64Array | undefined>();
  for (const g of genes) {
    if (out.has(g)) continue;
    const v = core.f64(buf, S);
    for (let j = 0; j < S; j++) v[j] = core.f64(x + (g + j * n) * 8, 1)[0];
    const m = core.x.rMean(buf, S);
    const sd = core.x.rSd(buf, S);
    if (!(sd > 0)) {
      out.set(g, undefined);
      continue;
    }
    const w = core.f64(buf, S);
    out.set(
      g,
      Float64Array.from(w, (y) => (y - m) / sd),
    );
  }
  return out;
}

/** pc1 scores of one set from its standardised genes (each of length S). */
function pc1Scores(core: Core, z: Float64Array[], S: number): Float64Array {
  const k = z.length;
  const a = core.allocF64(k * k);
  const v = core.allocF64(k);
  const vecs = core.allocF64(k * k);
  const c = core.f64(a, k * k);
  for (let p = 0; p < k; p++) {
    for (let q = 0; q <= p; q++) {
      let s = 0;
      for (let j = 0; j < S; j++) s += z[p][j] * z[q][j];
      c[p + q * k] = c[q + p * k] = s / (S - 1);
    }
  }
  core.x.topEigen(a, k, v, vecs);
  const vec = core.f64(v, k).slice();
  let sum = 0;
  let big = 0;
  vec.forEach((x, i) => {
    sum += x;
    if (Math.abs(x) > Math.abs(vec[big])) big = i;
  });
  const flip = Math.abs(sum) > PC1_SUM_ZERO ? sum < 0 : vec[big] < 0;
  const out = new Float64Array(S);
  for (let j = 0; j < S; j++) {
    let s = 0;
    for (let g = 0; g < k; g++) s += z[g][j] * vec[g];
    out[j] = flip ? -s : s;
  }
  return out;
}

/** zscore or pc1 scores (see the module comment). */
async function standardizedScores(kind: "zscore" | "pc1", mixture: Matrix, opts: ScoreRunOptions): Promise<MethodTable> {
  const { warnings, warn, mapped, coverage } = prepareScores(mixture, opts, opts.geneSets, 2);
  const n = mixture.rows.length;
  const S = mixture.cols.length;
  return withCore(opts, (core) => {
    const x = putMixture(core, mixture, opts.transform);
    const z = standardize(
      core,
      x,
      n,
      S,
      mapped.flatMap((s) => s.rows),
    );
    const data = new Float64Array(S * mapped.length);
    mapped.forEach((set: MappedSet, c) => {
      const rows = set.rows.filter((r) => z.get(r) !== undefined);
      const constant = set.rows.filter((r) => z.get(r) === undefined).map((r) => mixture.rows[r]);
      if (constant.length) warn(`${kind}: set "${set.name}": ${constant.join(", ")} constant across samples, left out`);
      if (rows.length === 0) {
        warn(`${kind}: set "${set.name}" has no gene that varies across samples; its score is NaN`);
        data.fill(NaN, c * S, (c + 1) * S);
        return;
      }
      const zs = rows.map((r) => z.get(r)!);
      if (kind === "pc1") {
        data.set(pc1Scores(core, zs, S), c * S);
        return;
      }
      const buf = core.allocF64(zs.length);
      for (let j = 0; j < S; j++) {
        const v = core.f64(buf, zs.length);
        zs.forEach((g, i) => (v[i] = g[j]));
        data[j + c * S] = core.x.rMean(buf, zs.length);
      }
    });
    return scoreTable(
      kind,
      mixture.cols,
      mapped.map((s) => s.name),
      data,
      coverage,
      warnings,
    );
  });
}

/** Plain signature scores: samples × sets. zscore and pc1 need at least two samples. */
export async function signatureScores(kind: SigScoreKind, mixture: Matrix, opts: ScoreRunOptions): Promise<MethodTable> {
  if (kind === "mean") return { ...(await mcpcounterScores(mixture, opts)), method: "mean" };
  if (kind === "zscore" || kind === "pc1") return standardizedScores(kind, mixture, opts);
  throw new InputError(`unknown signature score "${kind as string}"`);
}

function sigMethod(kind: SigScoreKind, title: string): Method<ScoreRunOptions> {
  return { id: kind, title, run: (m, o) => signatureScores(kind, m, o) };
}

export const meanScore = sigMethod("mean", "Mean expression of a gene set per sample");
export const zscoreScore = sigMethod("zscore", "Mean z-score (genes standardised across samples) of a gene set");
export const pc1Score = sigMethod("pc1", "First principal component of a gene set's standardised genes");
