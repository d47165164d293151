// The same chart spec gives the same SVG bytes in Chromium as in Node: vega's browser build (the files the
// vega and vega-lite packages ship for browsers) renders each of the report's six specs for the bundled
// example in Debian's Chromium, with text widths estimated as src/core/charts/render.ts sets them, and the
// result equals renderSvg's. This is what lets the page (later) make the CLI's report byte for byte.
import { readFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSvg } from "../src/core/charts/render.js";
import { renameSvgIds } from "../src/core/charts/svg.js";
import { reportCharts } from "../src/core/report/charts.js";
import { parseAnnotation, parseResults, parseStats } from "../src/core/report/inputs.js";
import { CHROMIUM, CHROMIUM_ARGS } from "./helpers/chromium.js";
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
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.setContent("<!doctype html><title>vega</title>");
  await page.addScriptTag({ path: BUILD("vega/build/vega.min.js") });
  await page.addScriptTag({ path: BUILD("vega-lite/build/vega-lite.min.js") });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe("chart SVGs: Chromium = Node", () => {
  for (const c of charts) {
    it(
      c.id,
      async () => {
        const raw = await page.evaluate(async (spec) => {
          const w = window as unknown as Record<string, any>; // the UMD builds' globals
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
      },
      60_000,
    );
  }
});
