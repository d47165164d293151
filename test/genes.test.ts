import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { InputError } from "../src/core/errors.js";
import { ensemblStableId, ensemblSymbols, matchGenes, toSymbols } from "../src/core/genes.js";
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
    for (const s of ["ERBB2", "ENSG0000014173", "ENSMUSG00000020914", "ENST00000269571", "ensg00000141736"]) expect(ensemblStableId(s)).toBeUndefined();
  });

  it("maps with and without version, keeps symbols, reports unmapped IDs", () => {
    const warnings: string[] = [];
    const m = makeMatrix(["ENSG00000141736.14", "ENSG00000010610", "ENSG00000999999.2", "PTPRC"], ["s1"], Float64Array.of(1, 2, 3, 4), "gene");
    const out = toSymbols(m, { table: TABLE, onWarning: (w) => warnings.push(w) });
    expect(out.rows).toEqual(["ERBB2", "CD4", "ENSG00000999999", "PTPRC"]);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/3 rows named by Ensembl gene ID: 2 mapped.*1 not in it.*ENSG00000999999\.2/);
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
    const text = gunzipSync(readFileSync(dataFile("linsley2014_whole_blood_gse60424/GSE60424_wholeblood_normalized_counts.tsv.gz"))).toString();
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
    writeFileSync(join(dir, "sym.tsv"), lines.join("\n") + "\n");
    writeFileSync(join(dir, "ens.tsv"), ens.join("\n") + "\n");
    const run = async (mix: string) => {
      let out = "";
      let err = "";
      const sig = dataFile("lm6_cibersort_rnaseq/LM6_rnaseq_GSE60424.tsv");
      const code = await main(["cibersort", join(dir, mix), "--signature", sig, "--perm", "0", "--threads", "1"], { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
      expect(code).toBe(0);
      return { out, err };
    };
    const sym = await run("sym.tsv");
    const ids = await run("ens.tsv");
    expect(ids.err).toMatch(/rows named by Ensembl gene ID: \d+ mapped/);
    expect(ids.out).toBe(sym.out);
  }, 120_000); // ~5 s idle; a shared machine needs more
});
