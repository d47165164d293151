// Which charts a report holds for the given inputs, and why one is left out when it is.
import { confidenceInterval } from "../charts/ci.js";
import {
  compositionSpec,
  DEFAULT_LIMITS,
  forestSpec,
  groupBoxSpec,
  heatmapSpec,
  MODEL_TESTS,
  scatterSpec,
  volcanoSpec,
  type ChartLimits,
  type Grouping,
  type StatsRow,
  type VlSpec,
} from "../charts/specs.js";
import { InputError, UsageError } from "../errors.js";
import { type Annotation, composition, grouping, numericColumn, type ReportResults } from "./inputs.js";

export const CHART_IDS = ["composition", "heatmap", "groups", "scatter", "forest", "volcano"] as const;
export type ChartId = (typeof CHART_IDS)[number];

export interface ChartEntry {
  id: ChartId;
  title: string;
  /** The spec, or why there is none. */
  spec?: VlSpec;
  skipped?: string;
}

export interface ReportChartOptions {
  groupBy?: string;
  score?: string;
  limits?: ChartLimits;
}

/**
 * The second factor of the scatter plots: an interaction term "<score>:<X>" (or "<X>:<score>") in the stats
 * table, where X is an annotation column or starts with one (R names factor terms column + level, "HRhigh").
 */
export function interactionFactor(stats: readonly StatsRow[], score: string, a: Annotation): string | undefined {
  for (const r of stats) {
    const parts = r.term.split(":");
    if (parts.length !== 2 || !parts.includes(score)) continue;
    const other = parts[0] === score ? parts[1] : parts[0];
    const col = a.columns.filter((c) => c !== score && other.startsWith(c)).sort((x, y) => y.length - x.length)[0];
    if (col) return col;
  }
  return undefined;
}

/** Every chart type in report order, each with its spec or the reason it is missing. */
export function reportCharts(
  results: ReportResults,
  annotation: Annotation | undefined,
  stats: readonly StatsRow[],
  o: ReportChartOptions = {},
): ChartEntry[] {
  const limits = o.limits ?? DEFAULT_LIMITS;
  const comp = composition(results);
  if ((o.groupBy || o.score) && !annotation) throw new UsageError("--group-by and --score need --samples (the sample annotation)");
  const groups: Grouping | undefined = o.groupBy && annotation ? grouping(annotation, o.groupBy, results.samples) : undefined;
  if (groups && groups.levels.length === 0)
    throw new InputError(`--group-by ${o.groupBy}: no sample of the results has a value`, { file: annotation!.file });
  const fractions = results.rowHeader === "Mixture";
  const out: ChartEntry[] = [];
  out.push(
    fractions
      ? { id: "composition", title: "Composition", spec: compositionSpec(comp, groups, limits) }
      : { id: "composition", title: "Composition", skipped: "the results are scores, not fractions: nothing to stack" },
  );
  out.push({ id: "heatmap", title: "Heatmap", spec: heatmapSpec(comp, groups, limits) });
  out.push(
    groups
      ? {
          id: "groups",
          title: "Distributions by group",
          spec: groupBoxSpec(
            comp,
            groups,
            stats.filter((r) => r.term === "" || r.term.startsWith(groups.name)),
            limits,
          ),
        }
      : { id: "groups", title: "Distributions by group", skipped: "give --samples and --group-by" },
  );
  if (o.score && annotation) {
    const factorCol = interactionFactor(stats, o.score, annotation);
    const factor = factorCol ? grouping(annotation, factorCol, results.samples, "interaction factor") : undefined;
    const score = { name: o.score, of: numericColumn(annotation, o.score, results.samples) };
    out.push({ id: "scatter", title: `Against ${o.score}`, spec: scatterSpec(comp, score, factor, limits) });
  } else out.push({ id: "scatter", title: "Against a score", skipped: "give --samples and --score" });
  const models = stats.filter(
    (r) => r.test in MODEL_TESTS && r.term !== "(Intercept)" && Number.isFinite(r.estimate) && Number.isFinite(r.std_error),
  );
  out.push(
    models.length
      ? { id: "forest", title: "Model coefficients", spec: forestSpec(models.map(confidenceInterval)) }
      : { id: "forest", title: "Model coefficients", skipped: "no lm, logistic or cox rows in --stats" },
  );
  const volcano = stats.filter((r) => Number.isFinite(r.estimate) && r.p_value > 0 && r.term !== "(Intercept)");
  out.push(
    volcano.length
      ? { id: "volcano", title: "Volcano", spec: volcanoSpec(volcano) }
      : { id: "volcano", title: "Volcano", skipped: "no stats rows with an estimate and a p-value; give --stats" },
  );
  return out;
}
