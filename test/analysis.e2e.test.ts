// The page's charts and Analysis step end to end in Debian's Chromium (playwright-core, never a downloaded
// browser), served by `cellfrac serve`: CIBERSORT on the bundled 20-tumour SCAN-B example, then the
// annotation, two `stats` tests whose table and downloads equal the CLI's output byte for byte, the
// report's charts drawn live (vega-embed under the page's strict CSP: no eval), and the downloaded report
// equal to `cellfrac report`'s for the same files but the timestamp line. No console error, no request
// leaves 127.0.0.1. Needs the built page (npm test builds it) and /usr/bin/chromium.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../src/node/commands/serve.js";
import { HAVE_CHROMIUM, NO_CHROMIUM, watchedPage } from "./helpers/chromium.js";
import { cli } from "./helpers/cli.js";

const data = (f: string) => fileURLToPath(new URL(`../data/example/${f}`, import.meta.url));
const MIXTURE = data("scanb20_log2fpkm.tsv.gz");
const SAMPLES = data("scanb20_samples.tsv");
const tmp = mkdtempSync(join(tmpdir(), "cellfrac-analysis-e2e-"));
/** Screenshots for a look (git-ignored). */
const SHOTS = fileURLToPath(new URL("../test-results/", import.meta.url));
const STAMP = /^<p class="stamp">Generated [^<]*<\/p>$/m;

let browser: Browser;
let page: Page;
let origin: string;
let close: () => Promise<void>;
let requests: string[] = [];
let consoleErrors: string[] = [];

/** A download's suggested name and text, also saved under that name in tmp (for the CLI to read). */
async function download(testId: string): Promise<{ name: string; text: string; path: string }> {
  const button = testId.startsWith("#") ? page.locator(testId) : page.getByTestId(testId);
  const [dl] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const bytes = readFileSync((await dl.path())!);
  const path = join(tmp, dl.suggestedFilename());
  writeFileSync(path, bytes);
  return { name: dl.suggestedFilename(), text: bytes.toString("utf8"), path };
}

/** A table's text rebuilt as TSV (header, then one line per row). */
async function tableText(testId: string): Promise<string> {
  const rows = page.getByTestId(testId).locator("tr");
  const lines = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? "").join("\t")));
  return `${lines.join("\n")}\n`;
}

/** Marks drawn in a chart's live SVG (vega's mark groups hold paths, lines or rects). */
const marks = (testId: string) =>
  page.getByTestId(testId).evaluate((el) => ({
    drawn: (el as HTMLElement).dataset.drawn,
    marks: el.querySelectorAll("svg g.role-mark > path, svg g.role-mark > line, svg g.role-mark > rect").length,
  }));

async function runStats(test: string, arg: string, groupBy = "", score = ""): Promise<void> {
  await page.getByTestId("stats-test").selectOption(test);
  await page.getByTestId("stats-arg").fill(arg);
  await page.getByTestId("report-group-by").selectOption(groupBy);
  await page.getByTestId("report-score").selectOption(score);
  await page.evaluate(() => delete document.body.dataset.stats);
  await page.getByTestId("stats-run").click();
  await page.waitForSelector("body[data-stats]", { timeout: 60_000 });
}

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return; // the suite below is skipped, and says so
  const srv = await startServer({ port: 0 });
  origin = srv.url.replace(/\/$/, "");
  close = srv.close;
  ({ browser, page, requests, consoleErrors } = await watchedPage());
  await page.goto(`${origin}/`);
  await page.waitForSelector("body[data-ready]");
  await page.getByTestId("mixture-input").setInputFiles(MIXTURE);
  await page.fill("#perm", "0");
  await page.getByTestId("run").click();
  await page.waitForSelector("body[data-state=done], body[data-state=failed]", { timeout: 240_000 });
  expect(await page.getAttribute("body", "data-state")).toBe("done");
  await page.waitForFunction(() => document.body.dataset.charts, undefined, { timeout: 60_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
});

