// The same chart spec gives the same SVG bytes in Chromium as in Node: vega's browser build (the files the
// vega and vega-lite packages ship for browsers) renders the report's six specs for the bundled example and
// four at cohort scale in Debian's Chromium, text widths estimated as src/core/charts/render.ts sets them,
// and each equals renderSvg's. This is what lets the page (later) make the CLI's report byte for byte.
import { readFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSvg } from "../src/core/charts/render.js";
import { compositionSpec, groupBoxSpec, heatmapSpec, scatterSpec } from "../src/core/charts/specs.js";
import { renameSvgIds } from "../src/core/charts/svg.js";
import { reportCharts } from "../src/core/report/charts.js";
import { parseAnnotation, parseResults, parseStats } from "../src/core/report/inputs.js";
import { CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM, NO_CHROMIUM } from "./helpers/chromium.js";
import { KRUSKAL, MODELS, RESULTS, SAMPLES } from "./helpers/report-inputs.js";

/** The packages' browser builds (not in their "exports", so by path). */
const BUILD = (file: string) => new URL(`../node_modules/${file}`, import.meta.url).pathname;
const read = (f: string) => readFileSync(f, "utf8");
const charts = reportCharts(
  parseResults(read(RESULTS), RESULTS),
  parseAnnotation(read(SAMPLES), SAMPLES),
  [...parseStats(read(KRUSKAL), KRUSKAL), ...parseStats(read(MODELS), MODELS)],
  { groupBy: "pam50_subtype", score: "age_at_diagnosis" },
);

let browser: Browser;
let page: Page;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return; // the suite below is skipped, and says so
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.setContent("<!doctype html><title>vega</title>");
  await page.addScriptTag({ path: BUILD("vega/build/vega.min.js") });
  await page.addScriptTag({ path: BUILD("vega-lite/build/vega-lite.min.js") });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** 1,000 pseudo-random samples: binned bars and heatmap columns, thinned outliers, sampled scatter points. */
function cohortCharts() {
  const S = 1000;
  const types = ["B cells naive", "T cells CD8", "Macrophages M2", "Neutrophils"];
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const values = new Float64Array(S * types.length);
  for (let s = 0; s < S; s++) {
    const w = types.map(() => -Math.log(rand()) * (rand() < 0.3 ? 0 : 1));
    const sum = w.reduce((a, b) => a + b, 0) || 1;
    w.forEach((x, t) => (values[s + t * S] = x / sum));
  }
  const comp = { samples: Array.from({ length: S }, (_, s) => `S${s}`), cellTypes: types, values, valueTitle: "fraction" };
  const groups = { name: "arm", levels: ["a", "b", "c"], of: comp.samples.map((_, s) => (s % 11 === 0 ? null : "abc"[s % 3])) };
  const score = { name: "score", of: comp.samples.map(() => Math.round(rand() * 1000) / 10) };
  const limits = { maxBars: 100, maxPoints: 200, maxOutliers: 20 };
  return [
    { id: "cohort composition", spec: compositionSpec(comp, groups, limits) },
    { id: "cohort heatmap", spec: heatmapSpec(comp, groups, limits) },
    { id: "cohort groups", spec: groupBoxSpec(comp, groups, [], limits) },
    { id: "cohort scatter", spec: scatterSpec(comp, score, groups, limits) },
  ];
}

describe.skipIf(!HAVE_CHROMIUM)(`chart SVGs: Chromium = Node${NO_CHROMIUM}`, () => {
  for (const c of [...charts, ...cohortCharts()]) {
    it(c.id, async () => {
      const raw = await page.evaluate(async (spec) => {
        // biome-ignore lint/suspicious/noExplicitAny: the UMD builds' globals (vega, vegaLite) carry no types here
        const w = window as unknown as Record<string, any>;
        w.vega.textMetrics.canvas(false);
        const view = new w.vega.View(w.vega.parse(w.vegaLite.compile(spec).spec), { renderer: "none" });
        const svg: string = await view.toSVG();
        view.finalize();
        return svg;
      }, c.spec!);
      const [a, b] = [renameSvgIds(raw, "v"), await renderSvg(c.spec!)];
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      // Where they part, if they do (the whole SVG is too long for a readable failure).
      expect(a.slice(Math.max(0, i - 300), i + 200)).toBe(b.slice(Math.max(0, i - 300), i + 200));
      expect(a).toBe(b);
    }, 60_000);
  }
});
