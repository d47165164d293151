// quanTIseq (Finotello et al., Genome Med. 11:34, 2019; quantiseqr 1.11 / icbi-lab quanTIseq,
// docs/quantiseq.md), written from the specification: TPM re-normalisation, TIL10 without the genes
// quanTIseq removes, the constrained least squares that limSolve::lsei falls back to (a ridge-regularised
// QP on the σ_max-scaled problem, Wasm kernel assembly/lsq.ts), mRNA scaling, "Other" and the Treg
// correction.
//
// Not reproduced: the HGNC symbol re-annotation (quanTIseq's table is not available here), so gene
// symbols are used as given and the per-million re-normalisation runs over all input genes.
import { InputError } from "../errors.js";
import { parseMatrix } from "../formats/read.js";
import { dataText, host } from "../host.js";
import { type Matrix, makeMatrix } from "../matrix.js";
import type { Core } from "../wasm.js";
import { type DeconvRunOptions, checkNonNegative, deconvTable, linearMixture, signatureCoverage, startRun } from "./deconvkit.js";
import { matchGenes } from "../genes.js";
import { withCore } from "./scorekit.js";
import type { Method, MethodTable } from "./types.js";
import { TIL10_FILES, TIL10_FOLDER } from "./til10-files.js";

export { TIL10_FILES, TIL10_FOLDER };

export const OTHER = "Other";
/** lsei's type-2 path adds this ridge to AᵀA (on the σ_max-scaled problem). */
const LSEI_RIDGE = 1e-8;
/** lsei sets |x| below √DBL_EPSILON to 0. */
const LSEI_ZERO = Math.sqrt(2 ** -52);
/** quanTIseq's per-sample re-normalisation target (TPM). */
const PER_MILLION = 1e6;
/** Treg correction applies to samples whose Treg estimate is below this. */
const MIN_TREGS = 0.02;

export interface Til10 {
  signature: Matrix;
  /** mRNA scaling factor per signature column. */
  mRNAScaling: Record<string, number>;
  /** Genes removed for RNA-seq data. */
  rmGenes: string[];
  /** Genes additionally removed for tumour samples. */
  aberrantGenes: string[];
}

/** The first column of a one-column list with a header line (TIL10_rmgenes.tsv and the like). */
function parseList(text: string): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  return lines.slice(1).map((l) => l.split("\t")[0].trim());
}

/**
 * TIL10 from the parsed signature and the texts of the other three files (for callers without a file
 * system, e.g. the browser page); `scalingName` names the scaling file in messages.
 */
export function til10FromTexts(
  signature: Matrix,
  texts: { mRNAScaling: string; rmGenes: string; aberrantGenes: string },
  scalingName: string = TIL10_FILES.mRNAScaling,
): Til10 {
  const mRNAScaling: Record<string, number> = {};
  for (const line of texts.mRNAScaling.split(/\r?\n/).slice(1)) {
    const [ct, v] = line.split("\t");
    if (ct) mRNAScaling[ct.trim()] = Number(v);
  }
  const missing = signature.cols.filter((c) => !(mRNAScaling[c] > 0));
  if (missing.length)
    throw new InputError(`TIL10 mRNA scaling factors missing or not positive for: ${missing.join(", ")}`, { file: scalingName });
  return { signature, mRNAScaling, rmGenes: parseList(texts.rmGenes), aberrantGenes: parseList(texts.aberrantGenes) };
}

let bundled: Til10 | undefined;

/** The bundled TIL10 (data/til10, through the host), parsed once. */
export function loadTil10(): Til10 {
  const file = (f: string) => TIL10_FOLDER + f;
  bundled ??= til10FromTexts(
    parseMatrix(host().dataFile(file(TIL10_FILES.signature)), { what: "signature", name: file(TIL10_FILES.signature) }),
    {
      mRNAScaling: dataText(file(TIL10_FILES.mRNAScaling)),
      rmGenes: dataText(file(TIL10_FILES.rmGenes)),
      aberrantGenes: dataText(file(TIL10_FILES.aberrantGenes)),
    },
    file(TIL10_FILES.mRNAScaling),
  );
  return bundled;
}

export interface QuantiseqOptions extends DeconvRunOptions {
  /** Signature and gene lists (default: the bundled TIL10). */
  til10?: Til10;
  /** Tumour samples: also remove the TCGA-aberrant genes (immunedeconv's default; quantiseqr: false). */
  tumor?: boolean;
  /** Microarray data: quantile-normalise and keep the RNA-seq-specific genes. */
  arrays?: boolean;
  /** Convert mRNA fractions to cell fractions with the mRNA scaling factors (default true). */
  scaleMRNA?: boolean;
}

/**
 * The constrained fit of one sample (quanTIseq's DClsei): fractions of the signature columns followed
 * by Other. a: genes × types (column-major), b: genes.
 */
