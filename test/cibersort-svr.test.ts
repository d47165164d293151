// The ν-SVR core against R's own intermediate files (the tool's own code run by us: R CIBERSORT v1.04 with
// e1071 / libsvm 3.23), so that a divergence is found where it starts:
// from each case's standardised signature and first standardised sample, the dual coefficients, raw
// weights, RMSE and correlation of every ν (R: e1071 1.7-13 / libsvm 3.23, tolerance 0.001).
import { beforeAll, describe, expect, it } from "vitest";
import { CibersortEngine } from "../src/core/cibersort/engine.js";
import { coreAlgLayout } from "../src/core/kernels.js";
import { loadCore, type Core } from "../src/core/wasm.js";
import { cibersortCases, readGolden, readRefTable } from "./helpers/reference.js";

/** The ν grid as the Wasm module exports it (assembly/layout.ts). */
const NUS = coreAlgLayout((await loadCore()).x).nus;

const TOL = 1e-9; // the tolerance for CIBERSORT outputs; in practice the match is exact

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

// Cases that share X and sample 1 (the same mixture with different perm/absolute options) are fitted once.
const seen = new Set<string>();
const cases = cibersortCases().filter((c) => {
  const key = readGolden(`${c.dir}X_standardized.tsv`) + readGolden(`${c.dir}sample1_y_standardized.tsv`);
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
});

describe("ν-SVR replays libsvm: the tool's own code run by us (sample 1 of each reference case)", () => {
  for (const c of cases) {
    it(`${c.name}: dual coefficients, weights, RMSE and correlation per ν`, () => {
      const X = readRefTable(`${c.dir}X_standardized.tsv`);
      const types = X.header.slice(1);
      const G = X.rows.length;
      const T = types.length;
      const x = new Float64Array(G * T);
      X.rows.forEach((r, g) => r.slice(1).forEach((v, t) => (x[g * T + t] = Number(v))));
      const z = Float64Array.from(readRefTable(`${c.dir}sample1_y_standardized.tsv`).num("y_standardized"));
      const engine = new CibersortEngine(core, x, G, T);

      const dual = readRefTable(`${c.dir}sample1_nu_dual_coefs.tsv`);
      NUS.forEach((nu, v) => {
        const { beta, iterations } = engine.libsvmFit(z, v);
        expect(iterations).toBeGreaterThan(0);
        const ref = new Float64Array(G);
        dual.rows.forEach((row, i) => {
          if (Number(dual.col("nu")[i]) === nu) ref[Number(dual.col("sv_row")[i]) - 1] = Number(dual.col("coef")[i]);
        });
        // Support vectors are the nonzero β; both the set and the values must agree.
        const ours = Array.from(beta, (b, g) => (b !== 0 ? g : -1)).filter((g) => g >= 0);
        const theirs = Array.from(ref, (b, g) => (b !== 0 ? g : -1)).filter((g) => g >= 0);
        expect(ours).toEqual(theirs);
        for (let g = 0; g < G; g++) expect(Math.abs(beta[g] - ref[g])).toBeLessThanOrEqual(TOL);
      });

      const fit = engine.fit(z);
      const models = readRefTable(`${c.dir}sample1_nu_models.tsv`);
      const compared: number[] = [];
      models.rows.forEach((_, i) => {
        if (models.col("tolerance")[i] !== "0.001") return; // other rows are R's tighter-tolerance diagnostic
        const v = NUS.indexOf(Number(models.col("nu")[i]));
        compared.push(v);
        types.forEach((t, j) => expect(Math.abs(fit.v[v * T + j] - Number(models.col(`raw:${t}`)[i]))).toBeLessThanOrEqual(TOL));
        types.forEach((t, j) => expect(Math.abs(fit.w[v * T + j] - Number(models.col(`frac:${t}`)[i]))).toBeLessThanOrEqual(TOL));
        expect(Math.abs(fit.rmse[v] - Number(models.col("rmse")[i]))).toBeLessThanOrEqual(TOL);
        expect(Math.abs(fit.r[v] - Number(models.col("correlation")[i]))).toBeLessThanOrEqual(TOL);
        expect(fit.selected === v).toBe(models.col("selected")[i] === "1");
      });
      expect(compared).toEqual(Array.from(NUS, (_, k) => k)); // the script's tolerance: one row per ν, none filtered away
    }, 120_000);
  }
});
