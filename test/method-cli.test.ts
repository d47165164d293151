// The CLI contract shared by `cellfrac nnls|epic|quantiseq|score`: Ensembl-ID mixtures give the symbol
// run's output byte for byte, and every run reports signature/gene-set coverage on stderr (not with
// --quiet) and in JSON output.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { ensemblSymbols } from "../src/core/genes.js";
import { readMixture } from "../src/node/index.js";
import { readMatrixFile } from "../src/node/read.js";
import { quantiseqDeconvolve } from "../src/core/methods/quantiseq.js";
import { DATA, dataFile } from "./helpers/reference.js";

const FINOTELLO = dataFile("finotello2019_pbmc_gse107572/GSE107572_tpm.tsv.gz");
const RACLE = dataFile("racle2017_melanoma_lymphnode_gse93722/GSE93722_tpm.tsv.gz");
const EPIC_DATA = `${DATA}epic_reference_profiles`;

let dir: string;

/**
 * Writes `<name>.sym.tsv` (the file as it is) and `<name>.ens.tsv`: every row whose symbol is in the
 * bundled table renamed to its Ensembl ID, alternately with a version suffix (".7") and without.
 */
function ensemblCopy(file: string, name: string): { sym: string; ens: string; renamed: number } {
  const bySymbol = new Map([...ensemblSymbols()].map(([id, sym]) => [sym, id]));
  const lines = gunzipSync(readFileSync(file)).toString().trimEnd().split("\n");
  let renamed = 0;
  const ens = lines.map((l, i) => {
    const tab = l.indexOf("\t");
    const id = i > 0 ? bySymbol.get(l.slice(0, tab)) : undefined;
    if (id === undefined) return l;
    return `${id}${renamed++ % 2 ? "" : ".7"}${l.slice(tab)}`;
  });
  const sym = join(dir, `${name}.sym.tsv`);
  const ensFile = join(dir, `${name}.ens.tsv`);
  writeFileSync(sym, `${lines.join("\n")}\n`);
  writeFileSync(ensFile, `${ens.join("\n")}\n`);
  return { sym, ens: ensFile, renamed };
}

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

let pbmc: { sym: string; ens: string; renamed: number };
let racle: { sym: string; ens: string; renamed: number };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cellfrac-methods-"));
  pbmc = ensemblCopy(FINOTELLO, "pbmc");
  racle = ensemblCopy(RACLE, "racle");
});

describe("Ensembl-ID mixtures give the symbol run's output byte for byte", () => {
  const commands: [string, () => string[], () => { sym: string; ens: string; renamed: number }][] = [
    ["nnls LM22", () => ["nnls"], () => pbmc],
    ["nnls TIL10 --coefficients", () => ["nnls", "--signature", "TIL10", "--coefficients"], () => pbmc],
    ["epic TRef", () => ["epic", "--epic-data", EPIC_DATA], () => racle],
    ["epic BRef", () => ["epic", "--reference", "BRef", "--epic-data", EPIC_DATA], () => racle],
    ["quantiseq", () => ["quantiseq"], () => pbmc],
    ["quantiseq --tumor", () => ["quantiseq", "--tumor"], () => pbmc],
    ["score ssgsea Danaher", () => ["score", "--method", "ssgsea", "--gene-sets", "Danaher", "--transform", "log2p1"], () => pbmc],
    ["score mcpcounter", () => ["score", "--method", "mcpcounter", "--transform", "log2p1"], () => racle],
    ["score estimate", () => ["score", "--method", "estimate", "--transform", "log2p1"], () => pbmc],
    ["score singscore Danaher", () => ["score", "--method", "singscore", "--gene-sets", "Danaher", "--transform", "log2p1"], () => pbmc],
    ["score pc1 Danaher", () => ["score", "--method", "pc1", "--gene-sets", "Danaher", "--transform", "log2p1"], () => pbmc],
  ];
  for (const [what, args, files] of commands) {
    it(what, async () => {
      const f = files();
      expect(f.renamed).toBeGreaterThan(1000);
      const [cmd, ...rest] = args();
      const sym = await run(cmd, f.sym, ...rest);
      const ens = await run(cmd, f.ens, ...rest);
      expect(sym.code, sym.err).toBe(0);
      expect(ens.code, ens.err).toBe(0);
      expect(ens.err).toMatch(/rows named by Ensembl gene ID: \d+ mapped to symbols/);
      expect(sym.out.length).toBeGreaterThan(100);
      expect(ens.out).toBe(sym.out);
    }, 60_000);
  }

  it("the API's readMixture maps the same rows (quanTIseq on the result equals the symbol run)", async () => {
    const warnings: string[] = [];
    const m = readMixture(pbmc.ens, { onWarning: (w) => warnings.push(w) });
    expect(warnings.join()).toMatch(new RegExp(`${pbmc.renamed} rows named by Ensembl gene ID: ${pbmc.renamed} mapped`));
    const a = await quantiseqDeconvolve(m);
    const b = await quantiseqDeconvolve(readMatrixFile(pbmc.sym));
    expect(Array.from(a.values.data)).toEqual(Array.from(b.values.data));
  }, 60_000);
});

