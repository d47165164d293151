// Exact vs libsvm solver on one mixture: per-sample largest fraction difference, split by whether the
// chosen ν is the same. Usage: npm run build && cut -f1-201 bench/out/cohort1k.tsv > /tmp/c200.tsv && node bench/exact-vs-libsvm.mjs [file]
import { cibersort, readMatrixFile } from "../dist/node/index.js";
const mix = readMatrixFile(process.argv[2] ?? "/tmp/c200.tsv", { what: "mixture" });
const a = await cibersort(mix, { signature: "LM22", perm: 0, solver: "libsvm", threads: 2 });
const b = await cibersort(mix, { signature: "LM22", perm: 0, solver: "exact", threads: 2 });
const S = a.samples.length, T = a.cellTypes.length;
let worstSame = 0, worstFlip = 0, flips = 0;
for (let s = 0; s < S; s++) {
  let d = 0;
  for (let t = 0; t < T; t++) d = Math.max(d, Math.abs(a.fractions.data[t * S + s] - b.fractions.data[t * S + s]));
  const flip = a.diagnostics.nu[s] !== b.diagnostics.nu[s];
  if (flip) { flips++; worstFlip = Math.max(worstFlip, d); } else worstSame = Math.max(worstSame, d);
  if (d > 0.02) console.log(a.samples[s], "nu", a.diagnostics.nu[s], b.diagnostics.nu[s], "d", d.toFixed(4), "rmse lib", a.rmse[s], "exact", b.rmse[s]);
}
console.log({ S, flips, worstSame, worstFlip });
