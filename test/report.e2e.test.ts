// The HTML report of `cellfrac report` opened from disk in Debian's Chromium (playwright-core, never a
// downloaded browser): no request leaves the file, no console error, every chart present and non-empty,
// tables sort and download their TSV; the --figures SVGs parse as SVG and hold the expected marks; the
// report's CSP blocks a connection the page tries. Needs /usr/bin/chromium (.ci/run installs it).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { HAVE_CHROMIUM, NO_CHROMIUM, watchedPage } from "./helpers/chromium.js";
import { FULL_ARGS, KRUSKAL, MODELS, RESULTS } from "./helpers/report-inputs.js";

const CHARTS = ["composition", "heatmap", "groups", "scatter", "forest", "volcano"];
const tmp = mkdtempSync(join(tmpdir(), "cellfrac-report-e2e-"));
const REPORT = join(tmp, "report.html");
const FIGURES = join(tmp, "figures");

let browser: Browser;
let page: Page;
let requests: string[] = [];
let consoleErrors: string[] = [];

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return; // the suites below are skipped, and say so
  const code = await main(["report", ...FULL_ARGS, "-o", REPORT, "--figures", FIGURES, "-q"], {
    stdout: () => {},
    stderr: () => {},
    isTTY: false,
  });
  expect(code).toBe(0);
  ({ browser, page, requests, consoleErrors } = await watchedPage());
  await page.goto(pathToFileURL(REPORT).href);
  await page.waitForSelector("body[data-ready]");
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function download(testId: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
  return readFileSync((await dl.path())!, "utf8");
}

describe.skipIf(!HAVE_CHROMIUM)(`the report in Chromium${NO_CHROMIUM}`, () => {
  it("every chart is present, drawn and non-empty", async () => {
    for (const id of CHARTS) {
      const fig = page.getByTestId(`chart-${id}`);
      expect(await fig.getAttribute("data-drawn"), id).toBe("yes");
      const { w, h, marks } = await fig.evaluate((el) => {
        const svg = el.querySelector("svg")!;
        const box = svg.getBoundingClientRect();
        return { w: box.width, h: box.height, marks: svg.querySelectorAll("g.role-mark > path, g.role-mark > line").length };
      });
      expect(w, id).toBeGreaterThan(200);
      expect(h, id).toBeGreaterThan(100);
      expect(marks, id).toBeGreaterThan(20);
    }
    await page.screenshot({ path: join(tmp, "report.png"), fullPage: true });
  });

  it("the results table sorts by a clicked column, both ways", async () => {
    const table = page.getByTestId("table-results");
    expect(await table.locator("tbody tr").count()).toBe(20);
    const column = async () => (await table.locator("tbody tr td:nth-child(5)").allTextContents()).map(Number);
    await table.locator("th", { hasText: /^T cells CD8$/ }).click();
    const up = await column();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    await table.locator("th", { hasText: /^T cells CD8$/ }).click();
    const down = await column();
    expect(down).toEqual([...up].reverse());
  });

  it("downloads the results as TSV with the JSON's numbers, and each stats table as given", async () => {
    const json = JSON.parse(readFileSync(RESULTS, "utf8"));
    const [head, ...lines] = (await download("download-results")).trimEnd().split("\n");
    expect(head.split("\t")).toEqual(["Mixture", ...json.cellTypes, "P-value", "Correlation", "RMSE"]);
    lines.forEach((l, s) => {
      const f = l.split("\t");
      const want = json.samples[s];
      expect(f[0]).toBe(want.sample);
      expect(f.slice(1).map(Number)).toEqual([
        ...json.cellTypes.map((t: string) => want.fractions[t]),
        want.pValue,
        want.correlation,
        want.rmse,
      ]);
    });
    expect(await download("download-stats1")).toBe(readFileSync(KRUSKAL, "utf8"));
    expect(await download("download-stats2")).toBe(readFileSync(MODELS, "utf8"));
  });

  it("no request left the file and nothing was logged as an error", () => {
    const url = pathToFileURL(REPORT).href;
    expect(requests.filter((r) => r !== url && !r.startsWith("blob:"))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it("its Content-Security-Policy blocks a connection the page would try", async () => {
    const outcome = await page.evaluate(() =>
      fetch("http://127.0.0.1:9/never").then(
        () => "connected",
        (e) => `blocked: ${e}`,
      ),
    );
    expect(outcome).toMatch(/^blocked/);
    expect(consoleErrors.join("\n")).toContain("Content Security Policy");
    expect(requests.some((r) => r.includes("127.0.0.1:9"))).toBe(false);
  });
});

describe.skipIf(!HAVE_CHROMIUM)(`the --figures SVGs in Chromium's parser${NO_CHROMIUM}`, () => {
  /** Count of elements matching each selector in a parsed SVG file, or the parser's error. */
  async function parse(file: string, selectors: string[]): Promise<number[] | string> {
    const text = readFileSync(join(FIGURES, file), "utf8");
    return page.evaluate(
      ({ text, selectors }) => {
        const doc = new DOMParser().parseFromString(text, "image/svg+xml");
        const err = doc.querySelector("parsererror");
        if (err || doc.documentElement.nodeName !== "svg") return `not SVG: ${err?.textContent}`;
        return selectors.map((s) => doc.querySelectorAll(s).length);
      },
      { text, selectors },
    );
  }
  it("composition: 22 segments for each of the 20 samples", async () => {
    expect(await parse("composition.svg", ["g.bar_marks > path"])).toEqual([20 * 22]);
  });
  it("heatmap: a cell per sample and cell type", async () => {
    expect(await parse("heatmap.svg", ["g.cell_marks > path"])).toEqual([20 * 22]);
  });
  it("groups: 22 panels × 3 PAM50 levels of boxes", async () => {
    expect(await parse("groups.svg", ["g.box_marks", "g.box_marks > path"])).toEqual([22, 22 * 3]);
  });
  it("scatter: 22 panels × 2 HER2 levels of lines, 17 points a panel (3 tumours lack HER2 status)", async () => {
    expect(await parse("scatter.svg", ["g.fit_marks", "g.point_marks > path"])).toEqual([22 * 2, 22 * 17]);
  });
  it("forest and volcano: a point per model row", async () => {
    const rows = readFileSync(MODELS, "utf8").trim().split("\n").length - 1;
    expect(await parse("forest.svg", ["g.estimate_marks > path"])).toEqual([rows]);
    expect(await parse("volcano.svg", ["g.feature_marks > path"])).toEqual([rows]);
  });
});
