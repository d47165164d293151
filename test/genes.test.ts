import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { InputError } from "../src/core/errors.js";
import {
  currentSymbol,
  ensemblStableId,
  ensemblSymbols,
  geneTable,
  matchGenes,
  meetGenes,
  parseGeneTable,
  toSymbols,
} from "../src/core/genes.js";
import { makeMatrix } from "../src/core/matrix.js";
import { dataFile } from "./helpers/reference.js";

const TABLE = new Map([
  ["ENSG00000141736", "ERBB2"],
  ["ENSG00000010610", "CD4"],
]);

describe("Ensembl IDs", () => {
  it("recognises stable IDs with and without version and PAR_Y suffix, nothing else", () => {
    expect(ensemblStableId("ENSG00000141736")).toBe("ENSG00000141736");
    expect(ensemblStableId("ENSG00000141736.14")).toBe("ENSG00000141736");
    expect(ensemblStableId("ENSG00000002586.20_PAR_Y")).toBe("ENSG00000002586");
    for (const s of ["ERBB2", "ENSG0000014173", "ENSMUSG00000020914", "ENST00000269571", "ensg00000141736"])
      expect(ensemblStableId(s)).toBeUndefined();
  });

  it("maps with and without version, keeps symbols, reports unmapped IDs", () => {
    const warnings: string[] = [];
    const m = makeMatrix(
      ["ENSG00000141736.14", "ENSG00000010610", "ENSG00000999999.2", "PTPRC"],
      ["s1"],
      Float64Array.of(1, 2, 3, 4),
      "gene",
    );
    const out = toSymbols(m, { table: TABLE, onWarning: (w) => warnings.push(w) });
    expect(out.rows).toEqual(["ERBB2", "CD4", "ENSG00000999999", "PTPRC"]);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/3 rows named by Ensembl gene ID: 2 mapped.*1 not mapped.*ENSG00000999999\.2/);
  });

  it("returns a symbol matrix untouched", () => {
    const m = makeMatrix(["CD4", "cd4"], ["s1"], Float64Array.of(1, 2));
    expect(toSymbols(m, { table: TABLE })).toBe(m);
  });

  it("applies the duplicate policy to rows that map to one symbol", () => {
    const m = makeMatrix(["ENSG00000010610.1", "CD4", "ENSG00000141736"], ["a", "b"], Float64Array.of(1, 3, 10, 5, 9, 20));
    expect(() => toSymbols(m, { table: TABLE })).toThrow(InputError);
    expect(() => toSymbols(m, { table: TABLE })).toThrow(/CD4 \(2 rows\).*--duplicates/);
    const mean = toSymbols(m, { table: TABLE, duplicates: "mean" });
    expect(mean.rows).toEqual(["CD4", "ERBB2"]);
    expect(Array.from(mean.data)).toEqual([2, 10, 7, 20]);
    expect(Array.from(toSymbols(m, { table: TABLE, duplicates: "max" }).data)).toEqual([3, 10, 9, 20]);
    expect(Array.from(toSymbols(m, { table: TABLE, duplicates: "first" }).data)).toEqual([1, 10, 5, 20]);
  });

  it("bundled table maps the IDs of signature genes (NCBI gene2ensembl)", () => {
    const t = ensemblSymbols();
    expect(t.get("ENSG00000141736")).toBe("ERBB2");
    expect(t.get("ENSG00000010610")).toBe("CD4");
    expect(t.get("ENSG00000081237")).toBe("PTPRC");
    expect(t.size).toBeGreaterThan(1000);
  });
});

describe("matchGenes", () => {
  it("gives mixture positions in wanted order, -1 and the missing list for absent genes", () => {
    const r = matchGenes(["C", "X", "B", "a"], ["A", "B", "C", "B"]);
    expect(Array.from(r.at)).toEqual([2, -1, 1, -1]);
    expect(r.found).toEqual(["C", "B"]);
    expect(r.from).toEqual([0, 2]);
    expect(r.rows).toEqual([2, 1]);
    expect(r.missing).toEqual(["X", "a"]);
  });
});

