// ESTIMATE (Yoshihara et al., Nat. Commun. 4:2612, 2013; docs/scores.md): stromal and immune
// enrichment scores, their sum, and tumour purity. As estimateScore / immunedeconv:
// 1. keep the mixture genes among ESTIMATE's 10,412 common genes, ordered by symbol (R's merge sort
//    under LC_COLLATE=C, i.e. byte order; that order places tied genes in the walk);
// 2. per sample, per set: the cumulative-sum random walk on average ranks (Wasm kernel, R's LD cumsum);
// 3. ESTIMATEScore = Stromal + Immune; TumorPurity = cos(0.6049872018 + 0.0001467884 · ESTIMATEScore),
//    NaN where the cosine is negative. The formula was fitted on Affymetrix arrays; as immunedeconv we
//    report it for any platform (treat it as indicative on RNA-seq).
import { InputError } from "../errors.js";
import { GENESETS_FOLDER, type MappedSet } from "../genesets.js";
import { dataText } from "../host.js";
import { type Matrix, selectRows } from "../matrix.js";
import {
  type ScoreRunOptions,
  allocI32,
  checkMixture,
  mapSets,
  putMixture,
  putSets,
  scoreTable,
  warningSink,
  withCore,
} from "./scorekit.js";
import type { Coverage, Method, MethodTable } from "./types.js";

/** Purity = cos(PURITY_A + PURITY_B · ESTIMATEScore) (Yoshihara et al. 2013, fitted on Affymetrix data). */
export const PURITY_A = 0.6049872018;
export const PURITY_B = 0.0001467884;
/** Below this ESTIMATEScore the cosine's argument is negative and purity would rise again with the score. */
export const PURITY_TURNING_SCORE = -PURITY_A / PURITY_B;

export const ESTIMATE_COLUMNS = ["StromalScore", "ImmuneScore", "ESTIMATEScore", "TumorPurity"];

export interface EstimateOptions extends Omit<ScoreRunOptions, "geneSets"> {
  /** Two sets, stromal first then immune (default: the bundled ESTIMATE sets, "ESTIMATE"). */
  geneSets?: ScoreRunOptions["geneSets"];
  /** ESTIMATE's common genes (default: data/genesets' list, through the host). */
  commonGenes?: ReadonlySet<string>;
}

/** TumorPurity from an ESTIMATEScore: NaN where the cosine is negative (ESTIMATE's NA). */
export function estimatePurity(score: number): number {
  const p = Math.cos(PURITY_A + PURITY_B * score);
  return p < 0 ? NaN : p;
}

/** The common-gene list's file in data/genesets/. */
export const ESTIMATE_COMMON_GENES_FILE = "ESTIMATE_common_genes.txt";

/** ESTIMATE's common genes from the text of ESTIMATE_common_genes.txt (a header line, one symbol a line). */
export function parseEstimateCommonGenes(text: string): Set<string> {
  return new Set(
    text
      .split("\n")
      .slice(1)
      .filter((g) => g !== ""),
  );
}

let commonGenes: Set<string> | undefined;
/** The bundled common genes (through the host), read once. */
export function estimateCommonGenes(): Set<string> {
  commonGenes ??= parseEstimateCommonGenes(dataText(GENESETS_FOLDER + ESTIMATE_COMMON_GENES_FILE));
  return commonGenes;
}

/** C-locale (byte order for ASCII symbols) comparison, as R's sort under LC_COLLATE=C. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The mixture restricted to ESTIMATE's common genes (first row of a repeated symbol), sorted by symbol. */
export function filterCommonGenes(
  mixture: Matrix,
  common: ReadonlySet<string> = estimateCommonGenes(),
): { filtered: Matrix; coverage: Coverage } {
  const seen = new Set<string>();
  const keep: number[] = [];
  mixture.rows.forEach((g, i) => {
    if (common.has(g) && !seen.has(g)) {
      seen.add(g);
      keep.push(i);
    }
  });
  keep.sort((a, b) => byteOrder(mixture.rows[a], mixture.rows[b]));
  const missing = [...common].filter((g) => !seen.has(g));
  return {
    filtered: selectRows(mixture, keep),
    coverage: { name: "ESTIMATE common genes", found: keep.length, total: common.size, missing },
  };
}

/** StromalScore, ImmuneScore, ESTIMATEScore, TumorPurity per sample. */
export async function estimateScores(mixture: Matrix, opts: EstimateOptions = {}): Promise<MethodTable> {
  checkMixture(mixture);
  const { warnings, warn } = warningSink(opts);
  const { filtered, coverage: common } = filterCommonGenes(mixture, opts.commonGenes);
  if (filtered.rows.length === 0)
    throw new InputError("no gene of ESTIMATE's 10,412 common genes is in the mixture (are the rows HGNC symbols?)");
  if (common.missing.length)
    warn(`ESTIMATE: ${common.found} of ${common.total} common genes are in the mixture; ranks are taken over those`);
  const { mapped, coverage } = mapSets(filtered, opts.geneSets ?? "ESTIMATE", warn);
  if (coverage.length !== 2) throw new InputError(`ESTIMATE needs exactly two gene sets (stromal, then immune); got ${coverage.length}`);
  const n = filtered.rows.length;
  const S = filtered.cols.length;
  const raw = await runKernel(filtered, mapped, opts);
  // Column of each of the two sets in raw, or −1 for a set with no gene present (ESTIMATE's NA).
  const at = coverage.map((c) => mapped.findIndex((m) => m.coverage === c));
  const data = new Float64Array(S * 4).fill(NaN);
  for (let j = 0; j < S; j++) {
    for (let s = 0; s < 2; s++) if (at[s] >= 0) data[j + s * S] = raw[j + at[s] * S];
    const est = data[j] + data[j + S];
    data[j + 2 * S] = est;
    data[j + 3 * S] = estimatePurity(est);
  }
  const low = filtered.cols.filter((_, j) => data[j + 2 * S] < PURITY_TURNING_SCORE);
  if (low.length) warn(`ESTIMATEScore below ${PURITY_TURNING_SCORE.toFixed(1)} (where the purity formula turns) for ${low.join(", ")}`);
  if (n < 2) warn("ESTIMATE: fewer than two common genes: scores are meaningless");
  return scoreTable("estimate", mixture.cols, ESTIMATE_COLUMNS, data, [common, ...coverage], warnings);
}

async function runKernel(m: Matrix, sets: MappedSet[], opts: EstimateOptions): Promise<Float64Array> {
  const n = m.rows.length;
  const S = m.cols.length;
  return withCore(opts, (core) => {
    const x = putMixture(core, m, opts.transform);
    const p = putSets(core, sets);
    const out = core.allocF64(S * p.count);
    const i32 = () => allocI32(core, n);
    core.x.estimateScores(x, n, S, p.rows, p.off, p.count, out, i32(), i32(), i32(), core.allocF64(n), core.allocF64(n), core.allocF64(n));
    return core.f64(out, S * sets.length).slice();
  });
}

export const estimate: Method<EstimateOptions> = {
  id: "estimate",
  title: "ESTIMATE: stromal, immune and ESTIMATE scores, tumour purity",
  run: estimateScores,
};
