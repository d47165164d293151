// Parquet read throughput vs the TSV of the same matrix:
//   node --import tsx bench/parquet.ts <cohort.tsv> [repeats] [other.parquet ...]
// The cohort TSV is written as Parquet by formatParquet (PLAIN, uncompressed); further Parquet files of the same
// matrix (e.g. written by DuckDB with ZSTD or Snappy) can be timed too. Make the cohort as for bench/parse.ts
// (node ../shared/tools/make-cohort.mjs ... --out bench/out/cf-io-cohort.tsv).
// PARQUET_READER=<module> times that module's parseParquet(bytes, name, keep, inflate) instead of today's
// reader (e.g. the hand-written reader of commit 2a441e5, extracted with git show into src/core/formats/).
// PARQUET_ONCE=<file.parquet>: read that file once and exit, for /usr/bin/time -v (peak memory).
import "../src/node/host.js";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { formatParquet, parseParquet } from "../src/core/formats/parquet.js";
import { parseMatrix } from "../src/core/formats/read.js";

type Reader = (
  bytes: Uint8Array,
  name: string,
  keep?: (g: string) => boolean,
  inflate?: (b: Uint8Array) => Uint8Array,
) => { rows: string[]; cols: string[]; data: Float64Array };
const alt = process.env.PARQUET_READER;
const reader: Reader = alt ? (await import(alt)).parseParquet : parseParquet;
const readerName = alt ? alt.replace(/^.*\//, "") : "hyparquet";
const gunzip = (b: Uint8Array) => gunzipSync(b);

if (process.env.PARQUET_ONCE) {
  const r = reader(readFileSync(process.env.PARQUET_ONCE), "once", undefined, gunzip);
  console.log(`${readerName}: ${r.rows.length} × ${r.cols.length}`);
  process.exit(0);
}
const [path, rep, ...others] = process.argv.slice(2);
if (!path) throw new Error("usage: bench/parquet.ts <cohort.tsv> [repeats] [other.parquet ...]");
const repeats = Number(rep ?? 5);
const tsv = readFileSync(path);
const m = parseMatrix(tsv, { name: path });
const ours = formatParquet(m.rowHeader ?? "gene", m.cols, m.rows, (r, c) => m.data[r + c * m.rows.length]);
const lm22 = new Set(
  readFileSync(new URL("../data/LM22.tsv", import.meta.url), "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.split("\t")[0]),
);
const inputs: [string, Uint8Array][] = [
  ["TSV", tsv],
  ["formatParquet output", ours],
  ...others.map((f) => [f, readFileSync(f)] as [string, Uint8Array]),
];
for (const [label, bytes] of inputs) {
  for (const [what, keep] of [
    ["all rows", undefined],
    ["keepRows LM22", (g: string) => lm22.has(g)],
  ] as const) {
    const times: number[] = [];
    const cpus: number[] = [];
    let shape = "";
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = label === "TSV" ? parseMatrix(bytes, { name: label, keepRows: keep }) : reader(bytes, label, keep, gunzip);
      times.push(performance.now() - t0);
      const cu = process.cpuUsage(c0);
      cpus.push((cu.user + cu.system) / 1e3);
      shape = `${r.rows.length} × ${r.cols.length}`;
      if (what === "all rows" && !Buffer.from(r.data.buffer).equals(Buffer.from(m.data.buffer)))
        throw new Error(`${label}: values differ from the TSV`);
    }
    times.sort((a, b) => a - b);
    cpus.sort((a, b) => a - b);
    const med = times[Math.floor(times.length / 2)];
    const cpu = cpus[Math.floor(cpus.length / 2)];
    const mbs = (bytes.length / 1e6 / (med / 1e3)).toFixed(0);
    console.log(
      `${label === "TSV" ? "TSV" : readerName}: ${label}, ${what}: ${shape}, ${(bytes.length / 1e6).toFixed(1)} MB, ` +
        `median ${med.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU (${mbs} MB/s; best ${times[0].toFixed(0)} ms)`,
    );
  }
}
