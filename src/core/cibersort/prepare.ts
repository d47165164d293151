// The cohort-wide pass of CIBERSORT v1.04 (docs/cibersort.md), done once per run: byte-order gene sort,
// anti-log rule, quantile normalisation, Ymedian, intersection and the global standardisation of the
// signature. Everything after it is an independent fit per target vector.
import { InputError } from "../errors.js";
import { ANTILOG_MAX, compareBytes, medianInPlace } from "../rbase.js";
import type { Matrix } from "../matrix.js";
import type { Core } from "../wasm.js";
import type { ScaleMode } from "./types.js";

export interface Prepared {
  /** Common genes in the order used (byte order of symbols). */
  genes: string[];
  cellTypes: string[];
  samples: string[];
  /** Standardised signature, genes × cell types, row-major (one SVM training point per row). */
  xRowMajor: Float64Array;
  /** Preprocessed mixture on the common genes, genes × samples, column-major (the permutation pool). */
  y: Float64Array;
  yMedian: number;
  antilog: boolean;
  /** The maximum the anti-log rule saw (over every mixture value, or the cohort's). */
  mixtureMax: number;
  /** The QN target distribution (sorted, one value per mixture gene), when QN ran. */
  qnTarget?: Float64Array;
  signatureGenes: number;
  warnings: string[];
}

/**
 * Indices of `names` (distinct) in byte order. Without surrogates the built-in sort's UTF-16 order is byte order,
 * and it sorts a short run's genes faster than a comparator that V8 has not optimised yet.
 */
function sortedOrder(names: string[]): number[] {
  if (/[\ud800-\udfff]/.test(names.join(""))) return names.map((_, i) => i).sort((i, j) => compareBytes(names[i], names[j]));
  const at = new Map(names.map((n, i) => [n, i]));
  return [...names].sort().map((n) => at.get(n)!);
}

function duplicatesOf(names: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup];
}

export interface PrepareOptions {
  qn: boolean;
  scale: ScaleMode;
  /** Compute Ymedian (only sig.score uses it; it needs every value, so the whole mixture in memory). */
  needMedian?: boolean;
  /**
   * Max over the whole mixture file when `mixture` holds only some of its rows (a reader that kept only
   * signature genes); the anti-log rule must see every value. Not allowed with QN or needMedian.
   */
  mixtureMax?: number;
  signatureName?: string;
  mixtureName?: string;
  /**
   * The cohort-wide statistics of a plan (plan.ts) when `mixture` holds only some of the cohort's samples:
   * the anti-log rule uses its maximum, QN its target and sig.score its median.
   */
  cohort?: { mixtureMax: number; qnTarget?: Float64Array; yMedian: number };
}

