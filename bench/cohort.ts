// Streaming read of a large cohort, one mode per process so the peak RSS is the mode's own:
//   node --import tsx bench/cohort.ts <cohort.tsv[.gz]> sig|all|whole [threads]
// sig: streamMatrixFile keeping LM22 genes (the CLI without QN/sig.score); all: streamMatrixFile keeping every
// row (the CLI with QN/sig.score), then the QN pass of prepare; whole: readMatrixFile (the former CLI path).
// Make the cohort with ../shared/tools/make-cohort.mjs (see bench/RESULTS.md).
import { statSync } from "node:fs";
import { prepare } from "../src/core/cibersort/prepare.js";
import { readSignature } from "../src/node/data.js";
import { readMatrixFile } from "../src/node/read.js";
import { streamMatrixFile } from "../src/node/stream.js";
import type { Matrix } from "../src/core/matrix.js";
import { loadCore } from "../src/core/wasm.js";

const [path, mode = "sig", threads] = process.argv.slice(2);
const par = threads === undefined ? undefined : { threads: Number(threads) }; // default: every core
if (!path || !["sig", "all", "whole"].includes(mode)) throw new Error("usage: bench/cohort.ts <cohort> sig|all|whole");
const mb = statSync(path).size / 1e6;
const sig = readSignature("LM22");
const rss = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;

const t0 = performance.now();
const c0 = process.cpuUsage();
let m: Matrix;
let max = NaN;
if (mode === "whole") {
  m = readMatrixFile(path);
} else {
  const r = (await streamMatrixFile(path, mode === "sig" ? { keepRows: new Set(sig.rows) } : {}, undefined, par))!;
  m = r.matrix;
  max = r.max;
}
const secs = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0); // every thread of the process
console.log(
  `${mode}: ${m.rows.length} × ${m.cols.length} kept, file ${mb.toFixed(0)} MB in ${secs.toFixed(1)} s = ` +
    `${(mb / secs).toFixed(0)} MB/s, CPU ${((c.user + c.system) / 1e6).toFixed(1)} s; max ${max}; peak RSS ${rss()}`,
);
if (mode !== "sig") {
  const t1 = performance.now();
  const p = prepare(await loadCore(), sig, m, { qn: true, scale: "auto" });
  console.log(
    `  prepare with QN: ${p.genes.length} genes × ${p.samples.length} samples in ` +
      `${((performance.now() - t1) / 1000).toFixed(1)} s; peak RSS ${rss()}`,
  );
}
