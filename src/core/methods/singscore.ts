// singscore (Foroutan et al., BMC Bioinformatics 19:404, 2018; DavisLaboratory/singscore, docs/scores.md):
// rank-based, per sample, independent of the other samples. Ranks 1..N with ties at their minimum; a set
// of k genes present scores (mean rank − (k+1)/2) / ((2N−k+1)/2 − (k+1)/2) − 0.5, so in [−0.5, 0.5].
// Up/down pairs: sets named "<name>_UP" and "<name>_DN" (or "_DOWN") give one column "<name>" =
// up score + (0.5 − down's normalised mean rank) ∈ [−1, 1]. Not implemented: stable-gene ranks,
// knownDirection = FALSE, the dispersion (MAD) output. Deviation: a pair whose down set has no gene in the
// mixture is scored on its up set (singscore returns no score), with a warning.
import type { MappedSet } from "../genesets.js";
import type { Matrix } from "../matrix.js";
import { type ScoreRunOptions, allocI32, prepareScores, putMixture, scoreTable, withCore } from "./scorekit.js";
import type { Method, MethodTable } from "./types.js";

/** singscore's centerScore = TRUE offset: scores centred on 0. */
const CENTER_OFFSET = -0.5;
const UP = /_UP$/i;
const DOWN = /_(DN|DOWN)$/i;

/** One output column: an up set, and for a pair its down partner (undefined when not in the mixture). */
interface ScoredSet {
  name: string;
  paired: boolean;
  up?: MappedSet;
  down?: MappedSet;
}

/**
 * Pair "<name>_UP" with "<name>_DN"/"_DOWN" (column in the up set's place); every other set is up-only.
 * `names` are all sets of the file, `mapped` those with a gene in the mixture.
 */
function pairSets(names: readonly string[], mapped: readonly MappedSet[]): ScoredSet[] {
  const byName = new Map(mapped.map((m) => [m.name, m]));
  const base = (s: string) => s.replace(UP, "").replace(DOWN, "");
  const downOf = new Map<string, string>();
  for (const up of names.filter((s) => UP.test(s))) {
    const dn = names.find((s) => DOWN.test(s) && base(s) === base(up));
    if (dn !== undefined) downOf.set(up, dn);
  }
  const partners = new Set(downOf.values());
  const out: ScoredSet[] = [];
  for (const s of names) {
    const dn = downOf.get(s);
    if (dn !== undefined) out.push({ name: base(s), paired: true, up: byName.get(s), down: byName.get(dn) });
    else if (!partners.has(s) && byName.has(s)) out.push({ name: s, paired: false, up: byName.get(s) });
  }
  return out;
}

/** Normalised mean rank of a set in one sample: 0 at the bottom k ranks, 1 at the top k. */
function normalisedMeanRank(ranks: Float64Array, set: MappedSet, N: number): number {
  const k = set.rows.length;
  let sum = 0; // integer ranks: exact
  for (const r of set.rows) sum += ranks[r];
  const lb = (k + 1) / 2;
  const ub = (2 * N - k + 1) / 2;
  return (sum / k - lb) / (ub - lb);
}

/** singscore per sample: samples × sets (pairs merged into one column). */
export async function singscoreScores(mixture: Matrix, opts: ScoreRunOptions): Promise<MethodTable> {
  const { warnings, warn, mapped, coverage } = prepareScores(mixture, opts, opts.geneSets);
  const cols = pairSets(
    coverage.map((c) => c.name),
    mapped,
  );
  for (const c of cols.filter((c) => c.paired)) {
    if (!c.up) warn(`singscore: the up set of "${c.name}" has no gene in the mixture; its score is NaN`);
    else if (!c.down) warn(`singscore: the down set of "${c.name}" has no gene in the mixture; scored on the up set only`);
  }
  const N = mixture.rows.length;
  const S = mixture.cols.length;
  const ranks = await withCore(opts, (core) => {
    const x = putMixture(core, mixture, opts.transform);
    const out = core.allocF64(N * S);
    core.x.rankColumns(x, N, S, 1, out, allocI32(core, N), allocI32(core, N));
    return core.f64(out, N * S).slice();
  });
  const data = new Float64Array(S * cols.length);
  cols.forEach((c, j) => {
    for (let i = 0; i < S; i++) {
      const r = ranks.subarray(i * N, (i + 1) * N);
      // singscore's operation order: up + (−0.5); down = 1 − normalised + (−0.5).
      const up = c.up ? normalisedMeanRank(r, c.up, N) + CENTER_OFFSET : NaN;
      const down = c.down ? 1 - normalisedMeanRank(r, c.down, N) + CENTER_OFFSET : 0;
      data[i + j * S] = up + down;
    }
  });
  return scoreTable(
    "singscore",
    mixture.cols,
    cols.map((c) => c.name),
    data,
    coverage,
    warnings,
  );
}

export const singscore: Method<ScoreRunOptions> = {
  id: "singscore",
  title: "singscore: per-sample rank score of up (and down) gene sets",
  run: singscoreScores,
};
