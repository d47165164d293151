// `cellfrac stats` over 22 features × N samples (default 10,000) for each test type: wall time and peak
// RSS of whole CLI processes (reading, every model, p.adjust, writing), one process per test. CPU time is
// given too: on a shared machine it is the steadier figure.
// Run: npm run build && node --import tsx bench/stats.ts [N]   (figures go to bench/RESULTS.md by hand)
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const N = Number(process.argv[2] ?? 10_000);
const cli = fileURLToPath(new URL("../dist/node/cli.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cellfrac-bench-stats-"));

// Deterministic synthetic cohort (xorshift; Box–Muller): 22 fraction-like features with 30 % zeros (ties).
let s = 88172645463325252n;
const rand = () => {
  s ^= s << 13n;
  s &= (1n << 64n) - 1n;
  s ^= s >> 7n;
  s ^= s << 17n;
  s &= (1n << 64n) - 1n;
  return Number(s >> 11n) / 2 ** 53;
};
const norm = () => Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand());
const cells = Array.from({ length: 22 }, (_, j) => `cell type ${j + 1}`);
const res = [`Mixture\t${cells.join("\t")}`];
const ann = ["sample\ther2score\tHR\tgrade\tpcr\tos_time\tos_event\tage"];
for (let i = 0; i < N; i++) {
  const her2 = 5 + 1.5 * norm();
  const hr = rand() < 0.75 ? "Positive" : "Negative";
  res.push(
    `T${i}\t${cells.map((_, j) => (rand() < 0.3 ? 0 : Math.abs(0.05 + 0.002 * j * her2 + 0.03 * norm())).toPrecision(8)).join("\t")}`,
  );
  const pcr = rand() < 1 / (1 + Math.exp(1 - 0.2 * (her2 - 5))) ? 1 : 0;
  ann.push(
    [
      `T${i}`,
      her2.toFixed(3),
      hr,
      ["G1", "G2", "G3"][Math.floor(rand() * 3)],
      pcr,
      Math.round(30 + 3000 * rand()),
      rand() < 0.3 ? 1 : 0,
      Math.round(30 + 55 * rand()),
    ].join("\t"),
  );
}
writeFileSync(join(dir, "results.tsv"), `${res.join("\n")}\n`);
writeFileSync(join(dir, "samples.tsv"), `${ann.join("\n")}\n`);

const tests: [string, string[]][] = [
  ["lm ~ her2score * HR, anova type II", ["--lm", "~ her2score * HR"]],
  ["lm ~ her2score * HR + grade, anova type I", ["--lm", "~ her2score * HR + grade", "--anova", "1"]],
  ["lm ~ her2score * HR, anova type III", ["--lm", "~ her2score * HR", "--anova", "3"]],
  ["wilcoxon (--group HR)", ["--group", "HR"]],
  ["kruskal (--group grade)", ["--group", "grade"]],
  ["spearman (--cor her2score)", ["--cor", "her2score"]],
  ["pearson", ["--cor", "her2score", "--method", "pearson"]],
  ["kendall", ["--cor", "her2score", "--method", "kendall"]],
  ["logistic pcr ~ feature + age", ["--logistic", "pcr", "--covariates", "age"]],
  ["cox Surv(os_time, os_event) ~ feature + HR", ["--cox", "os_time,os_event", "--covariates", "HR"]],
  ["lm --by grade", ["--lm", "~ her2score * HR", "--by", "grade"]],
];
console.log(`cellfrac stats, 22 features × ${N} samples; node ${process.version}, ${cpus()[0].model}, ${cpus().length} cores`);
console.log("| test | wall s | CPU s (user + sys) | peak RSS MB | rows |\n| --- | ---: | ---: | ---: | ---: |");
for (const [name, args] of tests) {
  const out = join(dir, "out.tsv");
  const r = spawnSync(
    "/usr/bin/time",
    [
      "-f",
      "%e %U %S %M",
      process.execPath,
      cli,
      "stats",
      join(dir, "results.tsv"),
      "--samples",
      join(dir, "samples.tsv"),
      ...args,
      "-q",
      "-o",
      out,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
  const [wall, user, sys, kb] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  const rows = spawnSync("wc", ["-l", out], { encoding: "utf8" }).stdout.split(" ")[0];
  console.log(`| ${name} | ${wall.toFixed(2)} | ${(user + sys).toFixed(2)} | ${(kb / 1024).toFixed(0)} | ${Number(rows) - 1} |`);
}
