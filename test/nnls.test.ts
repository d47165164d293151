// NNLS: golden against R nnls 1.4 (every nnls_* case of test/golden/reference/MANIFEST.tsv), Kuhn–Tucker
// invariants of the solution, and bad input.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { methodTableTsv } from "../src/core/formats/results.js";
import { readMatrixFile } from "../src/node/read.js";
import { makeMatrix } from "../src/core/matrix.js";
import { nnlsDeconvolve, nnlsSolver } from "../src/core/methods/nnls.js";
import { loadCore } from "../src/core/wasm.js";
import { InputError } from "../src/core/errors.js";
import { REFERENCE, dataFile, manifestCases, readRefTable } from "./helpers/reference.js";

/** MANIFEST: coefficients rel 1e-9, fractions abs 1e-10. */
const COEF_REL = 1e-9; // measured: 0 (bit-identical) on all four cases
const FRAC_ABS = 1e-10;
/** Deviance is a sum of ~500 squares of residuals: the same relative bound. */
const DEV_REL = 1e-9;

function nnlsCases(): { name: string; signature: string; input: string }[] {
  return manifestCases("nnls").map((c) => ({ name: c.name, signature: c.signature!, input: c.input }));
}

function relErr(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

describe("golden: the tool's own code run by us (R nnls 1.4, Lawson–Hanson), every MANIFEST case", () => {
  const cases = nnlsCases();
  it("finds the four MANIFEST cases", () => expect(cases.length).toBe(4));
  for (const c of cases) {
    it(c.name, async () => {
      const dir = `${REFERENCE + c.name}/`;
      const signature = readMatrixFile(c.signature, { what: "signature" });
      const mixture = readMatrixFile(c.input, { what: "mixture" });
      const genes = readRefTable(`${dir}genes.tsv`).col("gene");
      const coefRef = readRefTable(`${dir}coefficients.tsv`);
      const fracRef = readRefTable(`${dir}fractions.tsv`);
      const stats = readRefTable(`${dir}fit_stats.tsv`);
      const coefs = await nnlsDeconvolve(mixture, { signature, coefficients: true, scale: "auto" });
      const fracs = await nnlsDeconvolve(mixture, { signature, scale: "auto" });
      expect(coefs.coverage[0].found).toBe(genes.length);
      expect(coefs.values.rows).toEqual(coefRef.ids);
      const S = coefRef.ids.length;
      let worst = 0;
      signature.cols.forEach((ct, j) => {
        const want = coefRef.num(ct);
        const wantF = fracRef.num(ct);
        for (let s = 0; s < S; s++) {
          const got = coefs.values.data[s + j * S];
          if (want[s] === 0) expect(got, `${ct} ${coefRef.ids[s]}`).toBe(0);
          else worst = Math.max(worst, relErr(got, want[s]));
          expect(Math.abs(fracs.values.data[s + j * S] - wantF[s]), `${ct} ${coefRef.ids[s]}`).toBeLessThanOrEqual(FRAC_ABS);
        }
      });
      expect(worst).toBeLessThanOrEqual(COEF_REL);
      // RMSE column = sqrt(deviance / genes used)
      const rmse = coefs.values.data.subarray(signature.cols.length * S);
      const dev = stats.num("deviance");
      for (let s = 0; s < S; s++) expect(relErr(rmse[s] * rmse[s] * genes.length, dev[s])).toBeLessThanOrEqual(DEV_REL);
    });
  }
});

describe("NNLS invariants (Kuhn–Tucker conditions)", () => {
  it("x ≥ 0, gradient Aᵀ(Ax − b) = 0 where x > 0 and ≥ 0 where x = 0", async () => {
    const core = await loadCore();
    core.reset();
    // A deterministic, mildly ill-conditioned problem: 40 × 6 with correlated columns.
    const m = 40;
    const n = 6;
    const a = new Float64Array(m * n);
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < m * n; i++) a[i] = rnd() * 10;
    for (let i = 0; i < m; i++) a[i + 5 * m] = a[i] + a[i + m] * 0.5 + rnd() * 0.1;
    for (let trial = 0; trial < 20; trial++) {
      const b = Float64Array.from({ length: m }, () => rnd() * 30 - 5);
      const fit = nnlsSolver(core, a, m, n)(b);
      expect(fit.mode).toBe(1);
      const r = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i + j * m] * fit.x[j];
        r[i] = s - b[i];
      }
      let bnorm = 0;
      for (const v of b) bnorm += v * v;
      const scale = Math.sqrt(bnorm) * 10 * Math.sqrt(m);
      for (let j = 0; j < n; j++) {
        let g = 0;
        for (let i = 0; i < m; i++) g += a[i + j * m] * r[i];
        expect(fit.x[j]).toBeGreaterThanOrEqual(0);
        if (fit.x[j] > 0) expect(Math.abs(g)).toBeLessThan(1e-10 * scale);
        else expect(g).toBeGreaterThan(-1e-10 * scale);
      }
      let dev = 0;
      for (const v of r) dev += v * v;
      expect(relErr(fit.deviance, dev)).toBeLessThan(1e-9);
    }
    core.reset();
  });

  it("recovers exact non-negative mixtures and gives fractions summing to 1", async () => {
    const sig = makeMatrix(["g1", "g2", "g3", "g4"], ["A", "B"], Float64Array.from([10, 0, 5, 1, 0, 8, 2, 3]));
    // b = 0.25·A + 0.75·B
    const mix = makeMatrix(["g4", "g3", "g2", "g1", "other"], ["s"], Float64Array.from([0.25 + 2.25, 1.25 + 1.5, 6, 2.5, 99]));
    const t = await nnlsDeconvolve(mix, { signature: sig, scale: "linear" });
    expect(t.values.cols).toEqual(["A", "B", "RMSE"]);
    expect(t.values.data[0]).toBeCloseTo(0.25, 14);
    expect(t.values.data[1]).toBeCloseTo(0.75, 14);
    expect(t.values.data[2]).toBeLessThan(1e-14);
    expect(t.estimateColumns).toBe(2);
  });
});

