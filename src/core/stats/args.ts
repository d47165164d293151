// The options of `cellfrac stats` (parsed --name values), checked in one place for the CLI and the page's
// Analysis step, so that both accept, refuse and word the same things.
import { UsageError } from "../errors.js";
import { ADJUST_METHODS, type AdjustMethod } from "./padjust.js";
import { COR_METHODS, type CorMethod, STATS_COLUMNS, type StatsOptions, type StatsTest } from "./types.js";

/** Option values by long name, as node:util parseArgs gives them (--levels and --samples repeat). */
export type StatsArgValues = Record<string, string | boolean | string[] | undefined>;

export const STATS_TESTS = ["lm", "group", "cor", "logistic", "cox"] as const;
export type StatsValueColumn = (typeof STATS_COLUMNS)[number];

export interface StatsArgs {
  test: StatsTest;
  options: Omit<StatsOptions, "onWarning">;
  /** Given --format (undefined: from the output name, else tsv). */
  format?: "tsv" | "json" | "wide";
  value: StatsValueColumn;
}

function parseTest(v: StatsArgValues): StatsTest {
  const given = STATS_TESTS.filter((k) => v[k] !== undefined);
  if (given.length !== 1)
    throw new UsageError(
      "give exactly one test: --lm, --group, --cor, --logistic or --cox " +
        `(got ${given.length ? given.map((g) => `--${g}`).join(", ") : "none"})`,
    );
  const only = (opt: string, tests: string[]) => {
    if (v[opt] !== undefined && !tests.includes(given[0]))
      throw new UsageError(`--${opt} applies to ${tests.map((t) => `--${t}`).join(" and ")} only`);
  };
  only("anova", ["lm"]);
  only("method", ["cor"]);
  only("covariates", ["logistic", "cox"]);
  switch (given[0]) {
    case "lm": {
      const a = v.anova as string | undefined;
      if (a !== undefined && !["1", "2", "3"].includes(a)) throw new UsageError(`--anova takes 1, 2 or 3; got "${a}"`);
      return { kind: "lm", formula: v.lm as string, anova: a === undefined ? 2 : (Number(a) as 1 | 2 | 3) };
    }
    case "group":
      return { kind: "group", column: v.group as string };
    case "cor": {
      const m = (v.method as string | undefined) ?? "spearman";
      if (!(COR_METHODS as readonly string[]).includes(m)) throw new UsageError(`--method takes ${COR_METHODS.join(", ")}; got "${m}"`);
      return { kind: "cor", column: v.cor as string, method: m as CorMethod };
    }
    case "logistic":
      return { kind: "logistic", column: v.logistic as string, covariates: v.covariates as string | undefined };
    default: {
      const parts = (v.cox as string).split(",");
      if (parts.length !== 2 || parts.some((p) => p === ""))
        throw new UsageError(`--cox takes TIME,EVENT (two column names); got "${v.cox}"`);
      return { kind: "cox", time: parts[0], event: parts[1], covariates: v.covariates as string | undefined };
    }
  }
}

/** Checks the test and options of one `cellfrac stats` call (UsageError, worded as the CLI prints it). */
export function parseStatsArgs(v: StatsArgValues): StatsArgs {
  const test = parseTest(v);
  const adjust = (v.adjust as string | undefined) ?? "BH";
  if (!(ADJUST_METHODS as readonly string[]).includes(adjust))
    throw new UsageError(`--adjust takes ${ADJUST_METHODS.join(", ")}; got "${adjust}"`);
  const levels: Record<string, string[]> = {};
  for (const l of (v.levels as string[] | undefined) ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(l);
    if (!m) throw new UsageError(`--levels takes COL=a,b,c; got "${l}"`);
    const lv = m[2].split(",");
    if (new Set(lv).size !== lv.length) throw new UsageError(`--levels ${m[1]}: a level is listed twice`);
    levels[m[1]] = lv;
  }
  const format = v.format as string | undefined;
  if (format !== undefined && !["tsv", "json", "wide"].includes(format))
    throw new UsageError(`--format takes tsv, json or wide; got "${format}"`);
  const value = (v.value as string | undefined) ?? "estimate";
  if (!(STATS_COLUMNS.slice(4) as readonly string[]).includes(value))
    throw new UsageError(`--value takes ${STATS_COLUMNS.slice(4).join(", ")}; got "${value}"`);
  if (v.value !== undefined && format !== "wide") throw new UsageError("--value applies to --format wide only");
  return {
    test,
    options: {
      idColumn: v["id-column"] as string | undefined,
      by: v.by as string | undefined,
      adjust: adjust as AdjustMethod,
      levels,
      features: (v.features as string | undefined)?.split(",").map((s) => s.trim()),
    },
    format: format as StatsArgs["format"],
    value: value as StatsValueColumn,
  };
}
