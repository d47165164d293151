// The row maximum of rows not kept (docs/scale.md, Reading): scanRowMax's JavaScript loop against the Wasm
// kernel rowMaxExact (WasmRowMax, the copy into Wasm memory included), over the data rows of a table's first
// lines; same maxima checked. Warm: four rounds in one process.
//   head -n 400 cohort10k.tsv > head.tsv && npx tsx bench/rowmax.ts head.tsv
import { readFileSync } from "node:fs";
import "../src/node/host.js";
import { scanRowMax } from "../src/core/formats/scan.js";
import { loadCore } from "../src/core/wasm.js";
import { WasmRowMax } from "../src/node/scan-batch.js";

const file = process.argv[2];
if (!file) throw new Error("usage: npx tsx bench/rowmax.ts TABLE.tsv");
const b = new Uint8Array(readFileSync(file));
const rows: [number, number][] = [];
for (let p = b.indexOf(10) + 1; p < b.length; ) {
  const e = b.indexOf(10, p);
  if (e < 0) break;
  rows.push([b.indexOf(9, p) + 1, e]);
  p = e + 1;
}
let ncol = 1;
for (let i = rows[0][0]; i < rows[0][1]; i++) if (b[i] === 9) ncol++;
const cells = rows.length * ncol;
const core = await loadCore();
const ns = (t: bigint) => (Number(process.hrtime.bigint() - t) / cells).toFixed(1);
for (let round = 1; round <= 4; round++) {
  let t = process.hrtime.bigint();
  const js = rows.map(([s, e]) => scanRowMax(b, s, e, 9, ncol));
  const tj = ns(t);
  t = process.hrtime.bigint();
  const w = new WasmRowMax(core, b, ncol);
  const wasm = rows.map(([s, e]) => w.max(b, s, e, 9));
  const tw = ns(t);
  const same = js.every((m, i) => Object.is(m, wasm[i]));
  console.log(`round ${round}: ${rows.length} rows × ${ncol}: JavaScript ${tj} ns/cell, Wasm ${tw} ns/cell, same maxima: ${same}`);
}
