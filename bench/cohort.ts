// Streaming read of a large cohort, one mode per process so the peak RSS is the mode's own:
//   node --import tsx bench/cohort.ts <cohort.tsv[.gz]> sig|all|whole
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

const [path, mode = "sig"] = process.argv.slice(2);
if (!path || !["sig", "all", "whole"].includes(mode)) throw new Error("usage: bench/cohort.ts <cohort> sig|all|whole");
const mb = statSync(path).size / 1e6;
const sig = readSignature("LM22");
const rss = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;

const t0 = performance.now();
let m: Matrix;
let max = NaN;
if (mode === "whole") {
  m = readMatrixFile(path);
} else {
  const r = (await streamMatrixFile(path, mode === "sig" ? { keepRows: new Set(sig.rows) } : {}))!;
  m = r.matrix;
  max = r.max;
}
const secs = (performance.now() - t0) / 1000;
console.log(
  `${mode}: ${m.rows.length} × ${m.cols.length} kept, file ${mb.toFixed(0)} MB in ${secs.toFixed(1)} s = ` +
    `${(mb / secs).toFixed(0)} MB/s; max ${max}; peak RSS ${rss()}`,
);
if (mode !== "sig") {
  const t1 = performance.now();
  const p = prepare(await loadCore(), sig, m, { qn: true, scale: "auto" });
  console.log(
    `  prepare with QN: ${p.genes.length} genes × ${p.samples.length} samples in ` +
      `${((performance.now() - t1) / 1000).toFixed(1)} s; peak RSS ${rss()}`,
  );
}
