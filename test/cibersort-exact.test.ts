// --solver exact: the Wasm kernel's ν-SVR optimum (assembly/svr-exact.ts through CibersortEngine.exactFit)
// against the dense-QP optimum in test/golden/reference (sample1_exact_optimum.tsv), with the duality gap
// recomputed here from the problem data; the SIMD (release) and scalar (debug) builds give the same bits.
import { describe, expect, it } from "vitest";
import { CibersortEngine } from "../src/core/cibersort/engine.js";
import { coreAlgLayout } from "../src/core/kernels.js";
import { loadCore, type CoreFlavor } from "../src/core/wasm.js";
import { REFERENCE, readGolden } from "./helpers/reference.js";

/** The ν grid as the Wasm module exports it (assembly/layout.ts). */
const NUS = coreAlgLayout((await loadCore()).x).nus;

const CASES = [
  "cibersort_lm22_examplemix_noqn_perm0",
  "cibersort_lm22_finotello2019_noqn_perm0",
  "cibersort_lm22_gse65133_noqn_perm0",
  "cibersort_lm22_linsley2014_noqn_perm0",
  "cibersort_lm22_scanb60_noqn_perm100_seed7",
  "cibersort_lm22_tcgaluad_noqn_perm100_seed42",
  "cibersort_lm22_tcgaluad_qn_perm0",
];
/** Brief: w within 1e-7 of the dense QP; gap ≤ 1e-9. b, ε share the reference's own rounding (~1e-10). */
const W_TOL = 1e-7;
const GAP_TOL = 1e-9;
/** Feasibility of the returned dual point (equalities hold to rounding of ~G terms). */
const FEAS_TOL = 1e-9;

function rows(dir: string, file: string): string[][] {
  return readGolden(`${REFERENCE}${dir}/${file}`)
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split("\t"));
}

const engine = async (x: Float64Array, G: number, T: number, flavor: CoreFlavor = "release") =>
  new CibersortEngine(await loadCore(flavor), x, G, T, "exact");

