// compare: figures against R's cor()/sqrt(mean())/max(abs())/mean() on small tables written by
// test/fixtures/make-compare.R, orientation and percentage detection, lineage sums, errors, and our
// CIBERSORT (LM6 on GSE60424, the fastest R case) against R's CIBERSORT-Results.txt through the CLI.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { agreement, compareTables, parseTable, ranks, type CompareReport } from "../src/core/compare.js";
import { readTable } from "../src/node/compare.js";
import { InputError } from "../src/core/errors.js";
import { cibersort, cibersortTable, toResultsJSON, toResultsTable } from "../src/node/index.js";
import { cibersortCases, golden, readRefTable } from "./helpers/reference.js";

const FIX = new URL("./fixtures/compare/", import.meta.url).pathname;
const expected = readRefTable(FIX + "expected.tsv");
/** R's value for (case, cell type, column). */
function r(kase: string, cellType: string, col: string): number {
  const i = expected.rows.findIndex((row) => row[0] === kase && row[1] === cellType);
  expect(i).toBeGreaterThanOrEqual(0);
  return Number(expected.rows[i][expected.header.indexOf(col)]);
}
/** R's two-pass sums differ from ours by a few ulps at most. */
const TOL = 1e-14;

function expectLikeR(rep: CompareReport, kase: string) {
  for (const s of rep.cellTypes) {
    expect(s.n).toBe(6);
    expect(s.pearson).toBeCloseTo(r(kase, s.cellType, "pearson"), 14);
    expect(Math.abs(s.spearman - r(kase, s.cellType, "spearman"))).toBeLessThan(TOL);
    expect(Math.abs(s.rmse - r(kase, s.cellType, "rmse"))).toBeLessThan(TOL);
    expect(Math.abs(s.maxAbsDiff - r(kase, s.cellType, "max_abs"))).toBeLessThan(TOL);
    expect(Math.abs(s.bias - r(kase, s.cellType, "bias"))).toBeLessThan(TOL);
  }
  expect(Math.abs(rep.overall.pooledPearson - r(kase, "(pooled)", "pearson"))).toBeLessThan(TOL);
  expect(Math.abs(rep.overall.pooledSpearman - r(kase, "(pooled)", "spearman"))).toBeLessThan(TOL);
  expect(Math.abs(rep.overall.bias - r(kase, "(pooled)", "bias"))).toBeLessThan(TOL);
}

describe("agreement figures", () => {
  it("hand-checkable: y = 2x gives r = ρ = 1, RMSE = sqrt(mean(x²)), bias = −mean(x)", () => {
    const a = agreement([1, 2, 3], [2, 4, 6]);
    expect(a.pearson).toBeCloseTo(1, 15);
    expect(a.spearman).toBe(1);
    expect(a.rmse).toBeCloseTo(Math.sqrt(14 / 3), 15);
    expect(a.maxAbsDiff).toBe(3);
    expect(a.bias).toBe(-2);
    expect(Number.isNaN(agreement([1, 1, 1], [1, 2, 3]).pearson)).toBe(true);
  });

  it("ranks ties by their average (R rank default)", () => {
    expect(ranks([10, 20, 10, 5])).toEqual([2.5, 4, 2.5, 1]);
  });
});

