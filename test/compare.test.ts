// compare: figures against R's cor()/sqrt(mean())/max(abs())/mean() on small tables written by
// test/fixtures/make-compare.R, orientation and percentage detection, lineage sums, errors, and our
// CIBERSORT (LM6 on GSE60424, the fastest R case) against R's CIBERSORT-Results.txt through the CLI.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { agreement, cellTypeKey, compareTables, type NamedTable, parseTable, ranks, type CompareReport } from "../src/core/compare.js";
import { readTable } from "../src/node/compare.js";
import { InputError } from "../src/core/errors.js";
import { cibersort, cibersortTable, toResultsJSON, toResultsTable } from "../src/node/index.js";
import { cibersortCases, golden, readRefTable } from "./helpers/reference.js";

const FIX = new URL("./fixtures/compare/", import.meta.url).pathname;
const expected = readRefTable(`${FIX}expected.tsv`);
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
    const rep = compareTables(readTable(`${FIX}exact-result.tsv`), readTable(`${FIX}exact-truth.tsv`));
    expect(rep.reference.orientation).toBe("cell types × samples");
    expect(rep.matching).toBe("exact");
    expect(rep.result.ignored).toEqual(["P-value", "RMSE"]);
    expect(rep.result.scale).toBe("fractions");
    expect(rep.cellTypes.map((s) => s.cellType)).toEqual(["A", "B", "C"]);
    expectLikeR(rep, "exact");
  });

  it("lineages: sums LM22-like subtypes, reads a percent truth, equals R", () => {
    const rep = compareTables(readTable(`${FIX}lineage-result.tsv`), readTable(`${FIX}lineage-truth.tsv`));
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
    const t = parseTable(
      JSON.stringify({
        method: "x",
        columns: ["A", "RMSE"],
        rows: [
          { Mixture: "s1", A: 0.5, RMSE: 1 },
          { Mixture: "s2", A: null, RMSE: 2 },
        ],
      }),
      "t.json",
    );
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
    expect(() => compareTables(res, parseTable("sample\tA\tB\np\t1\t2\nq\t2\t1\n", "ref"))).toThrow(
      /no shared samples: the result has x, y; the reference has rows p, q and columns A, B/,
    );
    expect(() => compareTables(res, parseTable("sample\tC\tD\nx\t1\t2\ny\t2\t1\n", "ref"))).toThrow(
      /no shared cell types.*result has A, B; the reference has C, D/,
    );
  });
});

describe("cellfrac compare", () => {
  it("our CIBERSORT vs R's CIBERSORT-Results.txt: r = 1, max |Δ| < 1e-9 on every cell type", async () => {
    const c = cibersortCases().find((x) => x.name === "cibersort_lm6_linsley2014_noqn_perm0")!;
    // Names as given, as R's CIBERSORT matches them (GSE60424 names some LM6 genes by newer symbols).
    const res = await cibersort(c.input, { signature: c.signature, perm: 0, threads: 1, geneMatch: "exact" });
    expect(cibersortTable(res).estimateColumns).toBe(6);
    const tmp = mkdtempSync(join(tmpdir(), "cellfrac-compare-"));
    writeFileSync(join(tmp, "ours.tsv"), toResultsTable(res));
    let out = "";
    const code = await main(["compare", join(tmp, "ours.tsv"), golden(`${c.dir}CIBERSORT-Results.txt`), "--json"], {
      stdout: (s) => (out += s),
      stderr: () => {},
      isTTY: false,
    });
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
    expect(await main(["compare", `${FIX}exact-result.tsv`, `${FIX}exact-truth.tsv`, "-o", join(tmp, "c.tsv")], io)).toBe(0);
    const lines = readFileSync(join(tmp, "c.tsv"), "utf8").trim().split("\n");
    expect(lines[0].split("\t").slice(0, 4)).toEqual(["cell_type", "n", "pearson", "spearman"]);
    expect(lines.map((l) => l.split("\t")[0])).toEqual(["cell_type", "A", "B", "C", "(overall)"]);
    writeFileSync(join(tmp, "other.tsv"), "sample\tX\tY\ns1\t1\t2\ns2\t2\t1\n");
    expect(await main(["compare", `${FIX}exact-result.tsv`, join(tmp, "other.tsv")], io)).toBe(3);
    expect(await main(["compare", `${FIX}exact-result.tsv`], io)).toBe(2);
  });
});