describe.each(CASES)("%s: vs R quadprog's dense-QP optimum of sample 1 (sample1_exact_optimum.tsv)", (dir) => {
  const X = rows(dir, "X_standardized.tsv").map((r) => r.slice(1).map(Number));
  const z = Float64Array.from(rows(dir, "sample1_y_standardized.tsv").map((r) => Number(r[r.length - 1])));
  const G = X.length,
    T = X[0].length;
  const x = Float64Array.from(X.flat());
  it.each(rows(dir, "sample1_exact_optimum.tsv"))("ν = %s", async (nuS, bS, epsS, objS, ...wS) => {
    const nu = Number(nuS);
    const f = (await engine(x, G, T)).exactFit(z, nu);
    expect(f.iterations).toBeGreaterThan(0); // certified KKT point, not the fallback
    for (let k = 0; k < T; k++) expect(Math.abs(f.w[k] - Number(wS[k]))).toBeLessThanOrEqual(W_TOL);
    expect(Math.abs(f.b - Number(bS))).toBeLessThanOrEqual(W_TOL);
    expect(Math.abs(f.epsilon - Number(epsS))).toBeLessThanOrEqual(W_TOL);
    // Independent gap: primal P(w, b, ε) vs dual D(β) = zᵀβ − ½‖Xᵀβ‖² at a feasible β.
    let sb = 0,
      sa = 0;
    const xb = new Float64Array(T);
    let zb = 0;
    for (let g = 0; g < G; g++) {
      expect(Math.abs(f.beta[g])).toBeLessThanOrEqual(1 + FEAS_TOL);
      sb += f.beta[g];
      sa += Math.abs(f.beta[g]);
      zb += z[g] * f.beta[g];
      for (let k = 0; k < T; k++) xb[k] += X[g][k] * f.beta[g];
    }
    expect(Math.abs(sb)).toBeLessThanOrEqual(FEAS_TOL * G);
    expect(Math.abs(sa - nu * G)).toBeLessThanOrEqual(FEAS_TOL * G);
    let p = nu * G * f.epsilon,
      d = zb;
    for (let k = 0; k < T; k++) {
      p += 0.5 * f.w[k] * f.w[k];
      d -= 0.5 * xb[k] * xb[k];
    }
    for (let g = 0; g < G; g++) {
      let r = f.b - z[g];
      for (let k = 0; k < T; k++) r += X[g][k] * f.w[k];
      p += Math.max(0, Math.abs(r) - f.epsilon);
    }
    expect(p - d).toBeGreaterThanOrEqual(-GAP_TOL); // weak duality (sanity of the formulas)
    expect(p - d).toBeLessThanOrEqual(GAP_TOL);
    expect(Math.abs(p - Number(objS))).toBeLessThanOrEqual(GAP_TOL);
    expect(Math.abs(f.gap - (p - d))).toBeLessThanOrEqual(GAP_TOL); // the kernel's own certificate
  });

  it("release (SIMD) and debug (scalar) builds: the same bits for every ν and the CoreAlg block", async () => {
    const [rel, dbg] = [await engine(x, G, T), await engine(x, G, T, "debug")];
    for (const nu of NUS) {
      const a = rel.exactFit(z, nu),
        b = dbg.exactFit(z, nu);
      expect(Array.from(a.w)).toEqual(Array.from(b.w));
      expect(Array.from(a.beta)).toEqual(Array.from(b.beta));
      expect([a.b, a.epsilon, a.objective, a.iterations]).toEqual([b.b, b.epsilon, b.objective, b.iterations]);
    }
    const fa = rel.fit(z),
      fb = dbg.fit(z);
    expect(Array.from(fa.w)).toEqual(Array.from(fb.w));
    expect(Array.from(fa.rmse)).toEqual(Array.from(fb.rmse));
    expect(Array.from(fa.r)).toEqual(Array.from(fb.r));
  });

  it("CoreAlg on the exact optimum: v = w per ν, clip and normalise, RMSE, r, first minimum RMSE", async () => {
    const e = await engine(x, G, T);
    const f = e.fit(z);
    let best = Infinity,
      sel = -1;
    NUS.forEach((nu, j) => {
      const v = e.exactFit(z, nu).w;
      expect(Array.from(f.v.subarray(j * T, (j + 1) * T))).toEqual(Array.from(v));
      const pos = Array.from(v, (a) => Math.max(a, 0));
      const s = pos.reduce((a, b) => a + b, 0);
      const w = pos.map((a) => a / s);
      for (let t = 0; t < T; t++) expect(Math.abs(f.w[j * T + t] - w[t])).toBeLessThanOrEqual(1e-15);
      const k = X.map((row) => row.reduce((a, xv, t) => a + xv * w[t], 0));
      const rmse = Math.sqrt(k.reduce((a, kg, g) => a + (kg - z[g]) ** 2, 0) / G);
      const mk = k.reduce((a, b) => a + b, 0) / G,
        mz = z.reduce((a, b) => a + b, 0) / G;
      let sxy = 0,
        sxx = 0,
        syy = 0;
      for (let g = 0; g < G; g++) {
        sxy += (k[g] - mk) * (z[g] - mz);
        sxx += (k[g] - mk) ** 2;
        syy += (z[g] - mz) ** 2;
      }
      expect(Math.abs(f.rmse[j] - rmse)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(f.r[j] - sxy / Math.sqrt(sxx * syy))).toBeLessThanOrEqual(1e-12);
      expect(f.iterations[j]).toBeGreaterThan(0);
      if (f.rmse[j] < best) {
        best = f.rmse[j];
        sel = j;
      }
    });
    expect(f.selected).toBe(sel);
  });
});

