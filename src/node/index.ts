/**
 * cellfrac's Node API.
 *
 * ```ts
 * import { cibersort, readMatrix, toResultsTable } from "cellfrac";
 * const res = await cibersort("mixture.tsv", { signature: "LM22", perm: 100, seed: 1 });
 * ```
 */
import "./host.js";
import { cibersortMatrices } from "../core/cibersort/index.js";
import { runFitsOnPool } from "./pool.js";
import type { CibersortOptions, CibersortResult } from "../core/cibersort/types.js";
import { readSignature } from "./data.js";
import { renamedNote } from "../core/formats/results.js";
import { meetGenes, toSymbols } from "../core/genes.js";
import type { ReadOptions } from "../core/formats/read.js";
import { readCibersortMixture } from "./mixture.js";
import { readMatrix } from "./read.js";
import type { Matrix } from "../core/matrix.js";
import { loadCore } from "../core/wasm.js";
import { type MethodOutput, methodByName, parseOptions } from "../core/registry.js";
import { nodeMethodHost } from "./method-host.js";
import { type MixtureRead, mixtureValues, readMixtureFiles, readMixturePaths, streamableRows } from "./mixtures.js";
import type { Hdf5Options } from "../core/formats/hdf5.js";
import type { FileRef } from "../core/registry.js";

export type * from "../core/cibersort/types.js";
export { NO_PVALUE } from "../core/cibersort/index.js";
export { toResultsJSON, toResultsTable } from "../core/cibersort/output.js";
export { BUILTIN_SIGNATURES, ENSEMBL_TABLE, TIL10_DIR, TIL10_SIGNATURE, readSignature } from "./data.js";
export { InputError, UsageError, type InputLocation } from "../core/errors.js";
export { DEFAULT_LIMITS, inputLimits, limitsFromEnv, setInputLimits, type InputLimits } from "../core/limits.js";
export { parseMatrix, type DuplicatePolicy, type ReadOptions } from "../core/formats/read.js";
export type { Hdf5Options } from "../core/formats/hdf5.js";
export { readMatrix, readMatrixFile } from "./read.js";
export { formatNumber, formatTable } from "../core/formats/write.js";
export { writeFileAtomic } from "./write.js";
export { column, get, makeMatrix, selectRows, type Matrix } from "../core/matrix.js";
export { loadGeneSets } from "./genesets.js";
export { BUILTIN_GENE_SETS, bundledGeneSets, mapGeneSets, parseGeneSets } from "../core/genesets.js";
export type { GeneSet, GeneSetReadOptions, MappedSet } from "../core/genesets.js";
export { SSGSEA_TAU, normalizeByRange, scoreRange, ssgsea, ssgseaRaw, type SsgseaOptions } from "../core/methods/ssgsea.js";
export { singscore, singscoreScores } from "../core/methods/singscore.js";
export { mcpcounter, mcpcounterScores, type McpCounterOptions } from "../core/methods/mcpcounter.js";
export {
  ESTIMATE_COLUMNS,
  estimate,
  estimatePurity,
  estimateScores,
  filterCommonGenes,
  type EstimateOptions,
} from "../core/methods/estimate.js";
export { meanScore, pc1Score, signatureScores, zscoreScore, type SigScoreKind } from "../core/methods/sigscore.js";
export type { ScoreRunOptions, ScoreTransform } from "../core/methods/scorekit.js";

/** A matrix, a file path, table text (anything containing a line break), or file bytes (plain or gzip). */
export type MatrixSource = Matrix | string | Uint8Array;

/**
 * How mixture files are read (the CLI's --genes, --sample-names, --value, --tx2gene, --probe-map, --collapse,
 * --na; src/core/mixtures.ts): for paths only.
 */
export interface MixtureApiOptions {
  genes?: "all" | "intersect";
  /** "A,B,…" in file and column order, or "title" (GEO: !Sample_title). */
  sampleNames?: string;
  value?: "tpm" | "counts" | "fpkm";
  tx2gene?: FileRef;
  probeMap?: FileRef;
  collapse?: "mean" | "max" | "first";
  na?: "error" | "drop-gene";
  /** Long (gene, sample, value) or wide; default "auto": a long table is told by content (the CLI's --layout). */
  layout?: ReadOptions["layout"];
  /** HDF5 mixtures (AnnData, ARCHS4): orientation, gene column, samples (--transpose, --var-column, --samples-from). */
  hdf5?: Hdf5Options;
  /** What reading did (TPM computed, transcripts summed, probes collapsed); default onWarning. */
  onNote?: (message: string) => void;
}

export interface CibersortApiOptions extends CibersortOptions, MixtureApiOptions {
  /** Signature: a built-in name ("LM22", the default), a path, table text, bytes or a Matrix. */
  signature?: MatrixSource;
  /** Duplicate gene symbols in the mixture: "error" (default), "first", "mean" or "max". */
  duplicates?: ReadOptions["duplicates"];
  /**
   * "current" (default, as the CLI): a signature gene absent under its own name takes the mixture row naming
   * the same gene by another name (meetGenes; each rename is told to onWarning); "exact": names as given, as R.
   */
  geneMatch?: "current" | "exact";
}

