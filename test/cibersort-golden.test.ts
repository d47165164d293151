// Golden tests: every CIBERSORT case of test/golden/reference/MANIFEST.tsv — the tool's own code run by us
// (R CIBERSORT v1.04, e1071 1.7-13, preprocessCore 1.60.2, R 4.2.2, LC_COLLATE=C) — through the public
// pipeline, plus the intermediate files (genes, standardised X, preprocessed mixture, null distribution) so a
// divergence shows where it starts.
import { beforeAll, describe, expect, it } from "vitest";
import { cibersortMatrices, permutationDraws, type CibersortResult } from "../src/core/cibersort/index.js";
import { prepare } from "../src/core/cibersort/prepare.js";
import { readMatrixFile } from "../src/node/read.js";
import { column, makeMatrix, type Matrix } from "../src/core/matrix.js";
import { loadCore, type Core } from "../src/core/wasm.js";
import { cibersortCases, readRefTable, type CibersortCase } from "./helpers/reference.js";

/** The tolerance for fractions, Correlation, RMSE and absolute scores. P-values must be identical. */
const TOL = 1e-9;

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

function loadInputs(c: CibersortCase): { signature: Matrix; mixture: Matrix } {
  const signature = readMatrixFile(c.signature, { what: "signature" });
  let mixture = readMatrixFile(c.input, { what: "mixture" });
  if (c.columns) mixture = selectColumns(mixture, c.columns[0] - 1, c.columns[1]);
  return { signature, mixture };
}

function selectColumns(m: Matrix, from: number, to: number): Matrix {
  const n = m.rows.length;
  return makeMatrix(m.rows, m.cols.slice(from, to), m.data.slice(from * n, to * n), m.rowHeader);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    d = Math.max(d, Math.abs(a[i] - b[i]));
    if (Number.isNaN(d)) return Infinity;
  }
  return d;
}

/** `absolute`: the case's option (MANIFEST), which decides whether the reference has an absolute-score column. */
function expectMatchesResultTable(
  res: CibersortResult,
  ref: ReturnType<typeof readRefTable>,
  absolute: CibersortCase["absolute"],
  rows?: number[],
) {
  const idx = rows ?? ref.ids.map((_, i) => i);
  expect(res.samples).toEqual(idx.map((i) => ref.ids[i]));
  const absColumn = absolute ? [`Absolute score (${absolute})`] : [];
  expect(ref.header).toEqual(["sample", ...res.cellTypes, "P-value", "Correlation", "RMSE", ...absColumn]);
  res.cellTypes.forEach((t, j) => {
    const ours = Array.from({ length: res.samples.length }, (_, s) => res.fractions.data[j * res.samples.length + s]);
    expect(
      maxAbsDiff(
        ours,
        idx.map((i) => ref.num(t)[i]),
      ),
      t,
    ).toBeLessThanOrEqual(TOL);
  });
  expect(
    maxAbsDiff(
      res.correlation,
      idx.map((i) => ref.num("Correlation")[i]),
    ),
  ).toBeLessThanOrEqual(TOL);
  expect(
    maxAbsDiff(
      res.rmse,
      idx.map((i) => ref.num("RMSE")[i]),
    ),
  ).toBeLessThanOrEqual(TOL);
  // P-values are identical (the nearest-null rule on an identical null), 9999 without permutations.
  expect(Array.from(res.pValue)).toEqual(idx.map((i) => ref.num("P-value")[i]));
  expect(res.absMethod).toBe(absolute || undefined);
  if (absolute) {
    expect(res.absoluteScore).toBeDefined();
    expect(
      maxAbsDiff(
        res.absoluteScore!,
        idx.map((i) => ref.num(absColumn[0])[i]),
      ),
    ).toBeLessThanOrEqual(TOL);
  }
}

describe("golden: the tool's own code run by us (R CIBERSORT v1.04), every MANIFEST case", () => {
  for (const c of cibersortCases()) {
    it(`${c.name}: intermediates and results equal R`, async () => {
      const { signature, mixture } = loadInputs(c);

      const prep = prepare(core, signature, mixture, { qn: c.qn, scale: "auto" });
      expect(prep.genes).toEqual(readRefTable(`${c.dir}genes.tsv`).col("gene"));
      const X = readRefTable(`${c.dir}X_standardized.tsv`);
      const T = prep.cellTypes.length;
      const refX = new Float64Array(prep.xRowMajor.length);
      X.rows.forEach((r, g) => r.slice(1).forEach((v, t) => (refX[g * T + t] = Number(v))));
      expect(maxAbsDiff(prep.xRowMajor, refX)).toBe(0); // bit-identical standardisation
      const Y = readRefTable(`${c.dir}mixture_preprocessed.tsv`);
      const G = prep.genes.length;
      prep.samples.forEach((s, j) => {
        expect(maxAbsDiff(prep.y.subarray(j * G, (j + 1) * G), Y.num(s))).toBe(0); // anti-log and QN bit-identical
      });

      if (c.perm > 0) {
        // R's first permutation draw (set.seed + sample over the pooled mixture), value for value
        const draw = readRefTable(`${c.dir}perm1_draw.tsv`).num("value");
        expect(Array.from(permutationDraws(prep.y, G, 1, c.seed ?? 1))).toEqual(draw);
      }

      const res = await cibersortMatrices(mixture, signature, { perm: c.perm, seed: c.seed ?? 1, qn: c.qn, absolute: c.absolute }, core);
      if (c.perm > 0) {
        expect(
          maxAbsDiff(res.diagnostics.nullDistribution, readRefTable(`${c.dir}nulldist_sorted.tsv`).num("correlation")),
        ).toBeLessThanOrEqual(TOL);
      }
      const raw = readRefTable(`${c.dir}corealg_unrounded.tsv`);
      res.cellTypes.forEach((t, j) => {
        const ours = res.samples.map((_, s) => res.diagnostics.unrounded.weights[s * T + j]);
        expect(maxAbsDiff(ours, raw.num(t)), `unrounded ${t}`).toBeLessThanOrEqual(TOL);
      });
      expectMatchesResultTable(res, readRefTable(`${c.dir}result.tsv`), c.absolute);
    }, 600_000);
  }
});

describe("single-sample mixtures (R v1.04 fails on them)", () => {
  // Linear-scale cases with perm 0 and QN off: the anti-log decision and the fit of one sample do not
  // depend on the other samples, so each one-column file must reproduce its row of the full case.
  const linear = cibersortCases().filter((c) => c.perm === 0 && !c.qn && !c.absolute && /finotello|gse65133_noqn|linsley2014/.test(c.name));
  for (const c of linear) {
    it(`${c.name}: each sample alone equals its row of the full case`, async () => {
      const { signature, mixture } = loadInputs(c);
      const ref = readRefTable(`${c.dir}result.tsv`);
      const samples = mixture.cols.length > 3 ? [0, 1, mixture.cols.length - 1] : mixture.cols.map((_, i) => i);
      for (const s of samples) {
        const one = makeMatrix(mixture.rows, [mixture.cols[s]], Float64Array.from(column(mixture, s)), mixture.rowHeader);
        const res = await cibersortMatrices(one, signature, { perm: 0 }, core);
        expect(res.diagnostics.antilog).toBe(false);
        expectMatchesResultTable(res, ref, c.absolute, [s]);
      }
    }, 600_000);
  }
});