describe("compareTables", () => {
  it("exact names, transposed reference: equals R and says which orientation", () => {
    const rep = compareTables(readTable(FIX + "exact-result.tsv"), readTable(FIX + "exact-truth.tsv"));
    expect(rep.reference.orientation).toBe("cell types × samples");
    expect(rep.matching).toBe("exact");
    expect(rep.result.ignored).toEqual(["P-value", "RMSE"]);
    expect(rep.result.scale).toBe("fractions");
    expect(rep.cellTypes.map((s) => s.cellType)).toEqual(["A", "B", "C"]);
    expectLikeR(rep, "exact");
  });

  it("lineages: sums LM22-like subtypes, reads a percent truth, equals R", () => {
    const rep = compareTables(readTable(FIX + "lineage-result.tsv"), readTable(FIX + "lineage-truth.tsv"));
    expect(rep.reference.orientation).toBe("samples × cell types");
    expect(rep.reference.percent).toBe(true);
    expect(rep.matching).toBe("lineage");
    expect(rep.cellTypes.map((s) => [s.cellType, s.resultColumns, s.referenceColumns])).toEqual([
      ["B", ["B cells naive", "B cells memory"], ["B.cells"]],
      ["NK", ["NK cells resting", "NK cells activated"], ["NK.cells"]],
    ]);
    expect(rep.notCompared).toEqual({ result: ["Macrophages M0"], reference: ["Monocytes"] });
    expectLikeR(rep, "lineage");
  });

  it("a lineage is not compared where one side holds it only inside a coarser column", () => {
    const res = parseTable("Mixture\tB cells naive\tB cells memory\tT cells CD8\nx\t0.1\t0.2\t0.7\ny\t0.3\t0.1\t0.6\n", "res");
    const truth = parseTable("sample\tLymphocytes\tNeutrophils\nx\t0.9\t0.1\ny\t0.8\t0.2\n", "truth");
    const rep = compareTables(res, truth);
    expect(rep.cellTypes.map((s) => s.cellType)).toEqual(["lymphocytes"]);
    expect(rep.cellTypes[0].resultColumns).toEqual(["B cells naive", "B cells memory", "T cells CD8"]);
  });

  it("reads a method table's JSON (rows keyed by the first column's header; null = missing)", () => {
    const t = parseTable(JSON.stringify({ method: "x", columns: ["A", "RMSE"], rows: [{ Mixture: "s1", A: 0.5, RMSE: 1 }, { Mixture: "s2", A: null, RMSE: 2 }] }), "t.json");
    expect(t.rows).toEqual(["s1", "s2"]);
    expect(t.cols).toEqual(["A", "RMSE"]);
    expect(Array.from(t.data)).toEqual([0.5, 1, NaN, 2]);
    expect(() => parseTable("{ not json", "bad.json")).toThrow(InputError);
  });

  it("drops samples missing on either side and reports them", () => {
    const res = parseTable("Mixture\tA\tB\nx\t1\t2\ny\t2\t1\nz\t3\t3\n", "res");
    const ref = parseTable("sample\tA\tB\ny\t2\t1\nx\t1\t2\nw\t0\t0\n", "ref");
    const rep = compareTables(res, ref);
    expect(rep.samples).toEqual(["y", "x"]);
    expect(rep.onlyInResult).toEqual(["z"]);
    expect(rep.onlyInReference).toEqual(["w"]);
    expect(rep.cellTypes[0].maxAbsDiff).toBe(0);
    expect(rep.result.scale).toBe("scores");
  });

  it("no shared samples / cell types: InputError naming what each side has", () => {
    const res = parseTable("Mixture\tA\tB\nx\t1\t2\ny\t2\t1\n", "res");
    expect(() => compareTables(res, parseTable("sample\tA\tB\np\t1\t2\nq\t2\t1\n", "ref"))).toThrow(InputError);
    expect(() => compareTables(res, parseTable("sample\tA\tB\np\t1\t2\nq\t2\t1\n", "ref"))).toThrow(/no shared samples: the result has x, y; the reference has rows p, q and columns A, B/);
    expect(() => compareTables(res, parseTable("sample\tC\tD\nx\t1\t2\ny\t2\t1\n", "ref"))).toThrow(/no shared cell types.*result has A, B; the reference has C, D/);
  });
});

describe("cellfrac compare", () => {
  it("our CIBERSORT vs R's CIBERSORT-Results.txt: r = 1, max |Δ| < 1e-9 on every cell type", async () => {
    const c = cibersortCases().find((x) => x.name === "cibersort_lm6_linsley2014_noqn_perm0")!;
    const res = await cibersort(c.input, { signature: c.signature, perm: 0, threads: 1 });
    expect(cibersortTable(res).estimateColumns).toBe(6);
    const tmp = mkdtempSync(join(tmpdir(), "cellfrac-compare-"));
    writeFileSync(join(tmp, "ours.tsv"), toResultsTable(res));
    let out = "";
    const code = await main(["compare", join(tmp, "ours.tsv"), golden(c.dir + "CIBERSORT-Results.txt"), "--json"], { stdout: (s) => (out += s), stderr: () => {}, isTTY: false });
    expect(code).toBe(0);
    const rep = JSON.parse(out) as CompareReport;
    expect(rep.matching).toBe("exact");
    expect(rep.samples).toHaveLength(5);
    const compared = rep.cellTypes.filter((s) => s.pearson !== null);
    expect(rep.cellTypes).toHaveLength(6);
    // A type at 0 in all 5 samples would be constant on both sides: r undefined (null).
    for (const s of compared) expect(s.pearson).toBeCloseTo(1, 12);
    expect(compared.length).toBeGreaterThanOrEqual(5);
    expect(rep.overall.maxAbsDiff).toBeLessThan(1e-9);
    expect(rep.overall.pooledPearson).toBeCloseTo(1, 12);
    // The JSON output reads back to the same numbers.
    writeFileSync(join(tmp, "ours.json"), toResultsJSON(res));
    const fromJson = compareTables(readTable(join(tmp, "ours.json")), readTable(join(tmp, "ours.tsv")));
    expect(fromJson.matching).toBe("exact");
    expect(fromJson.overall.n).toBe(30);
    expect(fromJson.overall.maxAbsDiff).toBe(0);
  }, 30_000);

  it("writes TSV with -o and exits 3 on bad input", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "cellfrac-compare-"));
    const io = { stdout: () => {}, stderr: () => {}, isTTY: false };
    expect(await main(["compare", FIX + "exact-result.tsv", FIX + "exact-truth.tsv", "-o", join(tmp, "c.tsv")], io)).toBe(0);
    const lines = readFileSync(join(tmp, "c.tsv"), "utf8").trim().split("\n");
    expect(lines[0].split("\t").slice(0, 4)).toEqual(["cell_type", "n", "pearson", "spearman"]);
    expect(lines.map((l) => l.split("\t")[0])).toEqual(["cell_type", "A", "B", "C", "(overall)"]);
    writeFileSync(join(tmp, "other.tsv"), "sample\tX\tY\ns1\t1\t2\ns2\t2\t1\n");
    expect(await main(["compare", FIX + "exact-result.tsv", join(tmp, "other.tsv")], io)).toBe(3);
    expect(await main(["compare", FIX + "exact-result.tsv"], io)).toBe(2);
  });
});
