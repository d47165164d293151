// `cellfrac demo` (what `npm start` runs): LM22 on the bundled example cohort, with a readable summary.
import type { CibersortResult } from "../../core/cibersort/index.js";
import { DATA, EXAMPLE_MIXTURE } from "../data.js";
import { parseCibersortArgs, runCibersort } from "./cibersort.js";
import type { Command } from "./types.js";
import { listed } from "./index.js";

export const demoCommand: Command = {
  ...listed("demo"),
  async run(_args, io) {
    const rel = EXAMPLE_MIXTURE.slice(DATA.length - 5);
    io.stderr(`cellfrac demo: CIBERSORT (LM22, perm 100, seed 1) on ${rel}\n`);
    // The command's own parsing, so that the demo's run is `cellfrac cibersort` with these arguments and every
    // other default (gene matching, solver, scale) the command's.
    const o = parseCibersortArgs([EXAMPLE_MIXTURE, "--perm", "100", "--seed", "1"], null);
    if (o === "help") throw new Error("unreachable: no --help given");
    const { res } = await runCibersort(o, io);
    io.stdout(summarize(res));
    io.stdout(`\nFull table: npx cellfrac cibersort ${rel} --perm 100 --seed 1 -o results.tsv\n`);
    return 0;
  },
};

/** A readable summary of a run for the demo: mean fraction per cell type and per-sample fit quality. */
export function summarize(res: CibersortResult): string {
  const S = res.samples.length;
  const lines: string[] = [];
  const means = res.cellTypes.map((t, c) => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < S; i++) {
      const v = res.fractions.data[c * S + i];
      if (!Number.isNaN(v)) {
        s += v;
        n++;
      }
    }
    return { t, m: n ? s / n : NaN };
  });
  means.sort((a, b) => b.m - a.m);
  lines.push(`Mean fraction over ${S} samples (LM22, CIBERSORT v1.04-exact):`);
  for (const { t, m } of means) {
    if (!(m > 0)) continue;
    const bar = "█".repeat(Math.round(m * 60));
    lines.push(`  ${t.padEnd(30)} ${(100 * m).toFixed(1).padStart(5)}%  ${bar}`);
  }
  const sig = Array.from(res.pValue).filter((p) => p <= 0.05).length;
  lines.push(`Samples with P-value ≤ 0.05: ${sig} of ${S}; median correlation ${median(res.correlation).toFixed(3)}.`);
  lines.push(`Genes used: ${res.diagnostics.signatureCoverage.used} of ${res.diagnostics.signatureCoverage.total} signature genes.`);
  return `${lines.join("\n")}\n`;
}

function median(v: Float64Array): number {
  const s = Array.from(v)
    .filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}
