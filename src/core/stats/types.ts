// The public shapes of `cellfrac stats`: the test of a call, its options and one output record.
import type { AdjustMethod } from "./padjust.js";

export const COR_METHODS = ["spearman", "pearson", "kendall"] as const;
export type CorMethod = (typeof COR_METHODS)[number];

/** The test of one call. */
export type StatsTest =
  | { kind: "lm"; formula: string; anova?: 1 | 2 | 3 }
  | { kind: "group"; column: string }
  | { kind: "cor"; column: string; method?: CorMethod }
  | { kind: "logistic"; column: string; covariates?: string }
  | { kind: "cox"; time: string; event: string; covariates?: string };

export interface StatsOptions {
  /** Annotation column holding the sample names (default: the column matching most result samples). */
  idColumn?: string;
  /** Run the test within each level of this annotation column. */
  by?: string;
  /** p-value adjustment across features (default BH). */
  adjust?: AdjustMethod;
  /** Level order per annotation column (the first is the baseline); makes the column categorical. */
  levels?: Record<string, string[]>;
  /** Features to test (default: every numeric column except fit statistics). */
  features?: string[];
  onWarning?: (message: string) => void;
}

/** One output row. null = not defined for this test; NaN = R's NA (e.g. an aliased coefficient). */
export interface StatsRecord {
  feature: string;
  stratum: string;
  test: string;
  term: string;
  n: number;
  estimate: number | null;
  std_error: number | null;
  statistic: number | null;
  df: number | null;
  df2: number | null;
  p_value: number | null;
  q_value: number | null;
}

export const STATS_COLUMNS = [
  "feature",
  "stratum",
  "test",
  "term",
  "n",
  "estimate",
  "std_error",
  "statistic",
  "df",
  "df2",
  "p_value",
  "q_value",
] as const;
