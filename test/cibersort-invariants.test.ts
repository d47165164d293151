// Invariants of the ν-SVR solution and of CIBERSORT's outputs that hold whatever the reference says:
// dual feasibility, libsvm's ν constraints, the KKT stopping rule, fraction bounds, determinism across runs
// and across the release (SIMD) and debug (assertions) builds, and the constant-sample path.
import { beforeAll, describe, expect, it } from "vitest";
import { CibersortEngine } from "../src/core/cibersort/engine.js";
import { coreAlgLayout } from "../src/core/kernels.js";
import { cibersortMatrices } from "../src/core/cibersort/index.js";
import { prepare } from "../src/core/cibersort/prepare.js";
import { readMatrixFile } from "../src/node/read.js";
import { makeMatrix, type Matrix } from "../src/core/matrix.js";
import { loadCore, type Core } from "../src/core/wasm.js";
import { cibersortCases } from "./helpers/reference.js";

/** The ν grid as the Wasm module exports it (assembly/layout.ts). */
const NUS = coreAlgLayout((await loadCore()).x).nus;

const C = 1; // e1071's default cost, as CIBERSORT uses it
const EPS = 1e-3; // e1071's default tolerance: libsvm stops when the maximal violating pair gap is below it
/** Σα is conserved by every pairwise update; only rounding of l additions separates it from Cνl/2. */
const SUM_TOL = 1e-9;

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

const byName = (n: string) => cibersortCases().find((c) => c.name === n)!;
// Small, fast cases with different signatures, scales and QN settings.
const CASES = ["cibersort_lm22_gse65133_qn_perm0", "cibersort_lm22_tcgaluad_qn_perm0", "cibersort_lm6_linsley2014_noqn_perm0"].map(byName);

function inputs(name: string): { signature: Matrix; mixture: Matrix } {
  const c = byName(name);
  return { signature: readMatrixFile(c.signature, { what: "signature" }), mixture: readMatrixFile(c.input, { what: "mixture" }) };
}

describe("ν-SVR solution (libsvm Solver_NU) invariants", () => {
  for (const c of CASES) {
    it(`${c.name}: 0 ≤ α ≤ C, Σα⁺ = Σα⁻ = Cνl/2, KKT gap < eps, for the first 4 samples and every ν`, () => {
      const { signature, mixture } = inputs(c.name);
      const prep = prepare(core, signature, mixture, { qn: c.qn, scale: "auto" });
      const l = prep.genes.length;
      const T = prep.cellTypes.length;
      const engine = new CibersortEngine(core, prep.xRowMajor, l, T);
      const K = new Float32Array(core.x.memory.buffer, core.x.libsvmGram(), l * l).slice(); // the solver's float kernel
      const z = new Float64Array(l);
      for (let s = 0; s < Math.min(4, prep.samples.length); s++) {
        expect(engine.standardize(prep.y.subarray(s * l, (s + 1) * l), z)).toBeGreaterThan(0);
        NUS.forEach((nu, v) => {
          const { alpha, beta, iterations } = engine.libsvmFit(z, v);
          expect(iterations).toBeGreaterThan(0); // converged before libsvm's iteration cap
          let sumP = 0;
          let sumN = 0;
          for (let i = 0; i < l; i++) {
            for (const a of [alpha[i], alpha[i + l]]) {
              expect(a).toBeGreaterThanOrEqual(0);
              expect(a).toBeLessThanOrEqual(C);
            }
            expect(beta[i]).toBe(alpha[i] - alpha[i + l]);
            sumP += alpha[i];
            sumN += alpha[i + l];
          }
          expect(Math.abs(sumP - (C * nu * l) / 2)).toBeLessThan(SUM_TOL);
          expect(Math.abs(sumN - (C * nu * l) / 2)).toBeLessThan(SUM_TOL);
          // Residuals r_i = z_i − Σ_j β_j K_ij; libsvm's gradient is −r_i for α⁺_i and r_i for α⁻_i. Each side's
          // maximal violating pair: max r over variables that may move up minus min r over those that may move down.
          let upP = -Infinity,
            lowP = Infinity,
            upN = -Infinity,
            lowN = Infinity;
          for (let i = 0; i < l; i++) {
            let f = 0;
            for (let j = 0; j < l; j++) f += beta[j] * K[i * l + j];
            const r = z[i] - f;
            if (alpha[i] < C) upP = Math.max(upP, r);
            if (alpha[i] > 0) lowP = Math.min(lowP, r);
            if (alpha[i + l] > 0) upN = Math.max(upN, r);
            if (alpha[i + l] < C) lowN = Math.min(lowN, r);
          }
          expect(upP - lowP).toBeLessThan(EPS);
          expect(upN - lowN).toBeLessThan(EPS);
        });
      }
    }, 60_000);
  }
});