function isMatrix(x: MatrixSource): x is Matrix {
  return typeof x === "object" && !(x instanceof Uint8Array);
}

/**
 * A mixture (genes × samples) from a path, table text, bytes or a Matrix, with rows named by Ensembl
 * gene ID (with or without version) renamed to symbols through the bundled table (`toSymbols`): the
 * input step of `cellfrac nnls|epic|quantiseq|score|cibersort`. Pass the result to `nnlsDeconvolve`,
 * `epicDeconvolve`, `quantiseqDeconvolve` or a score method's `run`. Synchronous: an HDF5 path needs h5wasm,
 * which loads asynchronously — use loadMixture for those (after one loadMixture, readMixture reads HDF5 too).
 */
export function readMixture(
  source: MatrixSource | readonly string[],
  options: Pick<ReadOptions, "duplicates" | "onWarning"> & MixtureApiOptions = {},
): Matrix {
  if (Array.isArray(source) || isPath(source as MatrixSource)) return mixtureFiles(source as string | readonly string[], options).matrix;
  source = source as MatrixSource;
  const m = isMatrix(source) ? source : readMatrix(source, { what: "mixture", ...options });
  return toSymbols(m, options);
}

/**
 * readMixture for every input the CLI reads, as the CLI's commands read it: one plain table or HDF5 file
 * (.h5ad, ARCHS4-style) is streamed (HDF5 block by block; "-" is standard input), several files, quantifier
 * outputs, GEO series matrices and the options that need every row (sampleNames, na, …) are read whole and
 * merged. Table text, bytes and matrices are read as readMixture reads them.
 */
export async function loadMixture(
  source: MatrixSource | readonly string[],
  options: Pick<ReadOptions, "duplicates" | "onWarning"> & MixtureApiOptions = {},
): Promise<Matrix> {
  if (!Array.isArray(source) && !isPath(source as MatrixSource)) return readMixture(source as MatrixSource, options);
  const { onWarning, onNote, hdf5, layout, ...values } = options;
  const paths = typeof source === "string" ? [source] : (source as readonly string[]);
  return (await readMixturePaths(paths, { ...mixtureValues(values), layout }, onWarning, onNote ?? onWarning, hdf5)).matrix;
}

/**
 * CIBERSORT v1.04, R-identical: fractions, P-values, Correlation and RMSE per sample. Fits run on
 * `threads` worker threads (default: available cores); the result never depends on threads or chunkSize.
 * A mixture given as a path is streamed as by the CLI (only the signature's rows are held in memory).
 * Bad input throws InputError naming the file, line, column, gene or sample.
 */
export async function cibersort(mixture: MatrixSource | readonly string[], options: CibersortApiOptions = {}): Promise<CibersortResult> {
  const {
    signature = "LM22",
    duplicates,
    geneMatch = "current",
    genes,
    sampleNames,
    value,
    tx2gene,
    probeMap,
    collapse,
    na,
    layout,
    onNote,
    ...rest
  } = options;
  const read = { duplicates, genes, sampleNames, value, tx2gene, probeMap, collapse, na, layout, onNote, onWarning: rest.onWarning };
  const sig = isMatrix(signature) ? signature : isPath(signature) ? readSignature(signature) : readMatrix(signature, { what: "signature" });
  const paths = Array.isArray(mixture) ? (mixture as readonly string[]) : isPath(mixture as MatrixSource) ? [mixture as string] : undefined;
  if (paths && !streamableRows(paths, read)) {
    const mix = await loadMixture(paths, { ...read, hdf5: rest.hdf5 });
    return cibersortMatrices(meet(mix, sig, geneMatch, rest.onWarning), sig, rest, await loadCore(), runFitsOnPool);
  }
  if (paths) {
    // Files are streamed as the CLI streams them: only the signature's rows are held (see mixture.ts).
    const mv = mixtureValues(read); // checked as loadMixture checks them
    const rows = {
      na: mv.na as "error" | "drop-gene",
      sampleNames: mv.sampleNames as string | undefined,
      genes: mv.genes as "all" | "intersect",
    };
    const { mixture: mix, mixtureMax } = await readCibersortMixture(paths, sig, { ...rest, ...rows, duplicates, layout, geneMatch });
    return cibersortMatrices(meet(mix, sig, geneMatch, rest.onWarning), sig, { ...rest, mixtureMax }, await loadCore(), runFitsOnPool);
  }
  const mix = readMixture(mixture, { duplicates, onWarning: rest.onWarning });
  return cibersortMatrices(meet(mix, sig, geneMatch, rest.onWarning), sig, rest, await loadCore(), runFitsOnPool);
}

