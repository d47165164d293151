// ssGSEA against GSVA 1.46 (every ssgsea_* case of test/golden/reference/MANIFEST.tsv), the sharded
// normalisation API, and invariants (monotone transforms, set order, duplicates, empty sets).
import { describe, expect, it } from "vitest";
import { normalizeByRange, scoreRange, ssgsea, ssgseaRaw } from "../src/core/methods/ssgsea.js";
import { readMatrixFile } from "../src/node/read.js";
import { makeMatrix, selectRows, type Matrix } from "../src/core/matrix.js";
import type { GeneSet } from "../src/core/genesets.js";
import { loadGeneSets } from "../src/node/genesets.js";
import { InputError } from "../src/core/errors.js";
import { signatureScores } from "../src/core/methods/sigscore.js";
import { REFERENCE, manifestCases, readRefTable } from "./helpers/reference.js";

/**
 * The tolerance for ssGSEA: relative 1e-10 on every cell. (MANIFEST also allows absolute 1e-12
 * near 0; no cell needs it: the largest relative difference measured is 1.9e-15, a few SCAN-B cells
 * off by ulps, 0 on GSE107572.)
 */
const REL = 1e-10;

interface SsgseaCase {
  name: string;
  sets: string;
  geneColumn: string;
  input: string;
  log2p1: boolean;
  columns?: [number, number];
  normalize: boolean;
}

function ssgseaCases(): SsgseaCase[] {
  return manifestCases("ssgsea").map((c) => {
    const o = c.options;
    const cols = o["columns"];
    return {
      name: c.name,
      sets: c.signature!,
      geneColumn: o["gene column"],
      input: c.input,
      log2p1: o["input"] === "log2(x+1)",
      columns: cols && cols !== "all" ? (cols.split("-").map(Number) as [number, number]) : undefined,
      normalize: o["ssgsea.norm"] === "TRUE",
    };
  });
}

const mixtures = new Map<string, Matrix>();
function mixtureOf(c: SsgseaCase): Matrix {
  const key = `${c.input}:${c.columns}`;
  let m = mixtures.get(key);
  if (!m) {
    m = readMatrixFile(c.input);
    if (c.columns) {
      const cols = Array.from({ length: c.columns[1] - c.columns[0] + 1 }, (_, i) => c.columns![0] - 1 + i);
      m = selectRows(
        m,
        Array.from(m.rows, (_, i) => i),
        cols,
      );
    }
    mixtures.set(key, m);
  }
  return m;
}

function expectClose(got: number, want: number, what: string): void {
  const d = Math.abs(got - want);
  if (!(d <= REL * Math.abs(want))) expect.fail(`${what}: got ${got}, want ${want} (diff ${d})`);
}

describe("golden: the tool's own code run by us (GSVA 1.46 ssGSEA), rel 1e-10", () => {
  const cases = ssgseaCases();
  it("finds the 8 reference cases", () => expect(cases.length).toBe(8));
  for (const c of cases) {
    it(c.name, async () => {
      const sets = loadGeneSets(c.sets, { geneColumn: c.geneColumn });
      const res = await ssgsea.run(mixtureOf(c), { geneSets: sets, transform: c.log2p1 ? "log2p1" : "none", normalize: c.normalize });
      const ref = readRefTable(`${REFERENCE}${c.name}/scores.tsv`);
      expect(res.values.rows).toEqual(ref.ids);
      expect(res.values.cols).toEqual(ref.header.slice(1));
      const S = ref.ids.length;
      res.values.cols.forEach((set, j) => {
        const want = ref.num(set);
        for (let i = 0; i < S; i++) expectClose(res.values.data[i + j * S], want[i], `${set} / ${ref.ids[i]}`);
      });
      // Coverage as GSVA mapped it.
      const used = readRefTable(`${REFERENCE}${c.name}/genesets_used.tsv`);
      used.ids.forEach((name, i) => {
        const cov = res.coverage.find((x) => x.name === name)!;
        expect([cov.found, cov.total]).toEqual([used.num("n_present")[i], used.num("n_in_file")[i]]);
        expect(cov.missing.join(",")).toBe(used.col("genes_missing")[i] ?? "");
      });
    });
  }
});

const toy = makeMatrix(
  ["A", "B", "C", "D", "E", "F", "G", "H"],
  ["s1", "s2", "s3"],
  new Float64Array([5, 3, 3, 0, 0, 0, 8, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0, 9, 0.5, 0.5, 2, 2, 7, 3]),
);
const toySets: GeneSet[] = [
  { name: "up", genes: ["A", "G", "X"] },
  { name: "mid", genes: ["B", "C", "D"] },
  { name: "one", genes: ["H"] },
];