describe("NNLS bad input", () => {
  const sig = makeMatrix(["g1", "g2", "g3"], ["A", "B"], Float64Array.from([1, 2, 3, 3, 2, 1]));
  it("negative mixture value: InputError naming gene and sample", async () => {
    const mix = makeMatrix(["g1", "g2", "g3"], ["s1", "s2"], Float64Array.from([100, 1, 1, 1, -2, 1]));
    await expect(nnlsDeconvolve(mix, { signature: sig, scale: "linear" })).rejects.toThrow(/gene "g2", sample "s2".*negative/);
    await expect(nnlsDeconvolve(mix, { signature: sig, scale: "linear" })).rejects.toBeInstanceOf(InputError);
  });
  it("too few signature genes: InputError; under half: warning with names", async () => {
    const mix = makeMatrix(["g1", "x"], ["s1"], Float64Array.from([1, 1]));
    await expect(nnlsDeconvolve(mix, { signature: sig, scale: "linear" })).rejects.toThrow(/only 1 of the 3/);
    const big = makeMatrix(["g1", "g2", "g3", "g4", "g5"], ["A", "B"], Float64Array.from([1, 2, 3, 4, 5, 5, 4, 3, 2, 1]));
    const mix2 = makeMatrix(["g1", "g2"], ["s1"], Float64Array.from([3, 3]));
    const t = await nnlsDeconvolve(mix2, { signature: big, scale: "linear" });
    expect(t.coverage[0]).toEqual({ name: "signature", found: 2, total: 5, missing: ["g3", "g4", "g5"] });
    expect(t.warnings.join("\n")).toMatch(/only 2 of 5 .*g3, g4, g5/);
  });
});

describe("cellfrac nnls", () => {
  const MIX = dataFile("cibersort_example_mixtures/ExampleMixtures_GEPs.tsv");
  const TIL10 = dataFile("til10_quantiseq/TIL10_signature.tsv");
  async function run(...argv: string[]) {
    let out = "";
    let err = "";
    const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
    return { code, out, err };
  }
  it("table to stdout equals the API; -o .json; usage exit 2; bad input exit 3 without output", async () => {
    // The core function matches names as given: so does --gene-match exact.
    const r = await run("nnls", MIX, "--signature", TIL10, "--coefficients", "--gene-match", "exact");
    expect(r.code).toBe(0);
    const api = await nnlsDeconvolve(readMatrixFile(MIX), { signature: readMatrixFile(TIL10), coefficients: true });
    expect(r.out).toBe(methodTableTsv(api));
    expect(r.out.split("\n")[0]).toBe(
      "Mixture\tB.cells\tMacrophages.M1\tMacrophages.M2\tMonocytes\tNeutrophils\tNK.cells\t" +
        "T.cells.CD4\tT.cells.CD8\tTregs\tDendritic.cells\tRMSE",
    );
    const dir = mkdtempSync(join(tmpdir(), "cellfrac-nnls-"));
    const json = join(dir, "out.json");
    expect((await run("nnls", MIX, "--signature", TIL10, "-o", json)).code).toBe(0);
    expect(JSON.parse(readFileSync(json, "utf8")).rows).toHaveLength(5);
    expect((await run("nnls")).code).toBe(2);
    expect((await run("nnls", MIX, "--scale", "cubic")).code).toBe(2);
    const bad = join(dir, "bad.tsv");
    writeFileSync(bad, "gene\ts1\nCD19\t-1\nMS4A1\t3\n");
    const sig = join(dir, "sig.tsv");
    writeFileSync(sig, "gene\tB\tT\nCD19\t5\t0\nMS4A1\t1\t2\n");
    const out = join(dir, "never.tsv");
    const e = await run("nnls", bad, "--signature", sig, "--scale", "linear", "-o", out);
    expect(e.code).toBe(3);
    expect(e.err).toMatch(/gene "CD19", sample "s1".*negative/);
    expect(existsSync(out)).toBe(false);
  });
});
