// The page's charts and its Analysis step. After a run the composition and heatmap are drawn live with
// vega-embed from the core's Vega-Lite specs (src/core/charts/specs.ts, the report's own); the Analysis
// step reads a sample annotation, runs one `cellfrac stats` test with the CLI's option checks and code
// (src/core/stats/), shows and downloads its table, draws the report's other charts, and builds the report
// HTML with `cellfrac report`'s code (src/core/report/), so both give the same bytes but the timestamp.
// vega runs with its AST interpreter: the page's CSP allows no eval. Loaded by page.ts after the first run.
import embed, { type Result as EmbedResult } from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";
import { renderSvg } from "../../core/charts/render.js";
import { DEFAULT_LIMITS, type VlSpec } from "../../core/charts/specs.js";
import { parseTable } from "../../core/compare.js";
import { InputError, UsageError } from "../../core/errors.js";
import { formatNumber } from "../../core/formats/write.js";
import { type ChartEntry, type ChartId, reportCharts } from "../../core/report/charts.js";
import { buildReport, type ReportFile } from "../../core/report/index.js";
import {
  type Annotation as ReportAnnotation,
  parseAnnotation as parseReportAnnotation,
  parseResults,
  parseStats,
} from "../../core/report/inputs.js";
import {
  formatStatsJson,
  formatStatsTsv,
  mergeAnnotations,
  parseAnnotation,
  parseStatsArgs,
  runStats,
  type StatsArgValues,
} from "../../core/stats/index.js";
import { gunzipIfNeeded } from "../parse.js";
import { fillTable, save } from "./dom.js";

/** package.json's version, set by scripts/build-page.mjs (esbuild define). */
declare const CELLFRAC_VERSION: string;