describe("invariants", () => {
  it("depends only on within-sample ranks: strictly monotone transforms change nothing (bit for bit)", async () => {
    const base = await ssgseaRaw(toy, { geneSets: toySets });
    const t = makeMatrix(
      toy.rows,
      toy.cols,
      toy.data.map((v) => Math.exp(v / 3) * 7 - 2),
    );
    expect(Array.from((await ssgseaRaw(t, { geneSets: toySets })).values.data)).toEqual(Array.from(base.values.data));
  });

  it("sharded raw scores normalised by the cohort range equal the unsharded run bit for bit", async () => {
    const whole = await ssgsea.run(toy, { geneSets: toySets });
    const shards = [selectRows(toy, [0, 1, 2, 3, 4, 5, 6, 7], [0, 1]), selectRows(toy, [0, 1, 2, 3, 4, 5, 6, 7], [2])];
    const raws = await Promise.all(shards.map((m) => ssgseaRaw(m, { geneSets: toySets })));
    const range = scoreRange(raws);
    const parts = raws.map((r) => normalizeByRange(r, range));
    for (let j = 0; j < 3; j++) {
      expect([parts[0].values.data[j * 2], parts[0].values.data[j * 2 + 1], parts[1].values.data[j]]).toEqual(
        Array.from(whole.values.data.subarray(j * 3, j * 3 + 3)),
      );
    }
    // Normalised scores span exactly 1 over the cohort.
    const all = Array.from(whole.values.data);
    expect(Math.max(...all) - Math.min(...all)).toBeCloseTo(1, 15);
  });

  it("set gene order does not matter; a gene listed twice counts once", async () => {
    const a = await ssgseaRaw(toy, { geneSets: [{ name: "s", genes: ["A", "G", "C"] }] });
    const b = await ssgseaRaw(toy, { geneSets: [{ name: "s", genes: ["C", "A", "G"] }] });
    expect(Array.from(b.values.data)).toEqual(Array.from(a.values.data));
    const warnings: string[] = [];
    const c = await ssgseaRaw(toy, { geneSets: [{ name: "s", genes: ["A", "G", "A", "C", "G"] }], onWarning: (w) => warnings.push(w) });
    expect(Array.from(c.values.data)).toEqual(Array.from(a.values.data));
    expect(c.coverage[0]).toEqual({ name: "s", found: 3, total: 3, missing: [] });
    expect(warnings).toEqual(['gene set "s" lists A, G more than once; each gene counts once']);
    // The plain mean shows it directly: A counted twice would give (2·5 + 8)/3 = 6 for s1, not (5 + 8)/2.
    const m = await signatureScores("mean", toy, { geneSets: [{ name: "s", genes: ["A", "A", "G"] }], onWarning: () => {} });
    expect(m.values.data[0]).toBe(6.5);
  });

  it("a set holding the top-ranked genes scores above one holding the bottom ones; ES of the full walk is bounded", async () => {
    const n = 50;
    const m = makeMatrix(
      Array.from({ length: n }, (_, i) => `g${i}`),
      ["s"],
      new Float64Array(Array.from({ length: n }, (_, i) => i)),
    );
    const top = { name: "top", genes: ["g49", "g48", "g47"] };
    const bottom = { name: "bottom", genes: ["g0", "g1", "g2"] };
    const r = await ssgseaRaw(m, { geneSets: [top, bottom] });
    expect(r.values.data[0]).toBeGreaterThan(0);
    expect(r.values.data[1]).toBeLessThan(0);
    // Σ over n steps of a difference of two CDFs lies in (−n, n).
    for (const v of r.values.data) expect(Math.abs(v)).toBeLessThan(n);
  });

  it("empty sets: left out with a warning; all empty is an InputError naming them", async () => {
    const warnings: string[] = [];
    const r = await ssgseaRaw(toy, { geneSets: [...toySets, { name: "ghost", genes: ["Q", "R"] }], onWarning: (w) => warnings.push(w) });
    expect(r.values.cols).toEqual(["up", "mid", "one"]);
    expect(warnings.join()).toMatch(/"ghost"/);
    expect(r.coverage.at(-1)).toEqual({ name: "ghost", found: 0, total: 2, missing: ["Q", "R"] });
    expect(r.coverage[0]).toEqual({ name: "up", found: 2, total: 3, missing: ["X"] });
    await expect(ssgseaRaw(toy, { geneSets: [{ name: "ghost", genes: ["Q"] }] })).rejects.toThrow(/"ghost"/);
    await expect(ssgseaRaw(toy, { geneSets: [{ name: "ghost", genes: ["Q"] }] })).rejects.toBeInstanceOf(InputError);
  });

  it("a zero range (one sample, one set) is an InputError suggesting --no-normalize", async () => {
    const one = selectRows(toy, [0, 1, 2, 3, 4, 5, 6, 7], [0]);
    await expect(ssgsea.run(one, { geneSets: [toySets[0]] })).rejects.toThrow(/--no-normalize/);
  });
});
