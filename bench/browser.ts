// The page's time for a 1,000-sample CIBERSORT run (LM22, perm 100, seed 1: the CLI defaults) in Debian's
// Chromium, next to the Node API on the same file and machine, and a check that both tables are the same
// bits. Not a test: run it by hand and copy the figures to bench/RESULTS.md.
//
//   npm run build && node --import tsx bench/browser.ts [--samples 1000] [--workers N]
//
// The cohort comes from ../shared/tools/make-cohort.mjs (20,000 genes, seed 1) into bench/out/.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { startServer } from "../src/node/commands/serve.js";
import { cibersort, toResultsTable } from "../src/node/index.js";
import { CHROMIUM, CHROMIUM_ARGS } from "../test/helpers/chromium.js";

const { values } = parseArgs({ options: { samples: { type: "string", default: "1000" }, workers: { type: "string" } } });
const samples = Number(values.samples);
const root = new URL("../", import.meta.url).pathname;
const cohort = `${root}bench/out/cohort${samples === 1000 ? "1k" : samples}.tsv`;
if (!existsSync(cohort)) {
  mkdirSync(`${root}bench/out`, { recursive: true });
  execFileSync(
    "node",
    [
      `${root}../shared/tools/make-cohort.mjs`,
      "--signature",
      `${root}data/LM22.tsv`,
      "--samples",
      String(samples),
      "--genes",
      "20000",
      "--seed",
      "1",
      "--out",
      cohort,
    ],
    { stdio: "inherit" },
  );
}
console.log(
  `machine: ${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);

// Node: the API as the CLI runs it (reading included, worker pool on all cores).
let t = performance.now();
const nodeTable = toResultsTable(await cibersort(cohort, { signature: "LM22", perm: 100, seed: 1 }));
const nodeMs = performance.now() - t;
console.log(`node: ${(nodeMs / 1000).toFixed(1)} s (reading included, ${availableParallelism()} threads)`);

const srv = await startServer({ port: 0 });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(srv.url + (values.workers ? `?workers=${values.workers}` : ""));
  await page.waitForSelector("body[data-ready]");
  await page.getByTestId("mixture-input").setInputFiles(cohort);
  t = performance.now();
  await page.getByTestId("run").click();
  await page.waitForSelector("body[data-state=done], body[data-state=failed]", { timeout: 3_600_000 });
  const wallMs = performance.now() - t;
  if ((await page.getAttribute("body", "data-state")) !== "done")
    throw new Error(`page run failed: ${await page.getByTestId("error").textContent()}`);
  const runMs = Number(await page.getAttribute("body", "data-run-ms"));
  const summary = await page.textContent("#summary");
  const rows = await page
    .getByTestId("results")
    .locator("tr")
    .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? "").join("\t")));
  const same = `${rows.join("\n")}\n` === nodeTable;
  console.log(
    `browser: ${(runMs / 1000).toFixed(1)} s in the page (file bytes to table), ` +
      `${(wallMs / 1000).toFixed(1)} s click to rendered; ${summary}`,
  );
  console.log(`tables identical to Node: ${same}`);
  if (!same) process.exitCode = 1;
} finally {
  await browser.close();
  await srv.close();
}