describe("cellfrac cibersort on an Ensembl-ID mixture", () => {
  it("gives the same table as the symbol mixture (GSE60424 with versioned IDs, LM6)", async () => {
    const bySymbol = new Map([...ensemblSymbols()].map(([id, sym]) => [sym, id]));
    const text = gunzipSync(
      readFileSync(dataFile("linsley2014_whole_blood_gse60424/GSE60424_wholeblood_normalized_counts.tsv.gz")),
    ).toString();
    const lines = text.trimEnd().split("\n");
    let renamed = 0;
    const ens = lines.map((l, i) => {
      const tab = l.indexOf("\t");
      const id = i > 0 ? bySymbol.get(l.slice(0, tab)) : undefined;
      if (id === undefined) return l;
      renamed++;
      return `${id}.7${l.slice(tab)}`;
    });
    expect(renamed).toBeGreaterThan(600);
    const dir = mkdtempSync(join(tmpdir(), "cellfrac-genes-"));
    writeFileSync(join(dir, "sym.tsv"), `${lines.join("\n")}\n`);
    writeFileSync(join(dir, "ens.tsv"), `${ens.join("\n")}\n`);
    const run = async (mix: string) => {
      let out = "";
      let err = "";
      const sig = dataFile("lm6_cibersort_rnaseq/LM6_rnaseq_GSE60424.tsv");
      const code = await main(["cibersort", join(dir, mix), "--signature", sig, "--perm", "0", "--threads", "1"], {
        stdout: (s) => (out += s),
        stderr: (s) => (err += s),
        isTTY: false,
      });
      expect(code).toBe(0);
      return { out, err };
    };
    const sym = await run("sym.tsv");
    const ids = await run("ens.tsv");
    expect(ids.err).toMatch(/rows named by Ensembl gene ID: \d+ mapped/);
    expect(ids.out).toBe(sym.out);
  }, 120_000); // ~5 s idle; a shared machine needs more
});

// A gene table in the bundled layout (symbol, Ensembl IDs, other names), small enough to read.
const MINI = parseGeneTable(
  [
    "symbol\tensembl_gene_ids\tother_names",
    "H2BC8\tENSG00000273802\tH2BFA,HIST1H2BG,H2BC5",
    "H2BC5\tENSG00000158373\tHIST1H2BD,HIST1H2BG",
    "RUBCNL\tENSG00000102445\tC13orf18,KIAA0226L",
    "MAP3K20\tENSG00000091436\tZAK,pk",
    "HLA-DQA1\tENSG00000196735,ENSG00000237541\t",
    "HLA-DQA2\tENSG00000237541\t",
    "CD4\tENSG00000010610\t",
  ].join("\n"),
);

