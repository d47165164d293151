// The page's memory on a large HDF5 mixture: the run worker mounts the chosen File with WORKERFS and reads
// it in blocks, so Chromium's memory should grow by far less than the file's size (a copy into h5wasm's
// in-memory file system needs the file's size twice: the File's bytes and the MEMFS copy). Not a test: run
// it by hand and copy the figures to bench/RESULTS.md.
//
//   npm run build && node --import tsx bench/page-hdf5.ts [--genes 20000] [--samples 5000] [--pick 20]
//
// Writes an ARCHS4-style file (float32 genes × samples, LM22's genes first, random values; Debian's
// python3-h5py) into bench/out/, runs NNLS in the page on `--pick` of its samples (--samples-from) and samples
// the resident memory of Chromium's processes every 100 ms.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { startServer } from "../src/node/commands/serve.js";
import { CHROMIUM, CHROMIUM_ARGS } from "../test/helpers/chromium.js";

const { values } = parseArgs({
  options: {
    genes: { type: "string", default: "20000" },
    samples: { type: "string", default: "5000" },
    pick: { type: "string", default: "20" },
  },
});
const [G, S, P] = [Number(values.genes), Number(values.samples), Number(values.pick)];
const root = new URL("../", import.meta.url).pathname;
const out = `${root}bench/out/`;
mkdirSync(out, { recursive: true });
const file = `${out}archs4-${G}x${S}.h5`;
const ids = `${out}archs4-pick${P}.txt`;
if (!existsSync(file)) {
  const py = `
import h5py, numpy as np, sys
G, S, path, lm22 = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
genes = [l.split("\\t")[0] for l in open(lm22).read().splitlines()[1:]]
genes = (genes + [f"FILLER{i}" for i in range(G)])[:G]
rng = np.random.default_rng(1)
with h5py.File(path, "w") as f:
    d = f.create_dataset("data/expression", (G, S), dtype="float32", chunks=(min(G, 1000), min(S, 100)))
    for a in range(0, S, 500):
        b = min(S, a + 500)
        d[:, a:b] = rng.gamma(2.0, 50.0, size=(G, b - a)).astype("float32")
    f.create_dataset("meta/genes/symbol", data=np.array(genes, dtype=object), dtype=h5py.string_dtype())
    f.create_dataset("meta/samples/geo_accession", data=np.array([f"GSM{i}" for i in range(S)], dtype=object), dtype=h5py.string_dtype())
`;
  execFileSync("/usr/bin/python3", ["-c", py, String(G), String(S), file, `${root}data/LM22.tsv`], { stdio: "inherit" });
}
writeFileSync(ids, `${Array.from({ length: P }, (_, i) => `GSM${Math.floor((i * S) / P)}`).join("\n")}\n`);
const size = statSync(file).size;

/** Resident memory (kB) of a process and all its descendants. */
function treeRss(pid: number): number {
  const lines = execFileSync("ps", ["-e", "-o", "pid=,ppid=,rss="], { encoding: "utf8" }).trim().split("\n");
  const procs = lines.map((l) => l.trim().split(/\s+/).map(Number));
  const inTree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp] of procs) {
      if (inTree.has(pp) && !inTree.has(p)) {
        inTree.add(p);
        grew = true;
      }
    }
  }
  return procs.filter(([p]) => inTree.has(p)).reduce((s, [, , rss]) => s + rss, 0);
}

const srv = await startServer({ port: 0 });
// A flag Chromium ignores, to find its main process (/usr/bin/chromium is a wrapper script).
const MARK = `--cellfrac-bench-${process.pid}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, MARK] });
const page = await browser.newPage();
await page.goto(srv.url);
await page.waitForSelector("body[data-ready]");
await page.getByTestId("method-select").selectOption("nnls");
await page.getByTestId("mixture-input").setInputFiles(file);
await page.waitForSelector("#hdf5-options:not([hidden])");
await page.setInputFiles("#samples-from", ids);
const rootPid = Number(execFileSync("pgrep", ["-o", "-f", "--", MARK], { encoding: "utf8" }).trim());
const before = treeRss(rootPid);
let peak = before;
const timer = setInterval(() => (peak = Math.max(peak, treeRss(rootPid))), 100);
const t0 = performance.now();
await page.getByTestId("run").click();
await page.waitForSelector("body[data-state=done], body[data-state=failed]", { timeout: 1_800_000 });
const secs = (performance.now() - t0) / 1000;
clearInterval(timer);
const state = await page.getAttribute("body", "data-state");
if (state !== "done") console.error(await page.getByTestId("error").textContent());
const mb = (kb: number) => (kb / 1024).toFixed(0);
console.log(
  `page NNLS on ${file.slice(root.length)} (${G} genes × ${S} samples float32, ${(size / 2 ** 20).toFixed(0)} MiB), ` +
    `${P} samples picked: ${state} in ${secs.toFixed(1)} s; Chromium RSS ${mb(before)} MB before, peak ${mb(peak)} MB ` +
    `(+${mb(peak - before)} MB); cpus ${readFileSync("/proc/cpuinfo", "utf8").split("processor").length - 1}`,
);
await browser.close();
await srv.close();
