// Parse throughput of the TSV reader: node --import tsx bench/parse.ts <cohort.tsv> [repeats]
// Make a cohort with (from the repository root, ../shared beside it):
//   node ../shared/tools/make-cohort.mjs --signature data/LM22.tsv --samples 1000 --genes 20000 --seed 1 --out bench/out/cohort1k.tsv
import "../src/node/host.js";
import { readFileSync } from "node:fs";
import { parseMatrix } from "../src/core/formats/read.js";

const path = process.argv[2];
if (!path) throw new Error("usage: bench/parse.ts <cohort.tsv> [repeats]");
const repeats = Number(process.argv[3] ?? 5);
const bytes = readFileSync(path);
const keep = new Set(
  readFileSync(new URL("../data/LM22.tsv", import.meta.url), "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.split("\t")[0]),
);
for (const [label, opts] of [
  ["all rows", {}],
  ["keepRows LM22", { keepRows: keep }],
] as const) {
  const times: number[] = [];
  let shape = "";
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const m = parseMatrix(bytes, { name: path, ...opts });
    times.push(performance.now() - t0);
    shape = `${m.rows.length} × ${m.cols.length}`;
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  console.log(
    `${label}: ${shape}, ${(bytes.length / 1e6).toFixed(1)} MB, median ${med.toFixed(0)} ms = ` +
      `${(bytes.length / 1e6 / (med / 1000)).toFixed(0)} MB/s (best ${(bytes.length / 1e6 / (times[0] / 1000)).toFixed(0)} MB/s)`,
  );
}