describe("the gene table's rules", () => {
  it("a current symbol is itself, an unambiguous other name its gene's symbol, an ambiguous one nothing", () => {
    expect(currentSymbol("RUBCNL", MINI)).toBe("RUBCNL");
    expect(currentSymbol("KIAA0226L", MINI)).toBe("RUBCNL");
    expect(currentSymbol("ENSG00000102445.9", MINI)).toBe("RUBCNL");
    // H2BC5 is H2BC8's alias in NCBI's table, but a current symbol is never read as another gene's alias.
    expect(currentSymbol("H2BC5", MINI)).toBe("H2BC5");
    expect(currentSymbol("HIST1H2BG", MINI)).toBeUndefined();
    expect(MINI.ambiguous.get("HIST1H2BG")).toEqual(["H2BC8", "H2BC5"]);
    // An Ensembl ID of two genes maps to neither.
    expect(currentSymbol("ENSG00000237541", MINI)).toBeUndefined();
    expect(currentSymbol("ENSG00000196735", MINI)).toBe("HLA-DQA1");
  });

  it("meetGenes: an old listed name takes the current symbol's row and the reverse; old names never meet", () => {
    const mix = makeMatrix(["RUBCNL", "ZAK", "CD4", "H2BC8"], ["s"], Float64Array.of(1, 2, 3, 4));
    const met = meetGenes(mix, ["KIAA0226L", "pk", "CD4", "HIST1H2BG"], MINI);
    expect(met.mixture.rows).toEqual(["KIAA0226L", "ZAK", "CD4", "H2BC8"]);
    expect(met.renamed).toEqual(["KIAA0226L ← RUBCNL"]);
    expect(met.ambiguous).toEqual(["HIST1H2BG (H2BC8, H2BC5)"]);
    expect(Array.from(met.mixture.data)).toEqual([1, 2, 3, 4]);
    // A listed current symbol takes the one row named by a previous name.
    const old = makeMatrix(["C13orf18", "CD4"], ["s"], Float64Array.of(1, 2));
    expect(meetGenes(old, ["RUBCNL"], MINI).renamed).toEqual(["RUBCNL ← C13orf18"]);
    // Two rows with previous names of one gene: neither is taken.
    expect(meetGenes(makeMatrix(["C13orf18", "KIAA0226L"], ["s"], Float64Array.of(1, 2)), ["RUBCNL"], MINI).renamed).toEqual([]);
  });

  it("meetGenes never takes a row another listed gene names, nor serves two listed names of one gene", () => {
    const mix = makeMatrix(["RUBCNL"], ["s"], Float64Array.of(1));
    expect(meetGenes(mix, ["KIAA0226L", "RUBCNL"], MINI).renamed).toEqual([]);
    expect(meetGenes(mix, ["KIAA0226L", "C13orf18"], MINI).renamed).toEqual([]);
    // Nothing absent: the table is not even consulted.
    expect(meetGenes(mix, ["RUBCNL"]).mixture).toBe(mix);
  });

  it("the bundled table: NCBI Gene via org.Hs.eg.db, every human gene", () => {
    const t = geneTable();
    expect(t.symbols.size).toBeGreaterThan(60_000);
    expect(t.ensembl.size).toBeGreaterThan(35_000);
    expect(currentSymbol("KIAA0226L")).toBe("RUBCNL");
    expect(currentSymbol("ENSG00000102445")).toBe("RUBCNL");
    expect(currentSymbol("FAIM3")).toBe("FCMR");
    // HIST1H2BG is named by both H2BC8 and H2BC5 in NCBI Gene: it is never mapped.
    expect(currentSymbol("HIST1H2BG")).toBeUndefined();
    expect(t.ambiguous.get("HIST1H2BG")).toEqual(expect.arrayContaining(["H2BC5", "H2BC8"]));
  });
});

/** Rows renamed by `rename` (undefined: dropped); header kept. */
function renameRows(text: string, rename: (gene: string) => string | undefined): string {
  const lines = text.trimEnd().split("\n");
  const body = lines.slice(1).flatMap((l) => {
    const tab = l.indexOf("\t");
    const g = rename(l.slice(0, tab));
    return g === undefined ? [] : [g + l.slice(tab)];
  });
  return `${[lines[0], ...body].join("\n")}\n`;
}

/** The one Ensembl ID of a gene (undefined when it has none or several). */
function uniqueIds(): Map<string, string | undefined> {
  const ids = new Map<string, string | undefined>();
  for (const [id, s] of geneTable().ensembl) ids.set(s, ids.has(s) ? undefined : id);
  return ids;
}

async function cli(args: string[]): Promise<{ out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  expect(code, err).toBe(0);
  return { out, err };
}

