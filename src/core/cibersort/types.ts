import type { Matrix } from "../matrix.js";

/** Absolute-mode variants of CIBERSORT v1.04 (`abs_method`). */
export type AbsMethod = "sig.score" | "no.sumto1";

/** How the mixture's scale is decided. "auto" is the R script's rule (anti-log when max < 50). */
export type ScaleMode = "auto" | "linear" | "log2";

export interface CibersortOptions {
  /** Number of permutations for the null distribution; 0 gives P-value 9999 as in R. Default 100. */
  perm?: number;
  /** R `set.seed` value used before the permutations. Default 1. */
  seed?: number;
  /** Quantile-normalise the mixture (preprocessCore). Default false (RNA-seq practice). */
  qn?: boolean;
  /** Absolute mode; false (default) gives relative fractions. */
  absolute?: AbsMethod | false;
  /** "auto" (default): 2^x when max < 50, announced as a warning; "linear"/"log2" state it explicitly. */
  scale?: ScaleMode;
  /** ν-SVR solver: "libsvm" (default, R-identical) or "exact" (the true optimum of the same problem). */
  solver?: "libsvm" | "exact";
  /**
   * Worker threads (default: available cores; the calling thread for the exact solver on fewer than 128
   * samples + permutations; 1 fits in the calling thread). Results never depend on it.
   */
  threads?: number;
  /** Fits per worker task (default: about 8 tasks per thread). Results never depend on it. */
  chunkSize?: number;
  /** Called as fits complete. */
  onProgress?: (done: number, total: number) => void;
  /** Called for every warning (also collected in the result). */
  onWarning?: (message: string) => void;
  /** Abort the run. */
  signal?: AbortSignal;
  /**
   * Maximum over the whole mixture file when `mixture` holds only some of its rows (a reader that kept the
   * signature genes): the anti-log rule must see every value. Not allowed with qn or absolute "sig.score".
   */
  mixtureMax?: number;
  /** File names used in error messages (the CLI passes the paths). */
  names?: { mixture?: string; signature?: string };
  /**
   * A plan's cohort-wide pass (plan.ts): the run fits only `columns` of the mixture and takes the anti-log
   * rule's maximum, the QN target, the sig.score median and the permutation null from it.
   */
  cohort?: CohortPass;
  /** With `cohort`: the mixture's sample columns to fit (0-based, ascending). */
  columns?: readonly number[];
}

/** How many of the signature's genes the mixture has (`used` of `total`), and which it lacks, in signature order. */
export interface SignatureCoverage {
  used: number;
  total: number;
  missing: string[];
}

/**
 * What every sample's fit shares with the whole cohort: computed once by `cibersortCohort` (or a plan file),
 * it makes a run on some of the samples give their rows of the whole run exactly.
 */
export interface CohortPass {
  /** Samples in the whole mixture. */
  samples: number;
  cellTypes: string[];
  /** The maximum the anti-log rule saw (after duplicate merging) and its decision. */
  mixtureMax: number;
  antilog: boolean;
  /** The QN target distribution (one value per mixture gene, sorted); absent without QN. */
  qnTarget?: Float64Array;
  /** max(median of the whole preprocessed mixture, 1) for sig.score; NaN otherwise. */
  yMedian: number;
  /** The signature genes found in the mixture, in the order used. */
  genes: string[];
  signatureCoverage: SignatureCoverage;
  /** The sorted permutation null (NaN-free). */
  nullDistribution: Float64Array;
  /** The run's warnings that do not name a sample (scale decision, coverage, dropped permutations). */
  warnings: string[];
}

export interface CibersortDiagnostics {
  /** Genes shared by signature and mixture, in the order used (byte order). */
  genes: string[];
  /** Signature genes present / total, and the absent ones in the signature's order. */
  signatureCoverage: SignatureCoverage;
  /** True when the mixture was anti-logged (2^x). */
  antilog: boolean;
  /** max(median of the whole preprocessed mixture, 1); computed for sig.score only (NaN otherwise). */
  yMedian: number;
  /** Per sample: the chosen ν (0.25, 0.5 or 0.75), NaN for a failed sample. */
  nu: Float64Array;
  /** Per sample and ν: solver iterations, samples × ν-count row-major. */
  iterations: Int32Array;
  /** The sorted permutation null (correlations), NaN-free. */
  nullDistribution: Float64Array;
  /**
   * Values before R's 15-digit round trip. `weights`: CoreAlg's w (clipped v for no.sumto1), before sig.score scaling;
   * samples × types row-major.
   */
  unrounded: {
    weights: Float64Array;
    correlation: Float64Array;
    rmse: Float64Array;
    pValue: Float64Array;
    absoluteScore?: Float64Array;
  };
}

export interface CibersortResult {
  samples: string[];
  cellTypes: string[];
  /** samples × cell types, column-major as every Matrix (rows = samples, cols = cell types). */
  fractions: Matrix;
  pValue: Float64Array;
  correlation: Float64Array;
  rmse: Float64Array;
  /** Present in absolute mode: the "Absolute score (method)" column. */
  absoluteScore?: Float64Array;
  absMethod?: AbsMethod;
  warnings: string[];
  diagnostics: CibersortDiagnostics;
}