/** The mixture renamed to the signature's gene names (meetGenes) unless "exact"; renames told as a warning. */
function meet(mix: Matrix, sig: Matrix, geneMatch: "current" | "exact", onWarning?: (m: string) => void): Matrix {
  if (geneMatch === "exact") return mix;
  const met = meetGenes(mix, sig.rows);
  const note = renamedNote({ renamed: met.renamed });
  if (note) onWarning?.(note);
  return met.mixture;
}

const isPath = (x: MatrixSource): x is string => typeof x === "string" && !/[\r\n]/.test(x);

/** Mixture file(s) read and merged as the CLI reads them (src/node/mixtures.ts). */
function mixtureFiles(
  paths: string | readonly string[],
  o: Pick<ReadOptions, "duplicates" | "onWarning"> & MixtureApiOptions,
): MixtureRead {
  const { onWarning, onNote, hdf5, layout, ...values } = o;
  const v = { ...mixtureValues(values), layout };
  return readMixtureFiles(typeof paths === "string" ? [paths] : paths, v, onWarning, onNote ?? onWarning, hdf5);
}
export { nnls, nnlsDeconvolve, nnlsSolver, type NnlsFit, type NnlsOptions } from "../core/methods/nnls.js";
export { loadEpicReference } from "./epic.js";
export {
  EPIC_MRNA_CELL,
  OTHER_CELLS,
  epic,
  epicDeconvolve,
  mergeDuplicatesByMedian,
  validateReference,
  type EpicOptions,
  type EpicReference,
} from "../core/methods/epic.js";
export { OTHER, loadTil10, quantiseq, quantiseqDeconvolve, type QuantiseqOptions, type Til10 } from "../core/methods/quantiseq.js";
export { ensemblStableId, ensemblSymbols, type GeneMatch, matchGenes, toSymbols, type ToSymbolsOptions } from "../core/genes.js";
export {
  agreement,
  compareTables,
  formatCompareJson,
  formatCompareText,
  formatCompareTsv,
  loadLineages,
  methodTableToNamed,
  parseTable,
  type CompareOptions,
  type CompareReport,
  type CellTypeStats,
  type Lineages,
  type NamedTable,
} from "../core/compare.js";
export { cibersortTable } from "../core/methods/cibersort-table.js";
export { readTable } from "./compare.js";
export { stats, type StatsInput } from "./stats.js";
export {
  ADJUST_METHODS,
  COR_METHODS,
  STATS_COLUMNS,
  formatStatsJson,
  formatStatsTsv,
  formatStatsWide,
  mergeAnnotations,
  pAdjust,
  parseAnnotation,
  runStats,
  type Annotation,
  type AdjustMethod,
  type CorMethod,
  type StatsOptions,
  type StatsRecord,
  type StatsTest,
} from "../core/stats/index.js";
export {
  METHODS,
  methodByName,
  parseOptions,
  type FileRef,
  type MethodOutput,
  type MethodSpec,
  type NamedBytes,
  type OptionSpec,
  type OptionValues,
} from "../core/registry.js";
export { coverageReport, methodTableJson, methodTableTsv, resultText } from "../core/formats/results.js";

/**
 * Any registry method by name ("cibersort", "nnls", "epic", "quantiseq", "ssgsea", …) with the CLI's options
 * as camelCase keys (`{ geneSets: "Danaher", transform: "log2p1" }`), checked and defaulted as the CLI
 * does; UsageError for a bad option. The mixture is read as loadMixture (and the CLI) reads it: a single
 * file streamed, HDF5 included, with the CLI's mixture options (layout, transpose, varColumn, samplesFrom, …).
 */
export async function runMethod(
  method: string,
  mixture: MatrixSource | readonly string[],
  options: Record<string, unknown> = {},
  hooks: { onWarning?: (m: string) => void; onProgress?: (done: number, total: number) => void } = {},
): Promise<MethodOutput> {
  const m = methodByName(method);
  const v = parseOptions(m, options, "api");
  const isFiles = Array.isArray(mixture) || isPath(mixture as MatrixSource);
  const paths = typeof mixture === "string" ? [mixture] : (mixture as readonly string[]);
  const mix = isFiles
    ? (await readMixturePaths(paths, v, hooks.onWarning)).matrix
    : readMixture(mixture as MatrixSource, { duplicates: v.duplicates as ReadOptions["duplicates"], onWarning: hooks.onWarning });
  const mixtureName = isFiles ? paths.join(", ") : undefined;
  return m.run(mix, v, { host: nodeMethodHost(hooks.onWarning), ...hooks, mixtureName });
}
export { buildReport, type Report, type ReportFile, type ReportRequest } from "../core/report/index.js";
export { compositionSpec, forestSpec, groupBoxSpec, heatmapSpec, scatterSpec, volcanoSpec, type VlSpec } from "../core/charts/specs.js";
export { renderSvg } from "../core/charts/render.js";
