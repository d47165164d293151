// `cellfrac demo` (what `npm start` runs) is `cellfrac cibersort` on the bundled example with --perm 100 --seed 1:
// its summary must agree with that command's own output (mean fractions, P-values, correlation, genes used).
// It once passed its options by hand and missed the command's gene matching (287 genes instead of 288).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { main } from "../src/node/cli.js";

async function run(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

interface Json {
  cellTypes: string[];
  samples: { fractions: Record<string, number>; pValue: number; correlation: number }[];
  genesUsed: number;
  signatureGenes: number;
}

it("the demo's summary is the example's `cellfrac cibersort --perm 100 --seed 1` run", async () => {
  const demo = await run("demo");
  expect(demo.code, demo.err).toBe(0);
  const file = join(mkdtempSync(join(tmpdir(), "cellfrac-demo-")), "example.json");
  const command = /npx cellfrac (cibersort \S+ --perm 100 --seed 1) -o results\.tsv/.exec(demo.out);
  expect(command, demo.out).not.toBeNull();
  const cli = await run(...command![1].split(" "), "-o", file, "-q");
  expect(cli.code, cli.err).toBe(0);
  const j = JSON.parse(readFileSync(file, "utf8")) as Json;
  const S = j.samples.length;
  for (const t of j.cellTypes) {
    const m = j.samples.reduce((a, s) => a + s.fractions[t], 0) / S;
    const line = demo.out.split("\n").find((l) => l.startsWith(`  ${t.padEnd(30)} `));
    if (m > 0) expect(line, t).toContain(` ${(100 * m).toFixed(1).padStart(5)}%`);
    else expect(line, t).toBeUndefined();
  }
  const sig = j.samples.filter((s) => s.pValue <= 0.05).length;
  const r = j.samples.map((s) => s.correlation).sort((a, b) => a - b);
  const med = S % 2 ? r[S >> 1] : (r[S / 2 - 1] + r[S / 2]) / 2;
  expect(demo.out).toContain(`Samples with P-value ≤ 0.05: ${sig} of ${S}; median correlation ${med.toFixed(3)}.`);
  expect(demo.out).toContain(`Genes used: ${j.genesUsed} of ${j.signatureGenes} signature genes.`);
}, 180_000);