export function prepare(core: Core, signature: Matrix, mixture: Matrix, opts: PrepareOptions): Prepared {
  const warnings: string[] = [];
  const sigFile = opts.signatureName;
  const mixFile = opts.mixtureName;
  if (signature.rows.length === 0 || signature.cols.length === 0)
    throw new InputError("the signature has no genes or no cell types", { file: sigFile });
  if (mixture.rows.length === 0 || mixture.cols.length === 0)
    throw new InputError("the mixture has no genes or no samples", { file: mixFile });
  const dupSig = duplicatesOf(signature.rows);
  if (dupSig.length) throw new InputError(`duplicate gene symbols in the signature: ${dupSig.slice(0, 10).join(", ")}`, { file: sigFile });
  const dupMix = duplicatesOf(mixture.rows);
  if (dupMix.length)
    throw new InputError(`duplicate gene symbols in the mixture: ${dupMix.slice(0, 10).join(", ")} (use --duplicates first|mean|max)`, {
      file: mixFile,
    });
  const dupTypes = duplicatesOf(signature.cols);
  if (dupTypes.length) throw new InputError(`duplicate cell-type names: ${dupTypes.join(", ")}`, { file: sigFile });

  const G0 = mixture.rows.length;
  const S = mixture.cols.length;
  const yOrder = sortedOrder(mixture.rows);
  const xOrder = sortedOrder(signature.rows);

  // Intersection, both in sorted order: Y rows whose gene is in X, then X rows whose gene was kept.
  const sigSet = new Set(signature.rows);
  const keptY: number[] = [];
  for (let r = 0; r < G0; r++) if (sigSet.has(mixture.rows[yOrder[r]])) keptY.push(r);
  const keptNames = new Set(keptY.map((r) => mixture.rows[yOrder[r]]));
  const keptX = xOrder.filter((r) => keptNames.has(signature.rows[r]));
  const G = keptY.length;
  const T = signature.cols.length;
  if (G === 0) {
    throw new InputError(
      `no gene of the signature (${signature.rows.length} genes, e.g. ${signature.rows.slice(0, 3).join(", ")}) is in the mixture ` +
        `(e.g. ${mixture.rows.slice(0, 3).join(", ")}); genes are matched by exact, case-sensitive symbol`,
      { file: mixFile },
    );
  }
  if (G < 2) throw new InputError(`only ${G} signature gene is in the mixture; CIBERSORT needs at least 2`, { file: mixFile });
  if (G * 2 < signature.rows.length) {
    warnings.push(
      `only ${G} of ${signature.rows.length} signature genes (${((100 * G) / signature.rows.length).toFixed(1)}%) are in the mixture`,
    );
  }

  // Anti-log rule: max over every value of the mixture (the caller may have seen rows we were not given).
  let maxY = opts.cohort?.mixtureMax ?? opts.mixtureMax ?? -Infinity;
  if (!opts.cohort) for (let i = 0; i < mixture.data.length; i++) if (mixture.data[i] > maxY) maxY = mixture.data[i];
  let antilog = false;
  if (opts.scale === "log2") antilog = true;
  else if (opts.scale === "auto" && maxY < ANTILOG_MAX) {
    antilog = true;
    warnings.push(
      `the mixture looks log-scaled (maximum ${maxY} < ${ANTILOG_MAX}); values were anti-logged (2^x) as CIBERSORT does. ` +
        `Use --scale linear or --scale log2 to state the scale explicitly.`,
    );
  }

  // QN and Ymedian use every gene. The mixture goes through Wasm memory one column at a time (rows sorted,
  // anti-logged there): QN accumulates every column's sorted values, then normalises each column against
  // the target; so any cohort size works and only the kept rows (and, for Ymedian, every value) are kept.
  // Otherwise only the kept rows are copied (anti-log is elementwise).
  const y = new Float64Array(G * S);
  let yMedian = NaN;
  let qnTarget: Float64Array | undefined;
  core.reset();
  if (opts.qn || opts.needMedian) {
    if (opts.mixtureMax !== undefined) throw new RangeError("prepare: QN and the sig.score median need every mixture row");
    const col = core.allocF64(G0);
    // With QN each column is loaded (and anti-logged) twice, once per pass: cheaper than a second copy of
    // the whole mixture.
    const loadColumn = (c: number): Float64Array => {
      const v = core.f64(col, G0);
      const src = c * G0;
      for (let r = 0; r < G0; r++) v[r] = mixture.data[src + yOrder[r]];
      if (antilog) core.x.antilog2(col, G0);
      return v;
    };
    let qn: { acc: number; idx: number; tmp: number; target: number } | undefined;
    const given = opts.cohort?.qnTarget;
    if (opts.qn && given) {
      if (given.length !== G0) throw new InputError(`the plan's QN target has ${given.length} genes, the mixture ${G0}`, { file: mixFile });
      qn = { acc: 0, idx: core.x.alloc(4 * G0), tmp: core.x.alloc(4 * G0), target: core.putF64(given) };
    } else if (opts.qn) {
      qn = { acc: core.x.alloc(16 * G0), idx: core.x.alloc(4 * G0), tmp: core.x.alloc(4 * G0), target: core.allocF64(G0) };
      core.x.qnClear(qn.acc, G0);
      for (let c = 0; c < S; c++) {
        loadColumn(c);
        core.x.qnAccumulate(col, G0, qn.acc, qn.idx, qn.tmp);
      }
      core.x.qnTarget(qn.acc, G0, S, qn.target);
    }
    if (qn) qnTarget = core.f64(qn.target, G0).slice();
    const all = opts.needMedian && !opts.cohort ? new Float64Array(G0 * S) : undefined;
    for (let c = 0; c < S; c++) {
      loadColumn(c);
      if (qn) core.x.qnApply(col, G0, qn.idx, qn.tmp, qn.target);
      const v = core.f64(col, G0); // a fresh view: memory may have grown
      for (let g = 0; g < G; g++) y[c * G + g] = v[keptY[g]];
      all?.set(v, c * G0);
    }
    if (all) yMedian = Math.max(medianInPlace(all), 1);
    else if (opts.needMedian) yMedian = opts.cohort!.yMedian;
  } else {
    for (let c = 0; c < S; c++) for (let g = 0; g < G; g++) y[c * G + g] = mixture.data[c * G0 + yOrder[keptY[g]]];
    if (antilog) {
      const yp = core.putF64(y);
      core.x.antilog2(yp, y.length);
      y.set(core.f64(yp, y.length));
    }
  }
  const genes = keptY.map((r) => mixture.rows[yOrder[r]]);

  // X standardised with one mean and sd over all G·T entries, in R's column-major order.
  const nr = signature.rows.length;
  const xCol = new Float64Array(G * T);
  for (let t = 0; t < T; t++) for (let g = 0; g < G; g++) xCol[t * G + g] = signature.data[t * nr + keptX[g]];
  core.reset();
  const xp = core.putF64(xCol);
  const mu = core.x.rMean(xp, xCol.length);
  const sigma = core.x.rSd(xp, xCol.length);
  if (!(sigma > 0)) throw new InputError("the signature matrix is constant on the common genes", { file: sigFile });
  const xRowMajor = new Float64Array(G * T);
  for (let g = 0; g < G; g++) for (let t = 0; t < T; t++) xRowMajor[g * T + t] = (xCol[t * G + g] - mu) / sigma;

  return {
    genes,
    cellTypes: signature.cols.slice(),
    samples: mixture.cols.slice(),
    xRowMajor,
    y,
    yMedian,
    antilog,
    mixtureMax: maxY,
    qnTarget,
    signatureGenes: signature.rows.length,
    warnings,
  };
}