describe.skipIf(!HAVE_CHROMIUM)(`the page's charts and Analysis step in Chromium${NO_CHROMIUM}`, () => {
  let results: { name: string; path: string };

  it("after the run: the composition and heatmap drawn by vega-embed, one bar segment and cell per sample and cell type", async () => {
    expect(await marks("chart-composition")).toEqual({ drawn: "yes", marks: 20 * 22 });
    expect(await marks("chart-heatmap")).toEqual({ drawn: "yes", marks: 20 * 22 });
    // The composition SVG download is the chart `cellfrac report --figures` writes for the same results.
    results = await download("download-json");
    expect(results.name).toBe("scanb20_log2fpkm.cibersort.json");
    const figures = join(tmp, "figures-run");
    expect((await cli("report", results.path, "--figures", figures, "-q")).code).toBe(0);
    expect((await download("#download-bars-svg")).text).toBe(readFileSync(join(figures, "composition.svg"), "utf8"));
    // The PNG is vega's canvas at 2×: a PNG file.
    const png = readFileSync((await download("#download-heat-png")).path);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  }, 120_000);

  it("--group pam50_subtype: the stats table and TSV/JSON downloads are the CLI's bytes", async () => {
    const tsv = await download("download-tsv");
    await page.getByTestId("annotation-input").setInputFiles(SAMPLES);
    await runStats("group", "pam50_subtype", "pam50_subtype");
    expect(await page.getAttribute("body", "data-stats")).toBe("done");
    const want = await cli("stats", tsv.path, "--samples", SAMPLES, "--group", "pam50_subtype");
    expect(want.code).toBe(0);
    expect(await tableText("stats-table")).toBe(want.out);
    expect((await download("download-stats")).text).toBe(want.out);
    const json = await cli("stats", tsv.path, "--samples", SAMPLES, "--group", "pam50_subtype", "--format", "json");
    expect((await download("download-stats-json")).text).toBe(json.out);
    // kruskal only: box plots by group, no model coefficients.
    expect(await marks("chart-groups")).toMatchObject({ drawn: "yes" });
    expect(await marks("chart-forest")).toEqual({ drawn: "no", marks: 0 });
  }, 120_000);

  it("a bad formula shows the CLI's message and keeps the last table", async () => {
    const before = await tableText("stats-table");
    await runStats("lm", "~ no_such_column", "pam50_subtype");
    expect(await tableText("stats-table")).toBe(before);
    expect(await page.getAttribute("body", "data-stats")).toBe("failed");
    const tsvPath = join(tmp, "scanb20_log2fpkm.cibersort.tsv");
    const want = await cli("stats", tsvPath, "--samples", SAMPLES, "--lm", "~ no_such_column");
    expect(want.code).toBe(2); // a formula naming no column is a usage error
    // The CLI's last stderr line (warnings such as constant features come before it); the page knows the
    // file by its name only.
    const message = want.err
      .trimEnd()
      .split("\n")
      .pop()!
      .replaceAll(dirname(SAMPLES) + sep, "");
    expect(await page.getByTestId("stats-error").textContent()).toBe(message);
  }, 60_000);

  it("--lm '~ age_at_diagnosis * her2_status': the table is the CLI's, and every chart is drawn", async () => {
    await runStats("lm", "~ age_at_diagnosis * her2_status", "pam50_subtype", "age_at_diagnosis");
    expect(await page.getAttribute("body", "data-stats")).toBe("done");
    const tsv = join(tmp, "scanb20_log2fpkm.cibersort.tsv");
    const want = await cli("stats", tsv, "--samples", SAMPLES, "--lm", "~ age_at_diagnosis * her2_status");
    expect(want.code).toBe(0);
    expect(await tableText("stats-table")).toBe(want.out);
    const stats = await download("download-stats");
    expect(stats.text).toBe(want.out);
    const rows = want.out
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split("\t"));
    const models = rows.filter((r) => r[2] === "lm" && r[3] !== "(Intercept)").length;
    expect(await marks("chart-composition")).toEqual({ drawn: "yes", marks: 20 * 22 });
    expect(await marks("chart-heatmap")).toEqual({ drawn: "yes", marks: 20 * 22 });
    expect((await marks("chart-groups")).marks).toBeGreaterThan(22 * 3);
    expect((await marks("chart-scatter")).marks).toBeGreaterThan(22);
    // One estimate point and one interval line per lm row but the intercepts.
    expect(await page.getByTestId("chart-forest").locator("g.estimate_marks > path").count()).toBe(models);
    expect((await marks("chart-volcano")).drawn).toBe("yes");
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "analysis-e2e.png"), fullPage: true });
  }, 120_000);

  it("the downloaded report equals `cellfrac report` for the same files but the timestamp line", async () => {
    const report = await download("download-report");
    expect(report.name).toBe("scanb20_log2fpkm.cibersort.report.html");
    const out = join(tmp, "cli-report.html");
    const stats = join(tmp, "scanb20_log2fpkm.cibersort.stats.tsv");
    const args = ["--samples", SAMPLES, "--stats", stats, "--group-by", "pam50_subtype", "--score", "age_at_diagnosis"];
    expect((await cli("report", results.path, ...args, "-o", out, "-q")).code).toBe(0);
    const cliHtml = readFileSync(out, "utf8");
    expect(report.text).toMatch(STAMP);
    expect(report.text.replace(STAMP, "")).toBe(cliHtml.replace(STAMP, ""));
    expect(report.text.match(/data-drawn="yes"/g)).toHaveLength(6);
  }, 120_000);

  it("several annotation files merge as `--samples` repeated: `cellfrac score`'s HER2 score beside the clinical table", async () => {
    const her2 = join(tmp, "her2score.tsv");
    const gmt = data("her2_amplicon.gmt");
    expect((await cli("score", MIXTURE, "--method", "mean", "--gene-sets", gmt, "-o", her2, "-q")).code).toBe(0);
    await page.getByTestId("annotation-input").setInputFiles([SAMPLES, her2]);
    await runStats("lm", "~ her2score * er_status", "pam50_subtype");
    expect(await page.getAttribute("body", "data-stats")).toBe("done");
    const tsv = join(tmp, "scanb20_log2fpkm.cibersort.tsv");
    const want = await cli("stats", tsv, "--samples", SAMPLES, "--samples", her2, "--lm", "~ her2score * er_status");
    expect(want.code).toBe(0);
    expect(await tableText("stats-table")).toBe(want.out);
    expect(want.out).toContain("\ther2score:er_status\t");
  }, 120_000);

  it("no console error (CSP included: vega ran without eval) and no request left 127.0.0.1", () => {
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith("blob:"))).toEqual([]);
  });
});
