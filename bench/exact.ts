// Per-CoreAlg time (three ν fits) of --solver exact vs the libsvm path on sample 1 of reference cases.
// node --import tsx bench/exact.ts [case ...]
import { readFileSync } from "node:fs";
import { Bench } from "tinybench";
import { CibersortEngine } from "../src/cibersort/engine.js";
import { loadCore } from "../src/wasm.js";

const REF = new URL("../../shared/reference/", import.meta.url).pathname;
const cases = process.argv.slice(2).length ? process.argv.slice(2) : ["cibersort_lm22_gse65133_noqn_perm0", "cibersort_lm22_tcgaluad_noqn_perm100_seed42"];
const rows = (d: string, f: string) => readFileSync(`${REF}${d}/${f}`, "utf8").trim().split("\n").slice(1).map((l) => l.split("\t"));
for (const dir of cases) {
  const X = rows(dir, "X_standardized.tsv").map((r) => r.slice(1).map(Number));
  const G = X.length, T = X[0].length, x = Float64Array.from(X.flat());
  const z = Float64Array.from(rows(dir, "sample1_y_standardized.tsv").map((r) => Number(r[r.length - 1])));
  const lib = new CibersortEngine(await loadCore(), x, G, T, "libsvm");
  const ex = new CibersortEngine(await loadCore(), x, G, T, "exact");
  const bench = new Bench({ time: 2000 });
  bench.add(`${dir} libsvm CoreAlg`, () => void lib.fit(z)).add(`${dir} exact CoreAlg`, () => void ex.fit(z));
  await bench.run();
  console.table(bench.table());
}
