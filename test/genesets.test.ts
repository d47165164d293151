// Gene-set files: GMT and long-format TSV, the bundled sets, duplicates, mapping onto a mixture, errors.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import { mapGeneSets, packSets, parseGeneSets } from "../src/core/genesets.js";
import { loadGeneSets } from "../src/node/genesets.js";
import { main } from "../src/node/cli.js";
import { dataFile } from "./helpers/reference.js";

const dir = mkdtempSync(join(tmpdir(), "cellfrac-genesets-"));

describe("GMT", () => {
  it("name, description, genes; trailing tabs and CRLF ignored; a repeated gene counts once with a warning", () => {
    const w: string[] = [];
    const sets = parseGeneSets("HER2\thttp://x\tERBB2\tGRB7\tSTARD3\tERBB2\t\r\nT\tna\tCD3D\r\n\r\n", {
      format: "gmt",
      name: "s.gmt",
      onWarning: (m) => w.push(m),
    });
    expect(sets).toEqual([
      { name: "HER2", genes: ["ERBB2", "GRB7", "STARD3"] },
      { name: "T", genes: ["CD3D"] },
    ]);
    expect(w).toEqual(['s.gmt: set "HER2" lists ERBB2 more than once; each gene counts once']);
  });

  it("files by extension, gzipped too", () => {
    const p = join(dir, "a.gmt.gz");
    writeFileSync(p, gzipSync("A\t\tX\tY\n"));
    expect(loadGeneSets(p)).toEqual([{ name: "A", genes: ["X", "Y"] }]);
  });

  it("errors name the file and line: a set defined twice, a line without genes", () => {
    expect(() => parseGeneSets("A\td\tX\nA\td\tY\n", { format: "gmt", name: "f.gmt" })).toThrow(/f\.gmt:2: gene set "A" is defined twice/);
    expect(() => parseGeneSets("A\td\n", { format: "gmt", name: "f.gmt" })).toThrow(/f\.gmt:1: .*"A"/);
    expect(() => parseGeneSets("A\td\t\t\n", { format: "gmt", name: "f.gmt" })).toThrow(/lists no genes/);
  });
});

describe("TSV", () => {
  const text = "symbol\tset\tweight\nCD3D\tT\t1\nCD19\tB\t1\nCD3E\tT\t2\nNA\tB\t0\n";
  it("set and gene columns default to the first two and can be named; sets in order of first appearance", () => {
    expect(parseGeneSets("set\tgene\nT\tCD3D\nB\tCD19\nT\tCD3E\n")).toEqual([
      { name: "T", genes: ["CD3D", "CD3E"] },
      { name: "B", genes: ["CD19"] },
    ]);
    expect(parseGeneSets(text, { setColumn: "set", geneColumn: "symbol" })).toEqual([
      { name: "T", genes: ["CD3D", "CD3E"] },
      { name: "B", genes: ["CD19"] }, // "NA" is an unmapped symbol, not a gene
    ]);
  });

  it("errors: unknown column (listing the header), wrong field count, a header only", () => {
    expect(() => parseGeneSets(text, { geneColumn: "hgnc", name: "m.tsv" })).toThrow(
      /m\.tsv:1: no gene column "hgnc" in the header \(columns: symbol, set, weight\)/,
    );
    expect(() => parseGeneSets("set\tgene\nT\n", { name: "m.tsv" })).toThrow(/m\.tsv:2: expected 2 fields, found 1/);
    expect(() => parseGeneSets("set\tgene\n", { name: "m.tsv" })).toThrow(/no gene sets/);
    expect(() => loadGeneSets(join(dir, "nope.tsv"))).toThrow(InputError);
  });
});

