// Opens a cellfrac report in Debian's Chromium and times it (bench/RESULTS.md, "HTML report"):
//   node bench/report-open.mjs <report.html>
// prints the time until the report's script has drawn its tables, console errors, requests other than the
// file itself, mark elements per chart, and the time to sort the results table by its last column.
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const file = process.argv[2];
if (!file) throw new Error("usage: node bench/report-open.mjs <report.html>");
const args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", headless: true, args });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors = [];
const requests = [];
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
page.on("request", (r) => requests.push(r.url()));
let t = performance.now();
await page.goto(pathToFileURL(file).href);
await page.waitForSelector("body[data-ready]", { timeout: 300_000 });
const ready = (performance.now() - t).toFixed(0);
console.log(`ready: ${ready} ms; console errors: ${errors.length}; other requests: ${requests.length - 1}`);
const marks = await page.evaluate(() =>
  [...document.querySelectorAll("figure.chart")].map((f) => `${f.id} ${f.querySelectorAll("path,line").length}`),
);
console.log(`mark elements: ${marks.join(", ")}`);
t = performance.now();
await page.locator("[data-testid=table-results] th").last().click();
console.log(`sort results table: ${(performance.now() - t).toFixed(0)} ms`);
await browser.close();
