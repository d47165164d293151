// Per-CoreAlg time (three ν fits) of --solver exact (assembly/svr-exact.ts) vs the libsvm path on sample 1 of
// reference cases, plus the exact solver's interior-point iterations per ν.
// node --import tsx bench/exact.ts [--no-libsvm] [case ...]
import "../src/node/host.js";
import { readFileSync } from "node:fs";
import { Bench } from "tinybench";
import { CibersortEngine } from "../src/core/cibersort/engine.js";
import { coreAlgLayout } from "../src/core/kernels.js";
import { loadCore } from "../src/core/wasm.js";

/** The ν grid as the Wasm module exports it (assembly/layout.ts). */
const NUS = coreAlgLayout((await loadCore()).x).nus;

const REF = new URL("../../shared/reference/", import.meta.url).pathname;
const args = process.argv.slice(2);
const withLibsvm = !args.includes("--no-libsvm");
const named = args.filter((a) => !a.startsWith("--"));
const cases = named.length
  ? named
  : [
      "cibersort_lm22_scanb60_noqn_perm100_seed7",
      "cibersort_lm22_gse65133_noqn_perm0",
      "cibersort_lm22_tcgaluad_noqn_perm100_seed42",
      "cibersort_lm22_examplemix_noqn_perm0",
    ];
const rows = (d: string, f: string) =>
  readFileSync(`${REF}${d}/${f}`, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split("\t"));
for (const dir of cases) {
  const X = rows(dir, "X_standardized.tsv").map((r) => r.slice(1).map(Number));
  const G = X.length,
    T = X[0].length,
    x = Float64Array.from(X.flat());
  const z = Float64Array.from(rows(dir, "sample1_y_standardized.tsv").map((r) => Number(r[r.length - 1])));
  const ex = new CibersortEngine(await loadCore(), x, G, T, "exact");
  const its = Array.from(ex.fit(z).iterations);
  // Few minimum iterations: libsvm needs seconds per CoreAlg on the near-noiseless example mixtures.
  const bench = new Bench({ time: 2000, iterations: 3 });
  bench.add(`${dir} exact CoreAlg`, () => void ex.fit(z));
  if (withLibsvm) {
    const lib = new CibersortEngine(await loadCore(), x, G, T, "libsvm");
    bench.add(`${dir} libsvm CoreAlg`, () => void lib.fit(z));
  }
  await bench.run();
  console.log(`${dir}: ${G} genes; exact IPM iterations for ν = ${NUS.join(", ")}: ${its.join(", ")}`);
  console.table(bench.table());
}
