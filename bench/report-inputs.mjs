// Inputs for timing `cellfrac report` on a large cohort (bench/RESULTS.md, "HTML report"):
//   node bench/report-inputs.mjs <out-dir> [samples=10000]
// writes <out-dir>/results.tsv (CIBERSORT-shaped: 22 LM22 fractions per sample that sum to 1, plus P-value,
// Correlation, RMSE), samples.tsv (group: 4 levels, score: numeric, factor: 2 levels) and stats.tsv (a
// kruskal, an lm main effect and interaction, a logistic and a cox row per cell type). Values are
// pseudo-random (fixed seed): the bench measures size and time, not biology.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [out, nArg = "10000"] = process.argv.slice(2);
if (!out) throw new Error("usage: node bench/report-inputs.mjs <out-dir> [samples]");
const S = Number(nArg);
mkdirSync(out, { recursive: true });
const lm22 = readFileSync(new URL("../data/LM22.tsv", import.meta.url), "utf8")
  .split("\n")[0]
  .split("\t")
  .slice(1);
let seed = 42;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const rows = [["Mixture", ...lm22, "P-value", "Correlation", "RMSE"].join("\t")];
const ann = ["sample\tgroup\tscore\tfactor"];
for (let s = 0; s < S; s++) {
  // Sparse like CIBERSORT: about half the types are 0.
  const w = lm22.map(() => (rand() < 0.5 ? 0 : -Math.log(rand())));
  const sum = w.reduce((a, b) => a + b, 0) || 1;
  rows.push([`S${s + 1}`, ...w.map((x) => x / sum), rand() * 0.1, 0.5 + rand() * 0.5, 0.8 + rand() * 0.2].join("\t"));
  ann.push(`S${s + 1}\t${"ABCD"[s % 4]}\t${(rand() * 100).toFixed(2)}\t${rand() < 0.5 ? "lo" : "hi"}`);
}
const stats = ["feature\tstratum\ttest\tterm\tn\testimate\tstd_error\tstatistic\tdf\tdf2\tp_value\tq_value"];
for (const t of lm22) {
  const p = () => rand() ** 3;
  stats.push(`${t}\t\tkruskal\tgroup\t${S}\tNA\tNA\t${rand() * 10}\t3\tNA\t${p()}\t${p()}`);
  stats.push(`${t}\t\tlm\tscore\t${S}\t${(rand() - 0.5) / 1000}\t${rand() / 2000}\t1\t${S - 4}\tNA\t${p()}\t${p()}`);
  stats.push(`${t}\t\tlm\tscore:factorlo\t${S}\t${(rand() - 0.5) / 1000}\t${rand() / 2000}\t1\t${S - 4}\tNA\t${p()}\t${p()}`);
  stats.push(`${t}\t\tlogistic\tfraction\t${S}\t${rand() - 0.5}\t${rand() / 3}\t1\tNA\tNA\t${p()}\t${p()}`);
  stats.push(`${t}\t\tcox\tfraction\t${S}\t${rand() - 0.5}\t${rand() / 3}\t1\tNA\tNA\t${p()}\t${p()}`);
}
writeFileSync(join(out, "results.tsv"), `${rows.join("\n")}\n`);
writeFileSync(join(out, "samples.tsv"), `${ann.join("\n")}\n`);
writeFileSync(join(out, "stats.tsv"), `${stats.join("\n")}\n`);
