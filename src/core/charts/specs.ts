// One Vega-Lite spec per chart type, built from plain data (no DOM, no Node): the report, `--figures` and
// the page all draw from these. Where a cohort is too large to draw sample by sample (bars, heatmap
// columns, scatter points), the chart aggregates or samples deterministically and says so in its subtitle.
import { cellTypeColours, levelColours, OKABE_ITO } from "./palette.js";
import { boxStats, leastSquares } from "./summaries.js";

/** A Vega-Lite spec as JSON (compiled by vega-lite; kept loose so the core does not depend on its types). */
export type VlSpec = Record<string, unknown>;

/** samples × cell types (or gene sets), column-major: values[s + t · samples.length]. */
export interface Composition {
  samples: string[];
  cellTypes: string[];
  values: Float64Array;
  /** Axis title of the values, e.g. "fraction" or "score". */
  valueTitle: string;
}

/** A categorical annotation of the samples: levels in display order, each sample's level or null (NA). */
export interface Grouping {
  name: string;
  levels: string[];
  of: (string | null)[];
}

/** One row of a stats table (the `cellfrac stats` format). */
export interface StatsRow {
  feature: string;
  stratum: string;
  test: string;
  term: string;
  n: number;
  estimate: number;
  std_error: number;
  statistic: number;
  df: number;
  df2: number;
  p_value: number;
  q_value: number;
}

/** Chart size limits: above these a chart aggregates or samples (and says so). */
export interface ChartLimits {
  /** Bars in the composition chart / columns in the heatmap. */
  maxBars: number;
  /** Points drawn per scatter panel (the fitted lines always use every sample). */
  maxPoints: number;
  /** Outlier points drawn per box. */
  maxOutliers: number;
}
export const DEFAULT_LIMITS: ChartLimits = { maxBars: 400, maxPoints: 500, maxOutliers: 100 };

const NA = "NA";
const BASE = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", background: "white", padding: 8 };
const WRAP = 6;

const fmtInt = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** A q- or p-value for a label: 2 significant digits, exponent below 0.001. */
export function formatP(x: number): string {
  if (!Number.isFinite(x)) return "NA";
  return x < 0.001 ? x.toExponential(1) : String(Number(x.toPrecision(2)));
}

/**
 * Sample order for bars and heatmap columns: by group level (NA last), then by dominant cell type (in
 * cell-type order), then by that type's value, largest first; ties keep input order.
 */
export function sampleOrder(comp: Composition, groups?: Grouping): number[] {
  const S = comp.samples.length;
  const T = comp.cellTypes.length;
  const levelIndex = new Map(groups?.levels.map((l, i) => [l, i]));
  const key = Array.from({ length: S }, (_, s) => {
    let best = 0;
    for (let t = 1; t < T; t++) if (comp.values[s + t * S] > comp.values[s + best * S]) best = t;
    const g = groups?.of[s];
    return { s, group: g == null ? Infinity : levelIndex.get(g)!, best, v: comp.values[s + best * S] };
  });
  key.sort((a, b) => a.group - b.group || a.best - b.best || b.v - a.v || a.s - b.s);
  return key.map((k) => k.s);
}

interface Bar {
  label: string;
  group: string;
  members: number[];
}

/** Ordered samples into bars: one per sample, or consecutive runs (within a group) when there are too many. */
function bars(comp: Composition, groups: Grouping | undefined, maxBars: number): { bars: Bar[]; perBar: number } {
  const order = sampleOrder(comp, groups);
  const groupOf = (s: number) => groups?.of[s] ?? (groups ? NA : "");
  const perBar = Math.ceil(order.length / maxBars);
  const out: Bar[] = [];
  for (let i = 0; i < order.length; ) {
    const g = groupOf(order[i]);
    const members: number[] = [];
    while (i < order.length && members.length < perBar && groupOf(order[i]) === g) members.push(order[i++]);
    const label = members.length === 1 ? comp.samples[members[0]] : `${comp.samples[members[0]]} +${members.length - 1}`;
    out.push({ label, group: g, members });
  }
  return { bars: out, perBar };
}

function aggregationNote(comp: Composition, perBar: number, nBars: number): string[] {
  if (perBar <= 1) return [];
  return [
    `${fmtInt(comp.samples.length)} samples shown as ${fmtInt(nBars)} columns: ` +
      `each the mean of up to ${perBar} consecutive samples in this order`,
  ];
}

function orderNote(groups?: Grouping): string {
  return groups ? `samples ordered by ${groups.name}, then dominant cell type` : "samples ordered by dominant cell type";
}

