// CIBERSORT speed: one ν-SVR fit set (CoreAlg = 3 fits) and whole reference cases, with tinybench.
// Run: npm run build && npm run bench [-- --quick]   (figures go to bench/RESULTS.md by hand, with the machine)
import { cpus } from "node:os";
import { Bench } from "tinybench";
import { CibersortEngine } from "../src/core/cibersort/engine.js";
import { cibersortMatrices } from "../src/core/cibersort/index.js";
import { prepare } from "../src/core/cibersort/prepare.js";
import { readMatrixFile } from "../src/node/read.js";
import { makeMatrix, type Matrix } from "../src/core/matrix.js";
import { loadCore } from "../src/core/wasm.js";
import { cibersortCases, type CibersortCase } from "../test/helpers/reference.js";

const quick = process.argv.includes("--quick");

// The reference cases R was timed on (../shared/reference/TIMINGS.md), read exactly as the golden tests do.
const CASES = [
  "cibersort_lm22_scanb60_noqn_perm100_seed7",
  "cibersort_lm22_examplemix_noqn_perm0",
  "cibersort_lm22_examplemix_qn_perm0",
].map((n) => cibersortCases().find((c) => c.name === n)!);

function load(c: CibersortCase): { mixture: Matrix; signature: Matrix } {
  let mixture = readMatrixFile(c.input, { what: "mixture" });
  if (c.columns) {
    const [from, to] = [c.columns[0] - 1, c.columns[1]];
    const n = mixture.rows.length;
    mixture = makeMatrix(mixture.rows, mixture.cols.slice(from, to), mixture.data.slice(from * n, to * n));
  }
  return { mixture, signature: readMatrixFile(c.signature, { what: "signature" }) };
}

console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}`);
const core = await loadCore();

// One CoreAlg call (3 ν-SVR fits) on sample 1 of each case.
const fits = new Bench({ iterations: quick ? 2 : 5, warmupIterations: 1 });
for (const c of CASES) {
  const { mixture, signature } = load(c);
  const prep = prepare(core, signature, mixture, { qn: c.qn, scale: "auto" });
  const G = prep.genes.length;
  const engine = new CibersortEngine(await loadCore(), prep.xRowMajor, G, prep.cellTypes.length);
  const z = new Float64Array(G);
  engine.standardize(prep.y.subarray(0, G), z);
  fits.add(`CoreAlg, sample 1: ${c.name.replace("cibersort_lm22_", "")}`, () => {
    engine.fit(z);
  });
}
await fits.run();
console.table(fits.table());

// Whole cases through the public pipeline (reading excluded, as an in-process R timing of CIBERSORT()).
const whole = new Bench({ iterations: quick ? 1 : 3, warmupIterations: 0 });
for (const c of CASES) {
  const { mixture, signature } = load(c);
  whole.add(`whole case: ${c.name.replace("cibersort_lm22_", "")}`, async () => {
    await cibersortMatrices(mixture, signature, { qn: c.qn, perm: c.perm, seed: c.seed ?? 1 }, core);
  });
}
await whole.run();
console.table(whole.table());
