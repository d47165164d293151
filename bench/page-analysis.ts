// The page's Analysis step on the bundled 400-tumour SCAN-B example in Debian's Chromium: CIBERSORT
// (exact solver, no permutations), then how long the live charts, one stats test and the report download
// take, and the report's size. Not a test: run it by hand and copy the figures to bench/RESULTS.md.
//
//   npm run build && node --import tsx bench/page-analysis.ts [--samples scanb400|scanb20]
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { startServer } from "../src/node/commands/serve.js";

const { values } = parseArgs({ options: { samples: { type: "string", default: "scanb400" } } });
const data = (f: string) => new URL(`../data/example/${values.samples}_${f}`, import.meta.url).pathname;
const gib = (totalmem() / 2 ** 30).toFixed(0);
console.log(`machine: ${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, ${gib} GiB, Node ${process.version}`);

const srv = await startServer({ port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-sync"],
});
const secs = (t: number) => `${((performance.now() - t) / 1000).toFixed(2)} s`;
try {
  const page = await browser.newPage({ acceptDownloads: true });
  await page.goto(srv.url);
  await page.waitForSelector("body[data-ready]");
  await page.getByTestId("mixture-input").setInputFiles(data("log2fpkm.tsv.gz"));
  await page.getByTestId("solver-select").selectOption("exact");
  await page.fill("#perm", "0");
  let t = performance.now();
  await page.getByTestId("run").click();
  await page.waitForSelector("body[data-state=done], body[data-state=failed]", { timeout: 600_000 });
  console.log(`run (CIBERSORT exact, perm 0): ${secs(t)}; ${await page.textContent("#summary")}`);
  t = performance.now();
  await page.waitForFunction(() => document.body.dataset.charts, undefined, { timeout: 600_000 });
  console.log(`composition + heatmap drawn (vega-embed, analysis code loaded): ${secs(t)} after the run`);
  await page.getByTestId("annotation-input").setInputFiles(data("samples.tsv"));
  for (const [test, arg] of [
    ["lm", "~ age_at_diagnosis * her2_status"],
    ["group", "pam50_subtype"],
    ["cox", "overall_survival_days,overall_survival_event"],
  ]) {
    await page.getByTestId("stats-test").selectOption(test);
    await page.getByTestId("stats-arg").fill(arg);
    await page.getByTestId("report-group-by").selectOption("pam50_subtype");
    await page.getByTestId("report-score").selectOption("age_at_diagnosis");
    await page.evaluate(() => delete document.body.dataset.stats);
    t = performance.now();
    await page.getByTestId("stats-run").click();
    await page.waitForSelector("body[data-stats]", { timeout: 600_000 });
    const rows = await page.getByTestId("stats-table").locator("tr").count();
    const ms = await page.getAttribute("body", "data-stats-ms");
    console.log(`stats --${test} "${arg}": ${ms} ms to the table (${rows - 1} rows), ${secs(t)} click to the six charts drawn`);
  }
  t = performance.now();
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-report").click()]);
  const bytes = readFileSync((await dl.path())!).length;
  console.log(`report download: ${secs(t)}, ${(bytes / 2 ** 20).toFixed(2)} MiB`);
} finally {
  await browser.close();
  await srv.close();
}