describe("coverage report: stderr (unless --quiet) and JSON", () => {
  it("nnls on a mixture lacking two LM22 genes names them; JSON holds the coverage; --quiet prints nothing", async () => {
    const mix = readMatrixFile(FINOTELLO);
    const lm22 = readMatrixFile(dataFile("lm22_cibersort/LM22.tsv"));
    const present = lm22.rows.filter((g) => mix.rows.includes(g));
    const drop = present.slice(0, 2);
    const text = gunzipSync(readFileSync(FINOTELLO)).toString().trimEnd().split("\n");
    const f = join(dir, "drop2.tsv");
    writeFileSync(f, `${text.filter((l) => !drop.includes(l.slice(0, l.indexOf("\t")))).join("\n")}\n`);
    // Names as given: LM22's genes that GSE107572 names by newer symbols stay missing (counted by `present`).
    const r = await run("nnls", f, "--gene-match", "exact");
    expect(r.code).toBe(0);
    const line = r.err.split("\n").find((l) => l.startsWith("cellfrac: nnls: LM22: "));
    expect(line).toBeDefined();
    expect(line).toContain(`${present.length - 2} of ${lm22.rows.length} genes found`);
    for (const g of drop) expect(line).toContain(g);
    const json = join(dir, "drop2.json");
    expect((await run("nnls", f, "-o", json, "--gene-match", "exact")).code).toBe(0);
    const cov = JSON.parse(readFileSync(json, "utf8")).coverage;
    expect(cov).toHaveLength(1);
    expect(cov[0].found).toBe(present.length - 2);
    expect(cov[0].total).toBe(lm22.rows.length);
    for (const g of drop) expect(cov[0].missing).toContain(g);
    const q = await run("nnls", f, "--quiet", "--gene-match", "exact");
    expect(q.err).toBe("");
    expect(q.out).toBe(r.out);
  }, 60_000);

  it("epic, quantiseq: one line naming the signature and its count", async () => {
    const e = await run("epic", RACLE, "--epic-data", EPIC_DATA);
    expect(e.code).toBe(0);
    expect(e.err).toMatch(/^cellfrac: epic: EPIC TRef: 98 of 98 genes found$/m);
    const q = await run("quantiseq", FINOTELLO);
    expect(q.code).toBe(0);
    // The four TIL10 genes GSE107572 names by their current symbols are found, and the renames named.
    expect(q.err).toMatch(/^cellfrac: quantiseq: TIL10: 153 of 153 genes found$/m);
    const renames = "SQOR ← SQRDL, TOGARAM2 ← FAM179A, TSPOAP1 ← BZRAP1, GRK3 ← ADRBK2";
    expect(q.err).toContain(`cellfrac: quantiseq: 4 genes found under another name (list's name ← mixture's name): ${renames}\n`);
    const exact = await run("quantiseq", FINOTELLO, "--gene-match", "exact");
    expect(exact.err).toMatch(/^cellfrac: quantiseq: TIL10: 149 of 153 genes found; missing: SQOR, TOGARAM2, TSPOAP1, GRK3$/m);
  }, 60_000);

  it("score: a total line and one line per set, missing markers named; JSON coverage per set", async () => {
    const r = await run("score", RACLE, "--method", "mcpcounter", "--transform", "log2p1");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^cellfrac: mcpcounter: 10 gene lists, \d+ of 111 genes found$/m);
    const perSet = r.err.split("\n").filter((l) => /^cellfrac: mcpcounter:   \S/.test(l));
    expect(perSet).toHaveLength(10);
    const json = join(dir, "mcp.json");
    expect((await run("score", RACLE, "--method", "mcpcounter", "--transform", "log2p1", "-o", json, "-q")).code).toBe(0);
    const cov = JSON.parse(readFileSync(json, "utf8")).coverage as { name: string; found: number; total: number; missing: string[] }[];
    expect(cov).toHaveLength(10);
    for (const c of cov) {
      const l = perSet.find((x) => x.includes(`   ${c.name}: `))!;
      expect(l).toContain(`${c.found} of ${c.total} genes found`);
      for (const g of c.missing) expect(l).toContain(g);
    }
  }, 60_000);
});