/** What the page hands over after a run: the CLI's result texts and the stem of the download names. */
export interface AnalysisRun {
  tsv: string;
  json: string;
  /** e.g. "scanb20_log2fpkm.cibersort": results download as <base>.json, stats as <base>.stats.tsv. */
  base: string;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const enc = new TextEncoder();

/** Where each chart is drawn (the results' two, then the Analysis step's). */
const HOSTS: Record<ChartId, string> = {
  composition: "bars",
  heatmap: "heat",
  groups: "chart-groups",
  scatter: "chart-scatter",
  forest: "chart-forest",
  volcano: "chart-volcano",
};

/** The Analysis step's state: the current run, and the inputs of the last stats run (the report's). */
let run: AnalysisRun | undefined;
let last: { samples?: ReportFile; stats?: ReportFile; groupBy?: string; score?: string } = {};
const views = new Map<ChartId, EmbedResult>();
const specs = new Map<ChartId, VlSpec>();
/** The drawn specs' JSON text. */
const drawn = new Map<ChartId, string>();
let generation = 0;

/** The CLI's wording of an error (exit 3 for bad input, 2 for usage). */
function message(e: unknown): string {
  if (e instanceof InputError) return `cellfrac: error: ${e.message}`;
  if (e instanceof UsageError) return `cellfrac: ${e.message}`;
  return `cellfrac: internal error: ${(e as Error)?.message ?? String(e)}`;
}

function showError(text?: string): void {
  const box = $<HTMLDivElement>("stats-error");
  box.textContent = text ?? "";
  box.hidden = !text;
}

/**
 * Draws each chart live (or says why it is not drawn); one whose spec is unchanged stays as drawn (a new
 * test with the same --group-by keeps the composition and heatmap). body[data-charts] counts the drawings.
 */
async function draw(entries: ChartEntry[]): Promise<void> {
  const gen = ++generation;
  for (const c of entries) {
    const json = c.spec ? JSON.stringify(c.spec) : undefined;
    if (json !== undefined && json === drawn.get(c.id)) continue;
    drawn.delete(c.id);
    views.get(c.id)?.finalize();
    views.delete(c.id);
    specs.delete(c.id);
    const host = $<HTMLDivElement>(HOSTS[c.id]);
    host.replaceChildren();
    host.dataset.drawn = "no";
    if (!c.spec) {
      host.append(Object.assign(document.createElement("p"), { className: "skipped", textContent: `Not drawn: ${c.skipped}.` }));
      continue;
    }
    const view = await embed(host, c.spec as Parameters<typeof embed>[1], {
      mode: "vega-lite",
      renderer: "svg",
      actions: false,
      ast: true,
      expr: expressionInterpreter,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    });
    if (gen !== generation) {
      view.finalize();
      return;
    }
    views.set(c.id, view);
    specs.set(c.id, c.spec);
    drawn.set(c.id, json!);
    host.dataset.drawn = "yes";
  }
  document.body.dataset.charts = String(gen);
}

/** After a run: the results' composition and heatmap, the Analysis step reset for the new results. */
export async function showRun(r: AnalysisRun): Promise<void> {
  run = r;
  last = {};
  showError();
  $("stats-table").replaceChildren();
  $("stats-warnings").replaceChildren();
  for (const id of ["download-stats", "download-stats-json"]) $<HTMLButtonElement>(id).disabled = true;
  const results = parseResults(r.json, `${r.base}.json`);
  await draw(reportCharts(results, undefined, []));
}

/** The options form as `cellfrac stats` option values (only those that apply to the chosen test). */
function statsValues(): StatsArgValues {
  const text = (id: string) => $<HTMLInputElement>(id).value.trim() || undefined;
  const test = $<HTMLSelectElement>("stats-test").value;
  const v: StatsArgValues = { [test]: $<HTMLInputElement>("stats-arg").value.trim() };
  if (test === "lm") v.anova = $<HTMLSelectElement>("stats-anova").value;
  if (test === "cor") v.method = $<HTMLSelectElement>("stats-method").value;
  if (test === "logistic" || test === "cox") v.covariates = text("stats-covariates");
  v.by = text("stats-by");
  v.adjust = $<HTMLSelectElement>("stats-adjust").value;
  v["id-column"] = text("stats-id-column");
  v.features = text("stats-features");
  const levels = text("stats-levels");
  if (levels) v.levels = levels.split(/\s*;\s*/).filter(Boolean);
  return v;
}

/** The test's controls: those that apply are enabled, the argument's label says what it takes. */
function applyTest(): void {
  const test = $<HTMLSelectElement>("stats-test").value;
  const arg: Record<string, [string, string]> = {
    lm: ["Formula (--lm)", "~ her2score * HR"],
    group: ["Group column (--group)", "pam50_subtype"],
    cor: ["Column (--cor)", "age_at_diagnosis"],
    logistic: ["0/1 or two-level column (--logistic)", "her2_status"],
    cox: ["TIME,EVENT columns (--cox)", "overall_survival_days,overall_survival_event"],
  };
  $("stats-arg-label").textContent = arg[test][0];
  $<HTMLInputElement>("stats-arg").placeholder = arg[test][1];
  $<HTMLSelectElement>("stats-anova").disabled = test !== "lm";
  $<HTMLSelectElement>("stats-method").disabled = test !== "cor";
  $<HTMLInputElement>("stats-covariates").disabled = test !== "logistic" && test !== "cox";
}

/**
 * The chosen annotation files, names and bytes: stats merges them all (`--samples` repeated); the report
 * and its charts read the first, as `cellfrac report --samples` takes one.
 */
async function chosenAnnotations(): Promise<ReportFile[]> {
  const files = Array.from($<HTMLInputElement>("annotation").files ?? []);
  return Promise.all(files.map(async (f) => ({ path: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}

/** Newly chosen annotations: the first one's columns become the chart options' choices. */
async function loadAnnotation(): Promise<void> {
  const [f] = await chosenAnnotations();
  const columns = f ? parseAnnotation(await annotationText(f), f.path).columns : [];
  for (const id of ["report-group-by", "report-score"]) {
    const sel = $<HTMLSelectElement>(id);
    const keep = sel.value;
    sel.replaceChildren(...["", ...columns].map((c) => new Option(c || "(none)", c, false, c === keep)));
  }
}

const annotationText = async (f: ReportFile) => new TextDecoder().decode(await gunzipIfNeeded(f.bytes, f.path));

/** `cellfrac stats <base>.tsv --samples <annotation> TEST …`, then the charts for the report options. */
async function runStatsStep(): Promise<void> {
  showError();
  $("stats-status").textContent = "Testing…";
  const warnings: string[] = [];
  const t0 = performance.now();
  try {
    if (!run) throw new UsageError("run a method first");
    const files = await chosenAnnotations();
    const annotationFile = files[0];
    if (!annotationFile) throw new UsageError("--samples <annotation> is required: choose the sample annotation file");
    const a = parseStatsArgs(statsValues());
    const results = parseTable(run.tsv, `${run.base}.tsv`);
    const onWarning = (m: string) => warnings.push(`cellfrac: stats: ${m}`);
    const anns = await Promise.all(files.map(async (f) => parseAnnotation(await annotationText(f), f.path)));
    const annotation = mergeAnnotations(anns, new Set(results.rows), a.options.idColumn, onWarning);
    const records = runStats(results, annotation, a.test, { ...a.options, onWarning });
    const tsv = formatStatsTsv(records, formatNumber);
    const json = formatStatsJson(records);
    const stats: ReportFile = { path: `${run.base}.stats.tsv`, bytes: enc.encode(tsv) };
    fillTable($<HTMLTableElement>("stats-table"), tsv);
    document.body.dataset.statsMs = String(Math.round(performance.now() - t0)); // the test and its table (bench/)
    const li = (w: string) => Object.assign(document.createElement("li"), { className: "warn", textContent: w });
    $("stats-warnings").replaceChildren(...warnings.map(li));
    const on = (id: string, f: () => void) => {
      const b = $<HTMLButtonElement>(id);
      b.disabled = false;
      b.onclick = f;
    };
    on("download-stats", () => save(new Blob([tsv], { type: "text/tab-separated-values" }), `${run!.base}.stats.tsv`));
    on("download-stats-json", () => save(new Blob([json], { type: "application/json" }), `${run!.base}.stats.json`));
    const groupBy = $<HTMLSelectElement>("report-group-by").value || undefined;
    const score = $<HTMLSelectElement>("report-score").value || undefined;
    last = { samples: annotationFile, stats, groupBy, score };
    const reportAnn: ReportAnnotation = parseReportAnnotation(new TextDecoder().decode(annotationFile.bytes), annotationFile.path);
    const entries = reportCharts(parseResults(run.json, `${run.base}.json`), reportAnn, parseStats(tsv, stats.path), { groupBy, score });
    const status = $("stats-status");
    const rows = `${records.length} rows${warnings.length ? `, ${warnings.length} warning(s)` : ""}`;
    status.textContent = `${rows}; drawing the charts…`;
    await draw(entries);
    status.textContent = `${rows}, charts drawn.`;
    document.body.dataset.stats = "done";
  } catch (e) {
    showError(message(e));
    $("stats-status").textContent = "Failed.";
    document.body.dataset.stats = "failed";
  }
}

/** `cellfrac report <base>.json [--samples A --stats <base>.stats.tsv --group-by … --score …]`, as HTML. */
async function reportDownload(): Promise<void> {
  showError();
  try {
    if (!run) throw new UsageError("run a method first");
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const { html } = await buildReport({
      results: { path: `${run.base}.json`, bytes: enc.encode(run.json) },
      samples: last.samples,
      stats: last.stats ? [last.stats] : [],
      groupBy: last.groupBy,
      score: last.score,
      limits: DEFAULT_LIMITS,
      version: CELLFRAC_VERSION,
      generated: stamp,
    });
    save(new Blob([html], { type: "text/html" }), `${run.base}.report.html`);
  } catch (e) {
    showError(message(e));
  }
}

/** A drawn chart as SVG (the bytes `cellfrac report --figures` writes for it) or as a 2× PNG. */
async function chartDownload(id: ChartId, kind: "svg" | "png"): Promise<void> {
  const spec = specs.get(id);
  if (!spec || !run) return;
  const name = `${run.base}.${id}.${kind}`;
  if (kind === "svg") save(new Blob([await renderSvg(spec)], { type: "image/svg+xml" }), name);
  else {
    const canvas = await views.get(id)!.view.toCanvas(2);
    const png = await new Promise<Blob>((ok, fail) =>
      canvas.toBlob((b) => (b ? ok(b) : fail(new Error("PNG encoding failed"))), "image/png"),
    );
    save(png, name);
  }
}

$("stats-test").addEventListener("change", applyTest);
$("annotation").addEventListener("change", () => void loadAnnotation().catch((e: unknown) => showError(message(e))));
$("stats-run").addEventListener("click", () => void runStatsStep());
$("download-report").addEventListener("click", () => void reportDownload());
for (const [button, id, kind] of [
  ["download-bars-svg", "composition", "svg"],
  ["download-bars-png", "composition", "png"],
  ["download-heat-svg", "heatmap", "svg"],
  ["download-heat-png", "heatmap", "png"],
] as const) {
  $(button).addEventListener("click", () => void chartDownload(id, kind).catch((e: unknown) => showError(message(e))));
}
applyTest();