/** Rows (bar, cell type, mean value) and the facet/axis parts shared by the composition and heatmap charts. */
function barTable(comp: Composition, groups: Grouping | undefined, limits: ChartLimits) {
  const S = comp.samples.length;
  const { bars: bs, perBar } = bars(comp, groups, limits.maxBars);
  const values: Record<string, string | number>[] = [];
  bs.forEach((b, i) => {
    comp.cellTypes.forEach((cellType, t) => {
      let sum = 0;
      for (const s of b.members) sum += comp.values[s + t * S];
      values.push({ bar: b.label, i, group: b.group, cellType, t, value: sum / b.members.length });
    });
  });
  const step = Math.max(1, Math.min(14, Math.floor(900 / bs.length)));
  const x = {
    field: "bar",
    type: "ordinal",
    sort: { field: "i", op: "min" },
    title: perBar > 1 ? "samples (binned)" : "sample",
    axis: bs.length <= 60 ? { labelAngle: -90, labelLimit: 90 } : { labels: false, ticks: false },
  };
  const levels = groups ? [...groups.levels, ...(bs.some((b) => b.group === NA) ? [NA] : [])] : [];
  const subtitle = [orderNote(groups), ...aggregationNote(comp, perBar, bs.length)];
  const facet = (inner: VlSpec, title: string): VlSpec =>
    groups
      ? {
          ...BASE,
          title: { text: title, subtitle },
          data: { values },
          facet: { column: { field: "group", type: "nominal", sort: levels, title: groups.name, header: { labelAngle: 0 } } },
          spec: { width: { step }, ...inner },
          resolve: { scale: { x: "independent" } },
          spacing: 4,
        }
      : { ...BASE, title: { text: title, subtitle }, data: { values }, width: { step }, ...inner };
  return { x, facet };
}

/** Stacked composition bars, one per sample (or per run of samples in a large cohort). */
export function compositionSpec(comp: Composition, groups?: Grouping, limits: ChartLimits = DEFAULT_LIMITS): VlSpec {
  const { x, facet } = barTable(comp, groups, limits);
  return facet(
    {
      height: 260,
      name: "bar",
      mark: { type: "bar" },
      encoding: {
        x,
        // Not "nice": fractions summing to 1 + 1e-16 would stretch the axis to 1.2.
        y: { field: "value", type: "quantitative", stack: "zero", title: comp.valueTitle, scale: { nice: false } },
        color: {
          field: "cellType",
          type: "nominal",
          title: "cell type",
          scale: { domain: comp.cellTypes, range: cellTypeColours(comp.cellTypes) },
          legend: { labelLimit: 260 },
        },
        order: { field: "t", type: "quantitative" },
      },
    },
    "Composition",
  );
}

/** Cell type × sample heatmap (viridis: ordered lightness, readable without colour vision). */
export function heatmapSpec(comp: Composition, groups?: Grouping, limits: ChartLimits = DEFAULT_LIMITS): VlSpec {
  const { x, facet } = barTable(comp, groups, limits);
  return facet(
    {
      height: { step: 12 },
      name: "cell",
      mark: { type: "rect" },
      encoding: {
        x,
        y: { field: "cellType", type: "nominal", sort: comp.cellTypes, title: null },
        color: { field: "value", type: "quantitative", title: comp.valueTitle, scale: { scheme: "viridis" } },
      },
    },
    "Heatmap",
  );
}

/** The tests whose q-value labels a box-plot panel: group comparisons, first match wins. */
const GROUP_TESTS = ["kruskal", "wilcoxon", "anova"];

/** Line break in a panel title (vega header labels split on it). */
const PANEL_BREAK = " | ";

/** Stats rows of the whole cohort (no stratum). */
function unstratified(stats: readonly StatsRow[]): StatsRow[] {
  return stats.filter((r) => r.stratum === "" || r.stratum === NA || r.stratum === "all");
}