function dclsei(core: Core, a: Float64Array, m: number, n: number, b: Float64Array, scaling: number[]): number[] {
  const k = core.x;
  // σ_max(A) = √(largest eigenvalue of AᵀA).
  const ata = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let g = 0; g < m; g++) s += a[g + i * m] * a[g + j * m];
      ata[i + j * n] = ata[j + i * n] = s;
    }
  }
  const lam = k.topEigen(core.putF64(ata), n, core.allocF64(n), core.allocF64(n * n));
  const sc = Math.sqrt(lam);
  const as = a.map((v) => v / sc);
  const bs = b.map((v) => v / sc);
  const D = new Float64Array(n * n);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let g = 0; g < m; g++) t += as[g + i * m] * bs[g];
    d[i] = t;
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let g = 0; g < m; g++) s += as[g + i * m] * as[g + j * m];
      D[i + j * n] = D[j + i * n] = s;
    }
    D[i + i * n] += LSEI_RIDGE;
  }
  const px = core.allocF64(n);
  const it = k.qpSubSimplex(
    core.putF64(D),
    core.putF64(d),
    n,
    px,
    core.allocF64((n + 1) * (n + 1) + 4 * (n + 1)),
    core.x.alloc(4 * (n + 1)),
  );
  if (it < 0) throw new Error("quanTIseq: the constrained least-squares solver did not converge (internal error)");
  const x = Array.from(core.f64(px, n), (v) => (Math.abs(v) < LSEI_ZERO ? 0 : v));
  const estSum = rSum(core, x);
  const scaled = x.map((v, i) => v / scaling[i]);
  const total = rSum(core, scaled);
  const est = scaled.map((v) => (v / total) * estSum);
  return [...est, Math.max(0, 1 - rSum(core, est))];
}

function rSum(core: Core, v: readonly number[]): number {
  return core.x.rSum(core.putF64(v), v.length, 1);
}

/** Samples × (TIL10 cell types, Other): quanTIseq cell fractions, rows summing to 1. */
export async function quantiseqDeconvolve(mixture: Matrix, opts: QuantiseqOptions = {}): Promise<MethodTable> {
  const til = opts.til10 ?? loadTil10();
  const { warnings, warn } = startRun(mixture, opts);
  const sig = til.signature;
  const types = sig.cols;
  const n = types.length;
  const removed = new Set([...(opts.arrays ? [] : til.rmGenes), ...(opts.tumor ? til.aberrantGenes : [])]);
  const sigGenes = sig.rows.filter((g) => !removed.has(g));
  return withCore(opts, (core) => {
    const { matrix: lin } = linearMixture(core, mixture, opts, warn);
    const G = lin.rows.length;
    const S = lin.cols.length;
    const all = lin.rows.map((_, i) => i);
    checkNonNegative(lin, all, "mixture");
    let data = lin.data;
    if (opts.arrays) {
      const p = core.putF64(data);
      core.x.quantileNormalize(p, G, S, core.x.alloc(16 * G), core.x.alloc(4 * G), core.x.alloc(4 * G), core.allocF64(G));
      data = Float64Array.from(core.f64(p, G * S));
    }
    // Per-million re-normalisation over all genes: (x·1e6)/colSum, multiply first as quanTIseq does.
    const tpm = new Float64Array(G * S);
    for (let s = 0; s < S; s++) {
      const total = core.x.rSum(core.putF64(data.subarray(s * G, (s + 1) * G)), G, 1);
      for (let g = 0; g < G; g++) tpm[g + s * G] = (data[g + s * G] * PER_MILLION) / total;
    }
    const expr = makeMatrix(lin.rows, lin.cols, tpm);
    const { from, rows: index, missing } = matchGenes(sigGenes, expr.rows);
    const coverage = [signatureCoverage("TIL10", sigGenes.length, missing, warn)];
    const m = index.length;
    if (m < n)
      throw new InputError(
        `only ${m} of the ${sigGenes.length} TIL10 genes are in the mixture; quanTIseq needs at least as many as cell types (${n})`,
      );
    const sigRow = from.map((k) => sig.rows.indexOf(sigGenes[k]));
    const full = new Float64Array(m * n);
    for (let c = 0; c < n; c++) for (let g = 0; g < m; g++) full[g + c * m] = sig.data[sigRow[g] + c * sig.rows.length];
    const scaling = types.map((t) => (opts.scaleMRNA === false ? 1 : til.mRNAScaling[t]));
    // Treg correction fit: TIL10 without T.cells.CD4.
    const cd4 = types.indexOf("T.cells.CD4");
    const tregs = types.indexOf("Tregs");
    const correct = cd4 >= 0 && tregs >= 0;
    const keep = types.map((_, i) => i).filter((i) => i !== cd4);
    const noCd4 = new Float64Array(m * keep.length);
    keep.forEach((c, j) => noCd4.set(full.subarray(c * m, (c + 1) * m), j * m));
    const tregs2 = keep.indexOf(tregs);

    const cols = [...types, OTHER];
    const out = new Float64Array(S * cols.length);
    const b = new Float64Array(m);
    for (let s = 0; s < S; s++) {
      for (let g = 0; g < m; g++) b[g] = tpm[index[g] + s * G];
      core.reset();
      const est = dclsei(core, full, m, n, b, scaling);
      if (correct && est[tregs] < MIN_TREGS) {
        const t2 = dclsei(
          core,
          noCd4,
          m,
          keep.length,
          b,
          keep.map((i) => scaling[i]),
        )[tregs2];
        est[tregs] = (t2 + est[tregs]) / 2;
        est[cd4] = Math.max(0, est[cd4] - (t2 + est[tregs]) / 2); // uses the updated Tregs, as quanTIseq
      }
      const total = rSum(core, est);
      est.forEach((v, c) => (out[s + c * S] = v / total));
      opts.onProgress?.(s + 1, S);
    }
    return deconvTable("quantiseq", lin.cols, cols, out, cols.length, coverage, warnings);
  });
}

export const quantiseq: Method<QuantiseqOptions> = {
  id: "quantiseq",
  title: "quanTIseq: constrained least squares on TIL10 with mRNA scaling and Other (Finotello 2019)",
  run: quantiseqDeconvolve,
};
