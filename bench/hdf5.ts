// Read throughput of HDF5 mixtures (bench/RESULTS.md, "HDF5"): the streaming reader as `cellfrac cibersort`
// uses it (LM22's genes kept, every value checked). Files from bench/hdf5-make.py. One file per process, so
// /usr/bin/time's peak RSS is that file's: node --import tsx bench/hdf5.ts FILE
import { statSync } from "node:fs";
import { loadHdf5 } from "../src/node/host.js";
import { readMatrixFile } from "../src/node/read.js";
import { streamMatrixFile } from "../src/node/stream.js";

const file = process.argv[2];
const lm22 = new Set(readMatrixFile(new URL("../data/LM22.tsv", import.meta.url).pathname).rows);
const tl = performance.now();
await loadHdf5();
const load = (performance.now() - tl) / 1000;
const rss0 = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
const c0 = process.cpuUsage();
const r = await streamMatrixFile(file, { keepRows: lm22 });
const s = (performance.now() - t0) / 1000;
const cu = process.cpuUsage(c0);
const cpu = (cu.user + cu.system) / 1e6;
const mb = statSync(file).size / 2 ** 20;
const cells = r!.genes.length * r!.matrix.cols.length;
const rate = `${(cells / s / 1e6).toFixed(1)} M values/s, ${(mb / s).toFixed(0)} MiB/s`;
const rss1 = process.memoryUsage().rss / 2 ** 20;
console.log(
  `${file}: ${r!.genes.length} genes × ${r!.matrix.cols.length} samples, ${mb.toFixed(0)} MiB on disk, ` +
    `read ${s.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU (${rate}), h5wasm load ${load.toFixed(2)} s, ` +
    `${r!.matrix.rows.length} rows kept; ` +
    `RSS after load ${rss0.toFixed(0)} MiB, after read ${rss1.toFixed(0)} MiB`,
);