describe("CIBERSORT output invariants and determinism", () => {
  it("relative fractions are ≥ 0 and sum to 1; P-values in [0, 1]; ν on the grid", async () => {
    const { signature, mixture } = inputs("cibersort_lm22_gse65133_qn_perm0");
    const res = await cibersortMatrices(mixture, signature, { perm: 20, seed: 3 }, core);
    const S = res.samples.length;
    for (let s = 0; s < S; s++) {
      let sum = 0;
      for (let t = 0; t < res.cellTypes.length; t++) {
        const f = res.fractions.data[t * S + s];
        expect(f).toBeGreaterThanOrEqual(0);
        sum += f;
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-13); // 22 values each rounded to 15 significant digits
      expect(res.pValue[s]).toBeGreaterThanOrEqual(0);
      expect(res.pValue[s]).toBeLessThanOrEqual(1);
      expect(NUS).toContain(res.diagnostics.nu[s]);
    }
  }, 60_000);

  it("two runs, and the release (SIMD) and debug (assertions on) builds, give the same bits", async () => {
    const { signature, mixture } = inputs("cibersort_lm6_linsley2014_noqn_perm0");
    const opts = { perm: 30, seed: 11, absolute: "sig.score" as const };
    const a = await cibersortMatrices(mixture, signature, opts, core);
    const b = await cibersortMatrices(mixture, signature, opts, await loadCore());
    const d = await cibersortMatrices(mixture, signature, opts, await loadCore("debug"));
    for (const other of [b, d]) {
      expect(other.fractions.data).toEqual(a.fractions.data);
      expect(other.pValue).toEqual(a.pValue);
      expect(other.correlation).toEqual(a.correlation);
      expect(other.rmse).toEqual(a.rmse);
      expect(other.absoluteScore).toEqual(a.absoluteScore);
      expect(other.diagnostics.iterations).toEqual(a.diagnostics.iterations);
      expect(other.diagnostics.nullDistribution).toEqual(a.diagnostics.nullDistribution);
    }
  }, 120_000);

  it("a constant sample gets a NaN row and a warning naming it; the other samples are unchanged", async () => {
    const { signature, mixture } = inputs("cibersort_lm6_linsley2014_noqn_perm0");
    const n = mixture.rows.length;
    const cols = [...mixture.cols.slice(0, 3), "flat"];
    const data = new Float64Array(n * 4);
    data.set(mixture.data.subarray(0, 3 * n));
    data.fill(5, 3 * n);
    const withFlat = makeMatrix(mixture.rows, cols, data, mixture.rowHeader);
    const base = await cibersortMatrices(
      makeMatrix(mixture.rows, cols.slice(0, 3), data.slice(0, 3 * n)),
      signature,
      { perm: 0, scale: "linear" },
      core,
    );
    const res = await cibersortMatrices(withFlat, signature, { perm: 0, scale: "linear" }, core);
    const T = res.cellTypes.length;
    for (let t = 0; t < T; t++) {
      expect(res.fractions.data[t * 4 + 3]).toBeNaN();
      for (let s = 0; s < 3; s++) expect(res.fractions.data[t * 4 + s]).toBe(base.fractions.data[t * 3 + s]);
    }
    expect(res.correlation[3]).toBeNaN();
    expect(res.warnings.some((w) => w.includes('"flat"') && w.includes("constant"))).toBe(true);
  }, 60_000);
});
