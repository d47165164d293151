// cellfrac vs R on the same inputs, measured in one run: whole-process wall-clock of our CLI and of the
// R driver bench/cibersort.R (the CIBERSORT recipe with e1071), plus R's in-process time per fit, and the
// largest difference between the two outputs (they must agree to ~1e-9).
// Run: npm run build && node --import tsx bench/vs-r.ts [--quick]     Needs Rscript with e1071, preprocessCore.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { formatTable } from "../src/core/formats/write.js";
import { writeFileAtomic } from "../src/node/write.js";
import { readMatrixFile } from "../src/node/read.js";
import { cibersortCases } from "../test/helpers/reference.js";

const OUT = new URL("out/", import.meta.url).pathname;
const CLI = new URL("../dist/node/cli.js", import.meta.url).pathname;
const R_DRIVER = new URL("cibersort.R", import.meta.url).pathname;
const quick = process.argv.includes("--quick");
mkdirSync(OUT, { recursive: true });

const NAMES = quick
  ? ["cibersort_lm22_scanb60_noqn_perm100_seed7"]
  : ["cibersort_lm22_scanb60_noqn_perm100_seed7", "cibersort_lm22_examplemix_noqn_perm0", "cibersort_lm22_examplemix_qn_perm0"];

/** The case's mixture as a plain TSV (columns cut), so that both tools read the same bytes. */
function mixtureFile(name: string): string {
  const c = cibersortCases().find((x) => x.name === name)!;
  const m = readMatrixFile(c.input, { what: "mixture" });
  const [from, to] = c.columns ? [c.columns[0] - 1, c.columns[1]] : [0, m.cols.length];
  const n = m.rows.length;
  const path = `${OUT}${name}.mixture.tsv`;
  writeFileAtomic(
    path,
    formatTable("gene", m.cols.slice(from, to), m.rows, (r, s) => m.data[r + (from + s) * n]),
  );
  return path;
}

function time(cmd: string, args: string[]): { secs: number; stderr: string } {
  const t = performance.now();
  const p = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, LC_ALL: "C" }, maxBuffer: 1 << 28 });
  const secs = (performance.now() - t) / 1000;
  if (p.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${p.stderr}`);
  return { secs, stderr: p.stderr };
}

/** Largest |a − b| over all cells, or over the first `cols` columns (the fractions). */
function maxDiff(a: string, b: string, cols?: number): number {
  const A = readMatrixFile(a);
  const B = readMatrixFile(b);
  const n = cols === undefined ? A.data.length : cols * A.rows.length;
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(A.data[i] - B.data[i]));
  return d;
}

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, load average at start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
console.log(
  [
    "| case | fits | R 1 process s | R forked (3 ν on 2 cores) s | R s/fit | cellfrac 1 thread s | cellfrac 2 threads s",
    "speed-up vs R forked | per-fit speed-up | max abs diff | exact, 2 threads s | exact vs R forked | exact max abs diff to R |",
  ].join(" | "),
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const name of NAMES) {
  const c = cibersortCases().find((x) => x.name === name)!;
  const mix = mixtureFile(name);
  const seed = String(c.seed ?? 1);
  const rArgs = (cores: number, out: string) => [
    R_DRIVER,
    c.signature,
    mix,
    String(c.perm),
    seed,
    c.qn ? "TRUE" : "FALSE",
    out,
    "all",
    String(cores),
  ];
  const r1 = time("Rscript", rArgs(1, `${OUT}${name}.R1.tsv`));
  const rf = time("Rscript", rArgs(2, `${OUT}${name}.Rf.tsv`));
  const m = /R: (\d+) fits in ([\d.]+) s/.exec(r1.stderr)!;
  const fits = Number(m[1]);
  const rPerFit = Number(m[2]) / fits;
  const ours = (threads: number, solver = "libsvm") =>
    time(process.execPath, [
      CLI,
      "cibersort",
      mix,
      "--signature",
      c.signature,
      "--perm",
      String(c.perm),
      "--seed",
      seed,
      ...(c.qn ? ["--qn"] : []),
      "--threads",
      String(threads),
      "--solver",
      solver,
      "-q",
      "-o",
      `${OUT}${name}.cf${threads}${solver}.tsv`,
    ]);
  const c1 = ours(1);
  const c2 = ours(2);
  const ex = ours(2, "exact");
  const best = Math.min(r1.secs, rf.secs);
  const diff = Math.max(
    maxDiff(`${OUT}${name}.R1.tsv`, `${OUT}${name}.cf1libsvm.tsv`),
    maxDiff(`${OUT}${name}.cf1libsvm.tsv`, `${OUT}${name}.cf2libsvm.tsv`),
  );
  // Fraction columns only (P-values legitimately move with the solver's correlations).
  const exDiff = maxDiff(`${OUT}${name}.R1.tsv`, `${OUT}${name}.cf2exact.tsv`, readMatrixFile(c.signature).cols.length);
  console.log(
    `| ${[
      name.replace("cibersort_lm22_", ""),
      fits,
      r1.secs.toFixed(2),
      rf.secs.toFixed(2),
      rPerFit.toFixed(4),
      c1.secs.toFixed(2),
      c2.secs.toFixed(2),
      `${(best / c2.secs).toFixed(2)}×`,
      `${((rPerFit * fits) / c1.secs).toFixed(2)}×`,
      diff.toExponential(1),
      ex.secs.toFixed(2),
      `${(best / ex.secs).toFixed(1)}×`,
      exDiff.toFixed(4),
    ].join(" | ")} |`,
  );
}
console.log(
  `load average at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
