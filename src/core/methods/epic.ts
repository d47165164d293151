// EPIC (Racle et al., eLife 6:e26476, 2017; EPIC R package 1.1.7, docs/epic.md), written from the
// specification: renormalise bulk and reference over their common genes, weight the signature genes by
// the reference variability, fit each sample with R's constrOptim + Nelder–Mead (Wasm kernel
// assembly/epic.ts), add the "other cells" mRNA fraction and convert mRNA to cell fractions.
//
// The TRef/BRef profiles are not shipped (LICR academic non-commercial licence, no redistribution): the
// host reads them (src/node/epic.ts: a directory given by the caller, $CELLFRAC_EPIC_DATA or data/epic/;
// the page: three chosen files).
import { InputError } from "../errors.js";
import { medianInPlace } from "../rbase.js";
import { type Matrix, mergeRowGroups, type RowCombiner, rowGroups } from "../matrix.js";
import type { Core } from "../wasm.js";
import {
  type DeconvRunOptions,
  type DeconvScale,
  checkNonNegative,
  deconvTable,
  linearMixture,
  signatureCoverage,
  startRun,
} from "./deconvkit.js";
import { matchGenes } from "../genes.js";
import { withCore } from "./scorekit.js";
import type { Method, MethodTable } from "./types.js";

/** A reference: profiles and their variability (genes × cell types, TPM) and the signature genes. */
export interface EpicReference {
  name: string;
  profiles: Matrix;
  variability: Matrix;
  sigGenes: string[];
}

/** EPIC's default mRNA content per cell (Racle et al. 2017); types not listed use "default". */
export const EPIC_MRNA_CELL: Readonly<Record<string, number>> = {
  Bcells: 0.4016,
  Macrophages: 1.4196,
  Monocytes: 1.4196,
  Neutrophils: 0.13,
  NKcells: 0.4396,
  Tcells: 0.3952,
  CD4_Tcells: 0.3952,
  CD8_Tcells: 0.3952,
  Thelper: 0.3952,
  Treg: 0.3952,
  otherCells: 0.4,
  default: 0.4,
};

export const EPIC_BUILTIN_REFERENCES = ["TRef", "BRef"] as const;
/** Name of the "other cells" column (EPIC's). */
export const OTHER_CELLS = "otherCells";
/** EPIC's renormalisation target: values per million over the common genes. */
const PER_MILLION = 1e6;
/** Added to the variability so that genes with zero variance get a large, finite weight. */
const VAR_EPSILON = 1e-12;
/** Weights are capped at this multiple of the median positive weight. */
const WEIGHT_CAP = 100;
/** Start point margin: x0 = (1 − 1e-5)/nCells lies strictly inside Σx ≤ 1. */
const START_MARGIN = 1e-5;
/** Lower bound of Σ mRNA fractions without the "other cells" fraction. */
const CMIN_WITHOUT_OTHER = 0.99;

/** A sigGenes list: the first column, one gene a line, an optional "gene" header. */
export function parseEpicGeneList(text: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.split("\t")[0].trim())
    .filter((l) => l.length > 0);
  return lines[0] === "gene" ? lines.slice(1) : lines;
}

/** The reference must cover its own signature genes, with the same cell types in both tables. */
export function validateReference(ref: EpicReference): void {
  const { profiles, variability, sigGenes } = ref;
  if (profiles.cols.join("\t") !== variability.cols.join("\t")) {
    throw new InputError(
      `EPIC reference ${ref.name}: profile cell types (${profiles.cols.join(", ")}) ` +
        `differ from the variability's (${variability.cols.join(", ")})`,
    );
  }
  for (const [what, m] of [
    ["profiles", profiles],
    ["variability", variability],
  ] as const) {
    const { missing, rows: index } = matchGenes(sigGenes, m.rows);
    if (missing.length)
      throw new InputError(
        `EPIC reference ${ref.name}: ${missing.length} signature gene(s) missing from its ${what}: ${missing.join(", ")}`,
      );
    checkNonNegative(m, index, `EPIC reference ${ref.name} ${what}`, true);
  }
}