describe("compare speaks the truth tables' vocabularies (real flow-cytometry tables)", () => {
  const TRUTH = `${FIX}truth/`;
  /** R's CIBERSORT (LM22) on GSE65133: the result every case compares. */
  const result = () => readTable(golden("reference/cibersort_lm22_gse65133_noqn_perm0/result.tsv"));
  const flow = () => readTable(`${TRUTH}GSE65133_flow_cytometry_9types_percent.tsv`);
  const respell = (t: NamedTable, names: Record<string, string>): NamedTable => ({ ...t, cols: t.cols.map((c) => names[c] ?? c) });
  /** A copy of `t` with a parent column: the sum of `of` in every row. */
  const withParent = (t: NamedTable, name: string, of: string[]): NamedTable => {
    const C = t.cols.length;
    const data = new Float64Array(t.rows.length * (C + 1));
    t.rows.forEach((_, r) => {
      for (let c = 0; c < C; c++) data[r * (C + 1) + c] = t.data[r * C + c];
      data[r * (C + 1) + C] = of.reduce((s, o) => s + t.data[r * C + t.cols.indexOf(o)], 0);
    });
    return { ...t, cols: [...t.cols, name], data };
  };
  const stats = (rep: CompareReport) => rep.cellTypes.map((s) => [s.cellType, s.n, s.pearson, s.rmse, s.bias]);

  it("normalises case, punctuation, plurals, '+', glued words and word order", () => {
    for (const n of ["CD8+ T cells", "T.cells.CD8", "CD8Tcells", "T_cells_CD8", "CD8_Tcells", "cd8 t-cell", "CD8 T"]) {
      expect(cellTypeKey(n)).toBe("cd8 t");
    }
    expect(cellTypeKey("Bcells")).toBe(cellTypeKey("B cells"));
    expect(cellTypeKey("NKcells")).toBe(cellTypeKey("NK.cells"));
    expect(cellTypeKey("CD4Tcells")).not.toBe(cellTypeKey("CD8Tcells"));
  });

  it("the same flow table under other tools' spellings gives the same comparison", () => {
    const names = {
      "Naive B cells": "B.cells.naive",
      "Memory B cells": "B_cells_memory",
      "CD8 T-cells": "CD8Tcells",
      "NK cells": "NKcells",
      "Gamma delta T-cells": "gamma delta T cells",
      Monos: "monocytes",
    };
    const asIs = compareTables(result(), flow());
    const respelled = compareTables(result(), respell(flow(), names));
    expect(asIs.cellTypes.map((s) => s.cellType)).toContain("CD8 T");
    expect(stats(respelled)).toEqual(stats(asIs));
    expect(respelled.unknown).toEqual([]);
  });

  it("TOAST's collapsed truth (Bcells, CD8T, CD4T, NKcells, Monos) compares every column", () => {
    const rep = compareTables(result(), readTable(`${TRUTH}GSE65133_groundtruth_5types_TOAST.tsv`));
    expect(rep.notCompared.reference).toEqual([]);
    expect(rep.cellTypes.map((s) => s.cellType)).toEqual(["B", "CD4 T", "CD8 T", "NK", "monocytes"]);
  });

  it("a parent column (T cells beside its subsets) is its own lineage, never summed with them", () => {
    const cd4 = ["CD4 naive T-cells", "CD4 memory T-cells resting", "CD4 memory T-cells activated"];
    const tSubsets = ["CD8 T-cells", ...cd4, "Gamma delta T-cells"];
    const nested = respell(withParent(flow(), "T.cells", tSubsets), { "CD8 T-cells": "CD8Tcells" });
    const rep = compareTables(result(), nested);
    // Rows sum to about 200 with the parent: still read as percentages.
    expect(rep.reference.percent).toBe(true);
    const t = rep.cellTypes.find((s) => s.cellType === "T")!;
    expect(t.referenceColumns).toEqual(["T.cells"]);
    expect(t.resultColumns).toHaveLength(7); // every LM22 T-cell type
    // The subsets are still compared, each as its own lineage, exactly as without the parent.
    const flat = compareTables(result(), flow(), { by: "lineage" });
    const only = (r: CompareReport, name: string) => stats({ ...r, cellTypes: r.cellTypes.filter((x) => x.cellType === name) });
    for (const s of flat.cellTypes) expect(only(rep, s.cellType)).toEqual(only(flat, s.cellType));
    // T alone: as a truth with only the parent column (where the subsets cannot be seen).
    const parentOnly = compareTables(result(), withParent(flow(), "T cells", tSubsets), { by: "lineage" });
    expect(only(parentOnly, "T")).toEqual(only(rep, "T"));
  });

  it("Lymphocytes beside its subsets is a parent too", () => {
    const t = ["CD8 T-cells", "CD4 naive T-cells", "CD4 memory T-cells resting", "CD4 memory T-cells activated", "Gamma delta T-cells"];
    const all = ["Naive B cells", "Memory B cells", ...t, "NK cells"];
    const rep = compareTables(result(), withParent(flow(), "Lymphocytes", all));
    expect(rep.cellTypes.find((s) => s.cellType === "lymphocytes")!.referenceColumns).toEqual(["Lymphocytes"]);
    expect(rep.cellTypes.find((s) => s.cellType === "NK")!.referenceColumns).toEqual(["NK cells"]);
  });

  it("a disjoint rest column (GSE93722's other_cells beside Cancer_cells) is summed with its sub-column", () => {
    const facs = readTable(`${TRUTH}GSE93722_facs_fractions.tsv`);
    // An EPIC-like result: the immune columns and otherCells (the two rest columns summed).
    const summed = withParent(facs, "otherCells", ["Cancer_cells", "other_cells"]);
    const keep = [0, 1, 2, 3, 6];
    const C = summed.cols.length;
    const res: NamedTable = {
      ...summed,
      name: "epic-like",
      cols: keep.map((c) => summed.cols[c]),
      data: Float64Array.from(summed.rows.flatMap((_, r) => keep.map((c) => summed.data[r * C + c]))),
    };
    expect(res.cols).toEqual(["Bcells", "CD4_Tcells", "CD8_Tcells", "NKcells", "otherCells"]);
    const rep = compareTables(res, facs, { by: "lineage" });
    const other = rep.cellTypes.find((s) => s.cellType === "other")!;
    expect(other.referenceColumns).toEqual(["Cancer_cells", "other_cells"]);
    expect(other.rmse).toBeLessThan(1e-15);
  });

  it("lists unknown columns with the closest known name; --map states the mapping (CLI)", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "cellfrac-vocab-"));
    const f = flow();
    const lines = ["sample\tCD8 cytotoxic T lymphos\tMonos", ...f.rows.map((s, r) => `${s}\t${f.data[r * 9 + 2]}\t${f.data[r * 9 + 8]}`)];
    writeFileSync(join(tmp, "truth.tsv"), `${lines.join("\n")}\n`);
    const rep = compareTables(result(), readTable(join(tmp, "truth.tsv")));
    expect(rep.unknown).toEqual([{ side: "reference", column: "CD8 cytotoxic T lymphos", closest: expect.any(String) }]);
    expect(rep.notCompared.reference).toEqual(["CD8 cytotoxic T lymphos"]);
    writeFileSync(join(tmp, "map.tsv"), "column\tlineage\nCD8 cytotoxic T lymphos\tCD8 T\n");
    let out = "";
    let err = "";
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s), isTTY: false };
    const res = golden("reference/cibersort_lm22_gse65133_noqn_perm0/result.tsv");
    expect(await main(["compare", res, join(tmp, "truth.tsv"), "--map", join(tmp, "map.tsv"), "--json"], io)).toBe(0);
    const mapped = JSON.parse(out) as CompareReport;
    expect(mapped.cellTypes.map((s) => [s.cellType, s.referenceColumns])).toEqual([
      ["CD8 T", ["CD8 cytotoxic T lymphos"]],
      ["monocytes", ["Monos"]],
    ]);
    writeFileSync(join(tmp, "bad.tsv"), "a\tT\nCD8 cytotoxic T lymphos\tkiller cells\n");
    expect(await main(["compare", res, join(tmp, "truth.tsv"), "--map", join(tmp, "bad.tsv")], io)).toBe(3);
    expect(err).toMatch(/bad\.tsv:2:2.*unknown lineage "killer cells" \(closest known: /);
  });
});