/** Per-cell-type box plots by group, each panel titled with the stats table's q-value for that cell type. */
export function groupBoxSpec(
  comp: Composition,
  groups: Grouping,
  stats: readonly StatsRow[] = [],
  limits: ChartLimits = DEFAULT_LIMITS,
): VlSpec {
  const S = comp.samples.length;
  const rows = unstratified(stats);
  const panel = comp.cellTypes.map((t) => {
    const hit = GROUP_TESTS.map((test) => rows.find((r) => r.feature === t && r.test === test)).find((r) => r);
    return hit ? `${t}${PANEL_BREAK}q = ${formatP(hit.q_value)} (${hit.test})` : t;
  });
  const values: Record<string, string | number>[] = [];
  let thinned = 0;
  comp.cellTypes.forEach((_, t) => {
    for (const group of groups.levels) {
      const v: number[] = [];
      for (let s = 0; s < S; s++) if (groups.of[s] === group) v.push(comp.values[s + t * S]);
      const b = boxStats(v);
      if (!b) continue;
      const { outliers, ...box } = b;
      values.push({ kind: "box", panel: panel[t], group, ...box });
      const every = Math.ceil(outliers.length / limits.maxOutliers);
      if (every > 1) thinned++;
      outliers.forEach((value, i) => {
        if (i % every === 0 || i === outliers.length - 1) values.push({ kind: "out", panel: panel[t], group, value });
      });
    }
  });
  const missing = groups.of.filter((g) => g == null).length;
  const subtitle = [
    `by ${groups.name}; boxes: quartiles (R type 7), whiskers to the last value within 1.5 × IQR; q-values from the stats table`,
  ];
  if (missing) subtitle.push(`${fmtInt(missing)} samples without a ${groups.name} value left out`);
  if (thinned) subtitle.push(`boxes with more than ${limits.maxOutliers} outliers show an evenly spaced subset of them (and the extremes)`);
  const x = { field: "group", type: "nominal", sort: groups.levels, title: groups.name };
  const color = {
    field: "group",
    type: "nominal",
    scale: { domain: groups.levels, range: levelColours(groups.levels.length) },
    legend: null,
  };
  const y = (field: string) => ({ field, type: "quantitative", title: comp.valueTitle });
  return {
    ...BASE,
    title: { text: "Distributions by group", subtitle },
    data: { values },
    facet: {
      field: "panel",
      type: "nominal",
      sort: panel,
      title: null,
      header: { labelLimit: 0, labelExpr: `split(datum.label, '${PANEL_BREAK}')` },
    },
    columns: WRAP,
    spec: {
      width: Math.max(110, 26 * groups.levels.length),
      height: 120,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'box'" }],
          layer: [
            { mark: { type: "rule", color: "#555555" }, encoding: { x, y: y("lower"), y2: { field: "upper" } } },
            {
              name: "box",
              mark: { type: "bar", size: 14, stroke: "#555555" },
              encoding: { x, y: y("q1"), y2: { field: "q3" }, color },
            },
            { mark: { type: "tick", color: "white", size: 14, thickness: 2 }, encoding: { x, y: y("median") } },
          ],
        },
        {
          name: "outlier",
          transform: [{ filter: "datum.kind === 'out'" }],
          mark: { type: "point", size: 8, filled: true },
          encoding: { x, y: y("value"), color },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
  };
}

/**
 * Values against a numeric score, one panel per cell type, with a least-squares line per level of an
 * optional second factor. Large cohorts draw an evenly spaced subset of the points; lines use all.
 */
export function scatterSpec(
  comp: Composition,
  score: { name: string; of: number[] },
  factor?: Grouping,
  limits: ChartLimits = DEFAULT_LIMITS,
): VlSpec {
  const S = comp.samples.length;
  const usable = Array.from({ length: S }, (_, s) => s).filter((s) => Number.isFinite(score.of[s]) && (!factor || factor.of[s] != null));
  const every = Math.ceil(usable.length / limits.maxPoints);
  const levels = factor?.levels ?? ["all"];
  const levelOf = (s: number) => (factor ? factor.of[s]! : "all");
  const values: Record<string, string | number>[] = [];
  comp.cellTypes.forEach((cellType, t) => {
    usable.forEach((s, k) => {
      const v = comp.values[s + t * S];
      if (k % every === 0 && Number.isFinite(v)) values.push({ kind: "point", cellType, score: score.of[s], value: v, level: levelOf(s) });
    });
    for (const level of levels) {
      const idx = usable.filter((s) => levelOf(s) === level);
      const fit = leastSquares(
        idx.map((s) => score.of[s]),
        idx.map((s) => comp.values[s + t * S]),
      );
      if (fit.n < 2 || !Number.isFinite(fit.slope)) continue;
      for (const x of [fit.xmin, fit.xmax]) values.push({ kind: "fit", cellType, score: x, value: fit.intercept + fit.slope * x, level });
    }
  });
  const subtitle = [factor ? `least-squares line per ${factor.name} level` : "least-squares line"];
  if (every > 1) subtitle.push(`points: every ${every}th of ${fmtInt(usable.length)} samples; lines fitted on all`);
  const color = factor
    ? { field: "level", type: "nominal", title: factor.name, scale: { domain: levels, range: levelColours(levels.length) } }
    : { value: OKABE_ITO[4] };
  const x = { field: "score", type: "quantitative", title: score.name, scale: { zero: false } };
  const y = { field: "value", type: "quantitative", title: comp.valueTitle };
  return {
    ...BASE,
    title: { text: `Against ${score.name}`, subtitle },
    data: { values },
    facet: { field: "cellType", type: "nominal", sort: comp.cellTypes, title: null },
    columns: WRAP,
    spec: {
      width: 130,
      height: 110,
      layer: [
        {
          name: "point",
          transform: [{ filter: "datum.kind === 'point'" }],
          mark: { type: "point", filled: true, size: 10, opacity: 0.6 },
          encoding: { x, y, color },
        },
        {
          name: "fit",
          transform: [{ filter: "datum.kind === 'fit'" }],
          mark: { type: "line", strokeWidth: 2 },
          encoding: { x, y, color, detail: { field: "level" } },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
  };
}

/** Model tests drawn in the forest plot, with the scale their coefficients are on. */
export const MODEL_TESTS: Record<string, string> = { lm: "coefficient", logistic: "log odds ratio", cox: "log hazard ratio" };

/** One coefficient with its 95 % confidence interval (from ci.ts). */
export interface ForestRow extends StatsRow {
  lower: number;
  upper: number;
}

/** Forest plot of lm / logistic / cox coefficients with 95 % confidence intervals; a panel per test. */
export function forestSpec(rows: readonly ForestRow[]): VlSpec {
  const terms = new Set(rows.map((r) => r.term));
  const label = (r: StatsRow) =>
    [r.feature, terms.size > 1 ? r.term : "", r.stratum && r.stratum !== NA ? `[${r.stratum}]` : ""].filter((x) => x).join(" · ");
  const values = rows.map((r) => ({
    label: label(r),
    test: `${r.test} (${MODEL_TESTS[r.test]})`,
    estimate: r.estimate,
    lower: r.lower,
    upper: r.upper,
    q: formatP(r.q_value),
  }));
  const tests = [...new Set(values.map((v) => v.test))];
  const y = { field: "label", type: "nominal", sort: null, title: null, axis: { labelLimit: 320 } };
  return {
    ...BASE,
    title: { text: "Model coefficients", subtitle: [`95 % confidence intervals (lm: t; logistic, cox: Wald); ${[...terms].join(", ")}`] },
    data: { values },
    facet: { column: { field: "test", type: "nominal", sort: tests, title: null } },
    spec: {
      width: 220,
      height: { step: 14 },
      layer: [
        { mark: { type: "rule", color: "#999999", strokeDash: [3, 3] }, encoding: { x: { datum: 0 } } },
        {
          mark: { type: "rule", color: "#333333" },
          encoding: { y, x: { field: "lower", type: "quantitative", title: "estimate" }, x2: { field: "upper" } },
        },
        {
          name: "estimate",
          mark: { type: "point", filled: true, color: OKABE_ITO[5], size: 30 },
          encoding: { y, x: { field: "estimate", type: "quantitative" } },
        },
      ],
    },
    resolve: { scale: { x: "independent" } },
  };
}

/** Volcano plots: effect against −log10 p, one panel per test and term; q < 0.05 highlighted and named. */
export function volcanoSpec(stats: readonly StatsRow[]): VlSpec {
  const values = stats
    .filter((r) => Number.isFinite(r.estimate) && r.p_value > 0 && r.term !== "(Intercept)")
    .map((r) => ({
      panel: `${r.test}${r.term ? `: ${r.term}` : ""}${r.stratum && r.stratum !== NA && r.stratum !== "all" ? ` [${r.stratum}]` : ""}`,
      feature: r.feature,
      estimate: r.estimate,
      p: r.p_value,
      // Rounded to 12 digits: Math.log10 may differ in the last bit between JavaScript engines, and the
      // point positions (so the SVG bytes) must not.
      mlog10p: Number((-Math.log10(r.p_value)).toPrecision(12)),
      sig: !Number.isFinite(r.q_value) ? "q not given" : r.q_value < 0.05 ? "q < 0.05" : "q ≥ 0.05",
    }));
  const panels = [...new Set(values.map((v) => v.panel))];
  const classes = [
    ["q < 0.05", OKABE_ITO[5]],
    ["q ≥ 0.05", "#BBBBBB"],
    ["q not given", OKABE_ITO[4]],
  ].filter(([c]) => values.some((v) => v.sig === c));
  const x = { field: "estimate", type: "quantitative", title: "estimate" };
  const y = { field: "mlog10p", type: "quantitative", title: "−log10 p" };
  return {
    ...BASE,
    title: { text: "Volcano", subtitle: ["estimate against −log10 p per cell type; named: q < 0.05"] },
    data: { values },
    facet: { field: "panel", type: "nominal", sort: panels, title: null },
    columns: 3,
    spec: {
      width: 200,
      height: 160,
      layer: [
        {
          name: "feature",
          mark: { type: "point", filled: true, size: 36 },
          encoding: {
            x,
            y,
            color: {
              field: "sig",
              type: "nominal",
              title: null,
              scale: { domain: classes.map((c) => c[0]), range: classes.map((c) => c[1]) },
            },
          },
        },
        {
          transform: [{ filter: "datum.sig === 'q < 0.05'" }],
          mark: { type: "text", dy: -7, fontSize: 8 },
          encoding: { x, y, text: { field: "feature" } },
        },
      ],
    },
    resolve: { scale: { x: "independent", y: "independent" } },
  };
}
