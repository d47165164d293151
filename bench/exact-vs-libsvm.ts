// Exact vs libsvm solver on one mixture: per-sample largest fraction difference, split by whether the chosen ν is
// the same. Usage (the 200-sample slice of bench/RESULTS.md):
//   cut -f1-201 bench/out/cohort1k.tsv > bench/out/c200.tsv && node --import tsx bench/exact-vs-libsvm.ts bench/out/c200.tsv
import { cibersort, readMatrixFile } from "../src/node/index.js";

const file = process.argv[2];
if (!file) throw new Error("usage: bench/exact-vs-libsvm.ts <mixture.tsv>");
const mix = readMatrixFile(file, { what: "mixture" });
const a = await cibersort(mix, { signature: "LM22", perm: 0, solver: "libsvm", threads: 2 });
const b = await cibersort(mix, { signature: "LM22", perm: 0, solver: "exact", threads: 2 });
const S = a.samples.length;
const T = a.cellTypes.length;
let worstSame = 0;
let worstFlip = 0;
let flips = 0;
for (let s = 0; s < S; s++) {
  let d = 0;
  for (let t = 0; t < T; t++) d = Math.max(d, Math.abs(a.fractions.data[t * S + s] - b.fractions.data[t * S + s]));
  const flip = a.diagnostics.nu[s] !== b.diagnostics.nu[s];
  if (flip) {
    flips++;
    worstFlip = Math.max(worstFlip, d);
  } else worstSame = Math.max(worstSame, d);
  if (d > 0.02) {
    const nu = `nu ${a.diagnostics.nu[s]} ${b.diagnostics.nu[s]}`;
    console.log(a.samples[s], nu, "d", d.toFixed(4), "rmse lib", a.rmse[s], "exact", b.rmse[s]);
  }
}
console.log({ S, flips, worstSame, worstFlip });