export interface EpicOptions extends DeconvRunOptions {
  reference: EpicReference;
  /** mRNA per cell by type (default EPIC_MRNA_CELL); all 1 gives mRNA proportions as cell fractions. */
  mRNACell?: Readonly<Record<string, number>>;
  /** Fit an "other cells" fraction (default true, as EPIC). */
  withOtherCells?: boolean;
  /** Constrain Σx to [cMin, 1] (default true, as EPIC). */
  constrainedSum?: boolean;
  /** Report mRNA proportions instead of cell fractions. */
  mRNAProportions?: boolean;
  /** Default "auto": 2^x when the mixture's max < 50 (EPIC itself expects TPM and never anti-logs). */
  scale?: DeconvScale;
}

/**
 * EPIC's duplicate rule: rows with the same gene become one row at the first occurrence holding the
 * per-column median of the duplicates. Returns the matrix unchanged when names are unique.
 */
export function mergeDuplicatesByMedian(m: Matrix): Matrix {
  const groups = rowGroups(m.rows);
  return groups ? mergeRowGroups(m, groups, medianOfRows) : m;
}

/** R median() of a group's values in one column: NA in, NA out. */
const medianOfRows: RowCombiner = (d, c, rs) => {
  const v = Float64Array.from(rs, (r) => d[c + r]);
  return v.some(Number.isNaN) ? NaN : medianInPlace(v);
};

/** LD column sums (R colSums(na.rm = TRUE)) of the given rows, in the given order. */
function colSumsLD(core: Core, m: Matrix, rows: readonly number[]): Float64Array {
  const nr = m.rows.length;
  const buf = core.allocF64(rows.length);
  return Float64Array.from(m.cols, (_, c) => {
    const v = core.f64(buf, rows.length);
    let k = 0;
    for (const r of rows) {
      const x = m.data[r + c * nr];
      if (!Number.isNaN(x)) v[k++] = x;
    }
    return core.x.rSum(buf, k, 1);
  });
}

/** R rowSums(na.rm = TRUE) of a small row (columns in order, long double). */
function rowSumLD(core: Core, values: readonly number[]): number {
  const kept = values.filter((v) => !Number.isNaN(v));
  return core.x.rSum(core.putF64(kept), kept.length, 1);
}