describe("TSV columns found by their values", () => {
  // MCP-counter's own marker table as its authors publish it (data/genesets/MCPcounter_genes.tsv):
  // gene, cell_population, entrez_id, ensembl_id.
  const mcp = readFileSync(new URL("../data/genesets/MCPcounter_genes.tsv", import.meta.url), "utf8");
  const mixtureGenes = new Set(["CD3D", "CD28", "CD19", "MS4A1", "FCRL2", "PTPRC", "ACTB"]);
  const byDefault = parseGeneSets(mcp, { setColumn: "cell_population", geneColumn: "gene" });

  it("MCP-counter's table: the gene column meets the mixture, the set column has the fewest distinct values", () => {
    expect(parseGeneSets(mcp, { genes: mixtureGenes })).toEqual(byDefault);
    expect(byDefault).toHaveLength(10);
  });

  it("--gene-column or --set-column alone takes the other as its partner", () => {
    expect(parseGeneSets(mcp, { geneColumn: "gene" })).toEqual(byDefault);
    expect(parseGeneSets(mcp, { setColumn: "cell_population", genes: mixtureGenes })).toEqual(byDefault);
  });

  it("the gene column may come first or last; without a mixture the second column is the gene column", () => {
    expect(parseGeneSets("gene\tset\nCD3D\tT\nCD19\tB\nCD3E\tT\n", { genes: mixtureGenes })).toEqual([
      { name: "T", genes: ["CD3D", "CD3E"] },
      { name: "B", genes: ["CD19"] },
    ]);
    expect(parseGeneSets("set\tgene\nT\tCD3D\nB\tCD19\n")).toEqual([
      { name: "T", genes: ["CD3D"] },
      { name: "B", genes: ["CD19"] },
    ]);
  });

  it("cellfrac score --method mcpcounter with the marker table as a file equals the bundled MCPcounter (GSE93722)", async () => {
    const p = join(dir, "mcp-markers.tsv");
    writeFileSync(p, mcp);
    const mix = dataFile("racle2017_melanoma_lymphnode_gse93722/GSE93722_tpm.tsv.gz");
    const run = async (...args: string[]) => {
      let out = "";
      let err = "";
      const io = { stdout: (x: string) => (out += x), stderr: (x: string) => (err += x), isTTY: false };
      const code = await main(["score", "--method", "mcpcounter", mix, ...args], io);
      expect(code, err).toBe(0);
      return out;
    };
    const bundled = await run();
    expect(await run("--gene-sets", p)).toBe(bundled);
    expect(await run("--gene-sets", p, "--gene-column", "gene")).toBe(bundled);
  }, 120_000);
});

describe("bundled sets", () => {
  it("ESTIMATE: stromal then immune, 141 genes each", () => {
    const s = loadGeneSets("estimate");
    expect(s.map((x) => [x.name, x.genes.length])).toEqual([
      ["StromalSignature", 141],
      ["ImmuneSignature", 141],
    ]);
  });

  it("MCPcounter: 10 populations in marker-table order, 111 markers", () => {
    const s = loadGeneSets("MCPcounter");
    expect(s.map((x) => x.name)).toEqual([
      "T cells",
      "CD8 T cells",
      "Cytotoxic lymphocytes",
      "B lineage",
      "NK cells",
      "Monocytic lineage",
      "Myeloid dendritic cells",
      "Neutrophils",
      "Endothelial cells",
      "Fibroblasts",
    ]);
    expect(s.reduce((n, x) => n + x.genes.length, 0)).toBe(111);
  });

  it("Danaher: 14 sets, 60 genes, current HGNC symbols by default (FAM30A), the paper's with --gene-column gene", () => {
    const s = loadGeneSets("Danaher");
    expect(s.length).toBe(14);
    expect(s.reduce((n, x) => n + x.genes.length, 0)).toBe(60);
    expect(s[0].genes).toContain("FAM30A");
    expect(loadGeneSets("Danaher", { geneColumn: "gene" })[0].genes).toContain("KIAA0125");
  });
});

describe("mapping onto a mixture", () => {
  const rows = ["A", "B", "C", "A"];
  it("first row of a repeated symbol; coverage found/total/missing in set order; empty sets warned and left out", () => {
    const w: string[] = [];
    const { mapped, coverage } = mapGeneSets(
      [
        { name: "s1", genes: ["C", "Z", "A"] },
        { name: "empty", genes: ["Y"] },
      ],
      rows,
      (m) => w.push(m),
    );
    expect(mapped.map((m) => [m.name, m.rows])).toEqual([["s1", [2, 0]]]);
    expect(coverage).toEqual([
      { name: "s1", found: 2, total: 3, missing: ["Z"] },
      { name: "empty", found: 0, total: 1, missing: ["Y"] },
    ]);
    expect(w).toEqual(['gene set "empty" has no gene in the mixture and is left out']);
    expect(packSets(mapped)).toEqual({ rows: new Int32Array([2, 0]), off: new Int32Array([0, 2]), maxSize: 2 });
  });

  it("no set with a gene present is an InputError naming every set", () => {
    expect(() =>
      mapGeneSets(
        [
          { name: "HER2", genes: ["ERBB2"] },
          { name: "T", genes: ["CD3D"] },
        ],
        rows,
      ),
    ).toThrow(/sets "HER2", "T"/);
  });
});