// A target that is an exact combination of signature columns: the optimum has ε = 0 with every gene on
// the tube, no face to solve; the interior point is returned, certified by its duality gap alone.
describe("degenerate optimum (z = 2·x₀ − x₁, ε* = 0)", () => {
  const dir = "cibersort_lm22_scanb60_noqn_perm100_seed7";
  const X = rows(dir, "X_standardized.tsv").map((r) => r.slice(1).map(Number));
  const G = X.length,
    T = X[0].length;
  const z = Float64Array.from(X, (r) => 2 * r[0] - r[1]);
  it.each([...NUS])("ν = %s: gap ≤ 1e-9 recomputed here, β feasible", async (nu) => {
    const f = (await engine(Float64Array.from(X.flat()), G, T)).exactFit(z, nu);
    expect(f.iterations).toBeGreaterThan(0);
    let sb = 0,
      sa = 0,
      zb = 0;
    const xb = new Float64Array(T);
    for (let g = 0; g < G; g++) {
      expect(Math.abs(f.beta[g])).toBeLessThanOrEqual(1);
      sb += f.beta[g];
      sa += Math.abs(f.beta[g]);
      zb += z[g] * f.beta[g];
      for (let k = 0; k < T; k++) xb[k] += X[g][k] * f.beta[g];
    }
    expect(Math.abs(sb)).toBeLessThanOrEqual(FEAS_TOL * G);
    expect(sa).toBeLessThanOrEqual(nu * G + FEAS_TOL * G);
    const eps = Math.max(f.epsilon, 0); // the primal's ε ≥ 0
    let p = nu * G * eps,
      d = zb;
    for (let k = 0; k < T; k++) {
      p += 0.5 * f.w[k] * f.w[k];
      d -= 0.5 * xb[k] * xb[k];
    }
    for (let g = 0; g < G; g++) {
      let r = f.b - z[g];
      for (let k = 0; k < T; k++) r += X[g][k] * f.w[k];
      p += Math.max(0, Math.abs(r) - eps);
    }
    expect(p - d).toBeGreaterThanOrEqual(-GAP_TOL);
    expect(p - d).toBeLessThanOrEqual(GAP_TOL);
  });
});

// Whole cases through CibersortEngine with solver "exact" against exact_optimum_all.tsv: the dense-QP optimum of
// every sample's three problems (R quadprog, accuracy ~1e-10) followed by CIBERSORT's own post-processing.
/** Same bound as the per-ν optimum above. */
const WHOLE_TOL = 1e-7;
/** Below this RMSE margin the ν choice is a tie the QP's own accuracy cannot settle (README of the reference). */
const NU_TIE = 1e-9;
const WHOLE = ["cibersort_lm22_examplemix_qn_perm0", "cibersort_lm22_tcgaluad_noqn_perm100_seed42"];
describe("whole cases, engine solver exact, vs the dense-QP optimum of every sample (exact_optimum_all.tsv)", () => {
  it.each(WHOLE)("%s: fractions, Correlation, RMSE and the chosen ν within 1e-7", async (dir) => {
    const X = rows(dir, "X_standardized.tsv").map((r) => r.slice(1).map(Number));
    const G = X.length,
      T = X[0].length;
    const eng = await engine(Float64Array.from(X.flat()), G, T);
    const mix = rows(dir, "mixture_preprocessed.tsv");
    const head = readGolden(`${REFERENCE}${dir}/exact_optimum_all.tsv`).split("\n")[0].split("\t");
    const col = (name: string) => head.indexOf(name);
    const want = rows(dir, "exact_optimum_all.tsv");
    expect(mix.length).toBe(G);
    expect(head.slice(1, T + 1)).toEqual(readGolden(`${REFERENCE}${dir}/X_standardized.tsv`).split("\n")[0].split("\t").slice(1));
    const z = new Float64Array(G);
    let compared = 0;
    want.forEach((w, s) => {
      eng.standardize(
        Float64Array.from(mix, (r) => Number(r[s + 1])),
        z,
      );
      const f = eng.fit(z);
      for (const it of f.iterations) expect(it).toBeGreaterThan(0); // every ν certified
      if (Number(w[col("rmse_margin")]) < NU_TIE) return;
      compared++;
      expect(NUS[f.selected], w[0]).toBe(Number(w[col("nu")]));
      for (let t = 0; t < T; t++)
        expect(Math.abs(f.w[f.selected * T + t] - Number(w[t + 1])), `${w[0]} ${head[t + 1]}`).toBeLessThanOrEqual(WHOLE_TOL);
      expect(Math.abs(f.r[f.selected] - Number(w[col("Correlation")])), w[0]).toBeLessThanOrEqual(WHOLE_TOL);
      expect(Math.abs(f.rmse[f.selected] - Number(w[col("RMSE")])), w[0]).toBeLessThanOrEqual(WHOLE_TOL);
    });
    expect(compared).toBeGreaterThan(0);
  });
});