/** Samples × (cell types, otherCells, convergeCode): EPIC cell fractions (or mRNA proportions). */
export async function epicDeconvolve(mixture: Matrix, opts: EpicOptions): Promise<MethodTable> {
  const ref = {
    ...opts.reference,
    profiles: mergeDuplicatesByMedian(opts.reference.profiles),
    variability: mergeDuplicatesByMedian(opts.reference.variability),
  };
  const withOther = opts.withOtherCells ?? true;
  const constrainedSum = opts.constrainedSum ?? true;
  const mrna = opts.mRNACell ?? EPIC_MRNA_CELL;
  const { warnings, warn } = startRun(mixture, opts);
  const cells = ref.profiles.cols;
  const n = cells.length;
  return withCore(opts, (core) => {
    const { matrix: bulk } = linearMixture(core, mergeDuplicatesByMedian(mixture), opts, warn);
    const S = bulk.cols.length;
    const nb = bulk.rows.length;
    // Genes measured in at least one sample, then those the reference has (bulk order).
    const measured = bulk.rows.map((_, r) => r).filter((r) => bulk.cols.some((_, c) => !Number.isNaN(bulk.data[r + c * nb])));
    const common = matchGenes(
      measured.map((r) => bulk.rows[r]),
      ref.profiles.rows,
    );
    const commonBulkRows = common.from.map((k) => measured[k]);
    checkNonNegative(bulk, commonBulkRows, "mixture", true);
    const uniqueSig = [...new Set(ref.sigGenes)];
    const sig = matchGenes(uniqueSig, common.found);
    const coverage = [signatureCoverage(`EPIC ${ref.name}`, uniqueSig.length, sig.missing, warn)];
    const m = sig.found.length;
    if (m < n)
      throw new InputError(
        `only ${m} of the ${uniqueSig.length} EPIC ${ref.name} signature genes are in the mixture; ` +
          `EPIC needs at least as many as cell types (${n})`,
      );

    // Renormalisation over the common genes: (x / colSum)·1e6, divide first as EPIC does.
    const nfBulk = colSumsLD(core, bulk, commonBulkRows);
    const commonRefRows = common.rows;
    const nfRef = colSumsLD(core, ref.profiles, commonRefRows);
    const sigBulkRows = sig.rows.map((i) => commonBulkRows[i]);
    const sigRefRows = sig.rows.map((i) => commonRefRows[i]);
    const varRows = matchGenes(sig.found, ref.variability.rows).rows;
    const npr = ref.profiles.rows.length;
    const nvr = ref.variability.rows.length;
    const a = new Float64Array(m * n);
    const v = new Float64Array(m * n);
    for (let c = 0; c < n; c++) {
      for (let g = 0; g < m; g++) {
        a[g + c * m] = (ref.profiles.data[sigRefRows[g] + c * npr] / nfRef[c]) * PER_MILLION;
        v[g + c * m] = (ref.variability.data[varRows[g] + c * nvr] / nfRef[c]) * PER_MILLION;
      }
    }
    // Weights: Σ over cell types of profile/(variability + ε), capped at 100 × median positive weight.
    const w = new Float64Array(m);
    for (let g = 0; g < m; g++)
      w[g] = rowSumLD(
        core,
        cells.map((_, c) => a[g + c * m] / (v[g + c * m] + VAR_EPSILON)),
      );
    const positive = w.filter((x) => x > 0);
    if (positive.length) {
      const cap = WEIGHT_CAP * medianInPlace(positive);
      for (let g = 0; g < m; g++) if (w[g] > cap) w[g] = cap;
    }

    const k = core.x;
    const pa = core.putF64(a);
    const pw = core.putF64(w);
    const pb = core.allocF64(m);
    const px = core.allocF64(n);
    const cols = [...cells, ...(withOther ? [OTHER_CELLS] : []), "convergeCode"];
    const est = n + (withOther ? 1 : 0);
    const out = new Float64Array(S * cols.length);
    const x0 = (1 - START_MARGIN) / n;
    const cMin = withOther ? 0 : CMIN_WITHOUT_OTHER;
    for (let s = 0; s < S; s++) {
      const b = core.f64(pb, m);
      for (let g = 0; g < m; g++) b[g] = (bulk.data[sigBulkRows[g] + s * nb] / nfBulk[s]) * PER_MILLION;
      core.f64(px, n).fill(x0);
      const code = k.epicFit(pa, m, n, pw, pb, px, constrainedSum ? 1 : 0, cMin);
      if (code < 0) throw new Error("EPIC start point outside the feasible region (internal error)");
      if (code !== 0)
        warn(
          `sample "${bulk.cols[s]}": constrOptim stopped with code ${code} ` +
            `(${code === 7 ? "outer iterations exhausted" : "objective increased"}); EPIC reports this point too`,
        );
      let props = Array.from(core.f64(px, n));
      if (!withOther) {
        const total = rowSumLD(core, props);
        props = props.map((p) => p / total);
      } else {
        props.push(1 - rowSumLD(core, props));
      }
      const names = [...cells, ...(withOther ? [OTHER_CELLS] : [])];
      let row = props;
      if (!opts.mRNAProportions) {
        const cf = props.map((p, i) => p / (mrna[names[i]] ?? mrna.default ?? 1));
        const total = rowSumLD(core, cf);
        row = cf.map((p) => p / total);
      }
      row.forEach((val, c) => (out[s + c * S] = val));
      out[s + est * S] = code;
      opts.onProgress?.(s + 1, S);
    }
    return deconvTable("epic", bulk.cols, cols, out, est, coverage, warnings);
  });
}

export const epic: Method<EpicOptions> = {
  id: "epic",
  title: "EPIC: constrained weighted least squares with an uncharacterised-cells fraction (Racle 2017)",
  run: epicDeconvolve,
};
