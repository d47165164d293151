// Parquet read throughput vs the TSV of the same matrix:
//   node --import tsx bench/parquet.ts <cohort.tsv> [repeats] [other.parquet ...]
// The cohort TSV is written as Parquet by formatParquet (PLAIN, uncompressed); further Parquet files of the same
// matrix (e.g. written by another tool with Snappy and dictionaries) can be timed too. Make the cohort as for
// bench/parse.ts (node ../shared/tools/make-cohort.mjs ... --out bench/out/cf-io-cohort.tsv).
import "../src/node/host.js";
import { readFileSync } from "node:fs";
import { formatParquet } from "../src/core/formats/parquet.js";
import { parseMatrix } from "../src/core/formats/read.js";

const [path, rep, ...others] = process.argv.slice(2);
if (!path) throw new Error("usage: bench/parquet.ts <cohort.tsv> [repeats] [other.parquet ...]");
const repeats = Number(rep ?? 5);
const tsv = readFileSync(path);
const m = parseMatrix(tsv, { name: path });
const ours = formatParquet(m.rowHeader ?? "gene", m.cols, m.rows, (r, c) => m.data[r + c * m.rows.length]);
const keep = new Set(readFileSync(new URL("../data/LM22.tsv", import.meta.url), "utf8").split("\n").slice(1).map((l) => l.split("\t")[0]));
const inputs: [string, Uint8Array][] = [["TSV", tsv], ["formatParquet output", ours], ...others.map((f) => [f, readFileSync(f)] as [string, Uint8Array])];
for (const [label, bytes] of inputs) {
  for (const [what, opts] of [["all rows", {}], ["keepRows LM22", { keepRows: keep }]] as const) {
    const times: number[] = [];
    let shape = "";
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      const r = parseMatrix(bytes, { name: label, ...opts });
      times.push(performance.now() - t0);
      shape = `${r.rows.length} × ${r.cols.length}`;
      if (what === "all rows" && !Buffer.from(r.data.buffer).equals(Buffer.from(m.data.buffer))) throw new Error(`${label}: values differ from the TSV`);
    }
    times.sort((a, b) => a - b);
    const med = times[Math.floor(times.length / 2)];
    console.log(`${label}, ${what}: ${shape}, ${(bytes.length / 1e6).toFixed(1)} MB, median ${med.toFixed(0)} ms (best ${times[0].toFixed(0)} ms)`);
  }
}