describe("signatures and mixtures meet on current symbols", () => {
  // The same rows under three vocabularies; a row whose name reaches no single Ensembl ID (HIST1H2BG: two
  // genes; genes without an ID) is left out of all three, so the three files hold the same data.
  function threeFiles(text: string, versioned = false): { sym: string; ens: string; cur: string } {
    const ids = uniqueIds();
    // Each ID once: a later row of the same gene (an old and a new name in one file) is left out too.
    const owner = new Map<string, string>();
    const idOf = (g: string) => {
      const c = currentSymbol(g);
      const id = c === undefined ? undefined : ids.get(c);
      if (id === undefined || (owner.get(id) ?? g) !== g) return undefined;
      owner.set(id, g);
      return id;
    };
    const dir = mkdtempSync(join(tmpdir(), "cellfrac-vocab-"));
    const write = (name: string, t: string) => (writeFileSync(join(dir, name), t), join(dir, name));
    return {
      sym: write(
        "sym.tsv",
        renameRows(text, (g) => (idOf(g) ? g : undefined)),
      ),
      ens: write(
        "ens.tsv",
        renameRows(text, (g) => (idOf(g) ? idOf(g)! + (versioned ? ".5" : "") : undefined)),
      ),
      cur: write(
        "cur.tsv",
        renameRows(text, (g) => (idOf(g) ? currentSymbol(g) : undefined)),
      ),
    };
  }

  it("LM22 CIBERSORT: symbols as given, Ensembl IDs and current symbols give the same table (GSE65133)", async () => {
    // The first 5 of 20 samples: the same rows, a quarter of the fits.
    const text = gunzipSync(readFileSync(dataFile("gse65133_pbmc_array/GSE65133_expression_LM22genes.tsv"))).toString();
    const f = threeFiles(
      text
        .split("\n")
        .map((l) => l.split("\t").slice(0, 6).join("\t"))
        .join("\n"),
    );
    const run = (m: string) => cli(["cibersort", m, "--perm", "0", "--threads", "1"]);
    const sym = await run(f.sym);
    const ens = await run(f.ens);
    const cur = await run(f.cur);
    expect(ens.out).toBe(sym.out);
    expect(cur.out).toBe(sym.out);
    // LM22's 2014 names among them, found by the current symbols of the other two files.
    expect(cur.err).toMatch(/genes found under another name \(list's name ← mixture's name\): .*KIAA0754 ← MACF1.*MARCH3 ← MARCHF3/);
    const coverage = (e: string) => /LM22: (\d+) of 547 genes found/.exec(e)?.[1];
    expect(coverage(ens.err)).toBe(coverage(sym.err));
    expect(coverage(cur.err)).toBe(coverage(sym.err));
  }, 300_000);

  it("ESTIMATE on an Ensembl-ID mixture keeps its ranking genes (GSE93722)", async () => {
    const f = threeFiles(gunzipSync(readFileSync(dataFile("racle2017_melanoma_lymphnode_gse93722/GSE93722_tpm.tsv.gz"))).toString(), true);
    const run = (m: string) => cli(["score", "--method", "estimate", m]);
    const sym = await run(f.sym);
    const ens = await run(f.ens);
    const cur = await run(f.cur);
    const common = (e: string) => Number(/ESTIMATE: (\d+) of 10412 common genes are in the mixture/.exec(e)?.[1]);
    // IDs reach exactly what current symbols reach ...
    expect(common(ens.err)).toBe(common(cur.err));
    expect(ens.out).toBe(cur.out);
    // ... and at least what the file's own names reach (two old names of one gene never meet; via an ID they
    // do): over 9,000 of the common genes (the old 1.4k-gene table: under 1,400).
    expect(common(ens.err)).toBeGreaterThanOrEqual(common(sym.err));
    expect(common(sym.err)).toBeGreaterThan(9_000);
    // --gene-match exact: names as given, as R's ESTIMATE does; the Ensembl file then loses the renamed genes.
    const exact = await cli(["score", "--method", "estimate", f.ens, "--gene-match", "exact"]);
    expect(common(exact.err)).toBeLessThan(common(ens.err));
  }, 300_000);
});
