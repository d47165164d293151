// Mixtures as users have them (issue 12): quantifier outputs and GEO series matrices, one or several files,
// give exactly the matrix (and the results) of the equivalent plain TSV; refused inputs exit 3 (2 for an
// option the file cannot honour) with the named message and no output. Fixtures: test/fixtures/quant/,
// written by test/fixtures/make-quant.mjs by the tools' documented layouts (393 kB, 33 files); the
// featureCounts TPM/FPKM goldens by R (test/fixtures/make-quant.R).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { parseMatrix } from "../src/core/formats/read.js";
import { rSum, samplePathName } from "../src/core/formats/quant.js";
import type { Matrix } from "../src/core/matrix.js";
import { readMixtureFiles } from "../src/node/mixtures.js";
import { mixtureValues } from "../src/node/mixtures.js";
import { cibersort, readMatrixFile, readMixture, runMethod } from "../src/node/index.js";

const Q = join(dirname(fileURLToPath(import.meta.url)), "fixtures/quant");
const q = (p: string) => join(Q, p);
const S = ["S1", "S2", "S3"];
const each = (f: (s: string) => string) => S.map((s) => q(f(s)));
const plain = (name: string) => readMatrixFile(q(name), { what: "mixture" });

function read(paths: string[], opts: Record<string, unknown> = {}, notes: string[] = []): Matrix {
  return readMixtureFiles(paths, mixtureValues(opts), undefined, (m) => notes.push(m)).matrix;
}

/** Same genes, samples and every value to the bit. */
function expectSame(got: Matrix, want: Matrix): void {
  expect(got.rows).toEqual(want.rows);
  expect(got.cols).toEqual(want.cols);
  expect(Array.from(got.data)).toEqual(Array.from(want.data));
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: false });
  return { code, out, err };
}

describe("quantifier outputs equal the plain TSV cell for cell", () => {
  const tpm = plain("plain-tpm.tsv");
  const counts = plain("plain-counts.tsv");
  it.each([
    ["Salmon quant.genes.sf", each((s) => `salmon/${s}/quant.genes.sf`), {}],
    ["Salmon quant.sf (GENCODE transcript names summed)", each((s) => `salmon/${s}/quant.sf`), {}],
    ["kallisto abundance.tsv with --tx2gene", each((s) => `kallisto/${s}/abundance.tsv`), { tx2gene: q("tx2gene.tsv") }],
    ["RSEM genes.results", each((s) => `rsem/${s}.genes.results`), {}],
    ["RSEM genes.results after cut -f1,3-", each((s) => `rsem-cut/${s}.genes.results`), {}],
    ["RSEM isoforms.results (gene_id column)", each((s) => `rsem/${s}.isoforms.results`), {}],
    ["GDC STAR augmented counts", each((s) => `gdc/${s}.rna_seq.augmented_star_gene_counts.tsv`), {}],
  ])("%s: TPM", (_, paths, opts) => expectSame(read(paths, opts), tpm));

  it.each([
    ["Salmon NumReads", each((s) => `salmon/${s}/quant.genes.sf`)],
    ["RSEM expected_count", each((s) => `rsem/${s}.genes.results`)],
    ["GDC unstranded", each((s) => `gdc/${s}.rna_seq.augmented_star_gene_counts.tsv`)],
    ["STAR ReadsPerGene (default: counts)", each((s) => `star/${s}/ReadsPerGene.out.tab`)],
    ["featureCounts", [q("featurecounts/counts.txt")]],
  ])("%s: --value counts", (name, paths) => {
    expectSame(read(paths, name.startsWith("STAR") ? {} : { value: "counts" }), counts);
  });

  it("featureCounts: TPM (the default, stated) and FPKM from counts and Length equal R's to the bit", () => {
    const notes: string[] = [];
    const got = read([q("featurecounts/counts.txt")], {}, notes);
    expect(notes.join("\n")).toMatch(/TPM computed from the counts and the Length column/);
    // R's colSums accumulates in long double: rSum emulates it (a plain double sum differs in the last bits).
    expectSame(got, plain("featurecounts-tpm-R.tsv"));
    expectSame(read([q("featurecounts/counts.txt")], { value: "fpkm" }), plain("featurecounts-fpkm-R.tsv"));
  });

  it("rSum is R's sum() (long-double accumulation); the values were printed by R", () => {
    // Rscript -e 'print(sum(c(1, 1e-16, 1e-16)), digits=17); print(sum(c(1e16, 1, 1, -1e16)), digits=17)'
    expect(rSum([1, 1e-16, 1e-16])).toBe(1.0000000000000002);
    expect(rSum([1e16, 1, 1, -1e16])).toBe(2);
    // Rscript -e 'print(sum(c(0.1, 0.2, 0.3)), digits=17)' (a double sum gives 0.6000000000000001)
    expect(rSum([0.1, 0.2, 0.3])).toBe(0.59999999999999998);
    expect(rSum([])).toBe(0);
    expect(rSum([-2.5, -0.25])).toBe(-2.75);
  });

  it("GEO series matrix (gzipped): rows by ID_REF, samples by GSM; --sample-names title", () => {
    const gsm = plain("plain-gsm.tsv");
    expectSame(read([q("geo/GSE1000_series_matrix.txt.gz")]), gsm);
    const titled = read([q("geo/GSE1000_series_matrix.txt.gz")], { sampleNames: "title" });
    expect(titled.cols).toEqual(["blood donor A", "blood donor B", "blood donor C"]);
    expect(Array.from(titled.data)).toEqual(Array.from(gsm.data));
  });

  it("GEO probes through --probe-map (a platform table): the mean of each gene's probes; unmapped probes dropped", () => {
    const notes: string[] = [];
    expectSame(read([q("geo/GSE2000_series_matrix.txt")], { probeMap: q("geo/GPL-probe-map.tsv") }, notes), plain("plain-gsm.tsv"));
    expect(notes.join("\n")).toMatch(/301 probes → 150 genes through --probe-map \(--collapse mean.*1 probe\(s\) without a gene symbol/);
    // first and max: the lower and the upper probe (each gene's two probes are value ∓ 1/64).
    const first = read([q("geo/GSE2000_series_matrix.txt")], { probeMap: q("geo/GPL-probe-map.tsv"), collapse: "first" });
    const max = read([q("geo/GSE2000_series_matrix.txt")], { probeMap: q("geo/GPL-probe-map.tsv"), collapse: "max" });
    const gsm = plain("plain-gsm.tsv");
    gsm.data.forEach((v, i) => {
      expect(first.data[i]).toBe(v - 1 / 64);
      expect(max.data[i]).toBe(v + 1 / 64);
    });
  });

  it("GEO probe IDs without --probe-map are kept and the user told to give one", () => {
    const notes: string[] = [];
    expect(read([q("geo/GSE2000_series_matrix.txt")], {}, notes).rows[0]).toBe("1000_at");
    expect(notes.join("\n")).toMatch(/array probe IDs \(e\.g\. "1000_at"\): give --probe-map FILE/);
  });

  it("sample names: the directory of standard names, else the name up to its first dot", () => {
    expect(samplePathName("runs/S7/quant.sf")).toBe("S7");
    expect(samplePathName("runs/S7/quant.genes.sf.gz")).toBe("S7");
    expect(samplePathName("x/S8/abundance.tsv")).toBe("S8");
    expect(samplePathName("x\\S9\\ReadsPerGene.out.tab")).toBe("S9");
    expect(samplePathName("x/S1.genes.results")).toBe("S1");
    expect(samplePathName("quant.sf")).toBe("quant");
  });
});

// Whole runs (CIBERSORT, quanTIseq) take a few seconds on a loaded machine.
describe("silent wrong answers of issue 12 (regressions)", { timeout: 60_000 }, () => {
  const s1 = plain("plain-tpm.tsv");
  const col1 = Array.from(s1.data.subarray(0, s1.rows.length));
  it.each([
    ["Salmon quant.genes.sf", "salmon/S1/quant.genes.sf"],
    ["RSEM genes.results after cut -f1,3-", "rsem-cut/S1.genes.results"],
  ])("%s is one sample (TPM), not Length/EffectiveLength/… as samples, by every reader", async (_, file) => {
    for (const m of [readMatrixFile(q(file)), parseMatrix(readFileSync(q(file)), { name: q(file) }), readMixture(q(file))]) {
      expect(m.cols).toEqual(["S1"]);
      expect(Array.from(m.data)).toEqual(col1);
    }
    // CIBERSORT through the CLI (the streamed path) and the API, and a method through the API.
    const one = await cli(["cibersort", q(file), "--perm", "0", "--threads", "1", "-q"]);
    const ref = await cli(["cibersort", q("plain-tpm.tsv"), "--perm", "0", "--threads", "1", "-q"]);
    expect(one.code).toBe(0);
    expect(one.out.trim().split("\n")).toEqual(ref.out.trim().split("\n").slice(0, 2));
    const api = await cibersort(q(file), { perm: 0, threads: 1 });
    expect(api.samples).toEqual(["S1"]);
    expect((await runMethod("quantiseq", q(file))).table.values.rows).toEqual(["S1"]);
  });

  it("a plain table with an annotation column (Length, NumReads, …) is refused, exit 3, no output", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cellfrac-quant-"));
    const f = join(dir, "odd.tsv");
    writeFileSync(f, "gene\tLength\tS1\nCD4\t1000\t5\nCD8A\t2000\t6\n");
    const out = join(dir, "out.tsv");
    const r = await cli(["nnls", f, "-o", out]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/odd\.tsv:1:2: column "Length" is a quantifier's annotation column, not a sample/);
    expect(existsSync(out)).toBe(false);
    expect(() => readMatrixFile(f)).toThrow(/annotation column/);
  });
});

describe("several files, whole runs and refusals", { timeout: 60_000 }, () => {
  it("nnls, cibersort and ssgsea on per-sample files print exactly the plain TSV's results", async () => {
    for (const cmd of [
      ["nnls"],
      ["cibersort", "--perm", "3", "--threads", "1"],
      ["score", "--method", "ssgsea", "--gene-sets", "MCPcounter"],
    ]) {
      const ref = await cli([...cmd, q("plain-tpm.tsv"), "-q"]);
      const got = await cli([...cmd, ...each((s) => `salmon/${s}/quant.sf`), "-q"]);
      expect(got.code).toBe(0);
      expect(got.out).toBe(ref.out);
    }
  });

  it("the Node API takes several paths and the same options (readMixture, runMethod, cibersort)", async () => {
    const files = each((s) => `kallisto/${s}/abundance.tsv`);
    expectSame(readMixture(files, { tx2gene: q("tx2gene.tsv") }), plain("plain-tpm.tsv"));
    const ref = await runMethod("nnls", q("plain-tpm.tsv"));
    const got = await runMethod("nnls", files, { tx2gene: q("tx2gene.tsv") });
    expect(Array.from(got.table.values.data)).toEqual(Array.from(ref.table.values.data));
    const cib = await cibersort(
      each((s) => `salmon/${s}/quant.genes.sf`),
      { perm: 0, threads: 1 },
    );
    const cibRef = await cibersort(q("plain-tpm.tsv"), { perm: 0, threads: 1 });
    expect(cib.samples).toEqual(S);
    expect(Array.from(cib.fractions.data)).toEqual(Array.from(cibRef.fractions.data));
    expect(() => readMixture(files, { value: "rpkm" as "tpm" })).toThrow(/--value takes tpm, counts or fpkm/);
  });

  it("--sample-names renames in file and column order; wrong counts are usage errors", async () => {
    const m = read([q("salmon/S1/quant.genes.sf"), q("rsem/S2.genes.results")], { sampleNames: "a,b" });
    expect(m.cols).toEqual(["a", "b"]);
    expect((await cli(["nnls", q("salmon/S1/quant.genes.sf"), "--sample-names", "a,b"])).code).toBe(2);
  });

  it("a gene missing from one file names the file and gene; --genes intersect keeps the common genes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cellfrac-quant-"));
    const short = join(dir, "short.tsv");
    const lines = readFileSync(q("plain-tpm.tsv"), "utf8").split("\n");
    writeFileSync(
      short,
      `${lines
        .slice(0, 101)
        .join("\n")
        .replace(/\tS1\tS2\tS3/, "\tT1\tT2\tT3")}\n`,
    );
    const r = await cli(["nnls", q("plain-tpm.tsv"), short]);
    expect(r.code).toBe(3);
    expect(r.err).toContain(
      `${short}, gene "${lines[101].split("\t")[0]}": gene of ${q("plain-tpm.tsv")} missing from this file (and 49 more genes)`,
    );
    const m = read([q("plain-tpm.tsv"), short], { genes: "intersect" });
    expect(m.rows).toEqual(lines.slice(1, 101).map((l) => l.split("\t")[0]));
    expect(m.cols).toEqual(["S1", "S2", "S3", "T1", "T2", "T3"]);
  });

  it("the same sample name in two files is refused", () => {
    expect(() => read([q("salmon/S1/quant.genes.sf"), q("rsem/S1.genes.results")])).toThrow(
      /sample "S1" is also a sample of .*--sample-names/,
    );
  });

  it.each([
    [["nnls", q("kallisto/S1/abundance.tsv")], 3, /transcript-level values \(e\.g\. "ENST0000000000\.1"\): give --tx2gene FILE/],
    [["nnls", q("salmon/S1/quant.sf"), "--value", "fpkm"], 2, /this Salmon quant file has no FPKM values; --value tpm or counts/],
    [["nnls", q("star/S1/ReadsPerGene.out.tab"), "--value", "tpm"], 2, /read counts only .*--value counts/],
    [["nnls", q("plain-tpm.tsv"), "--value", "rpkm"], 2, /--value takes tpm, counts or fpkm/],
    [["nnls", q("plain-tpm.tsv"), "--value", "counts"], 2, /--value applies to quantifier outputs .*; no mixture file is one/],
    [["nnls", q("rsem/S1.genes.results"), "--tx2gene", q("tx2gene.tsv")], 2, /--tx2gene applies to transcript-level files/],
    [["nnls", q("plain-gsm.tsv"), "--probe-map", q("geo/GPL-probe-map.tsv")], 2, /--probe-map applies to GEO series matrices/],
  ])("refused: %j", async (args, code, message) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
  });

  it("a gene_name twice in a GDC file: the duplicate message names the file's lines; --duplicates merges", () => {
    const dir = mkdtempSync(join(tmpdir(), "cellfrac-quant-"));
    const lines = readFileSync(q("gdc/S1.rna_seq.augmented_star_gene_counts.tsv"), "utf8").trimEnd().split("\n");
    // Line 7 is the first gene (after the # line, the header and four N_ rows); line 9's gene_name becomes its.
    const gene = lines[6].split("\t")[1];
    const f = join(dir, "S9.tsv");
    writeFileSync(f, `${lines.map((l, i) => (i === 8 ? l.replace(/\t[^\t]+/, `\t${gene}`) : l)).join("\n")}\n`);
    expect(() => read([f])).toThrow(`1 gene symbol occurs more than once: "${gene}" (lines 7, 9)`);
    const m = read([f], { duplicates: "first" });
    expect(m.rows.length).toBe(149);
    expect(m.cols).toEqual(["S9"]);
  });

  it("transcripts missing from --tx2gene are named", () => {
    const dir = mkdtempSync(join(tmpdir(), "cellfrac-quant-"));
    const t = join(dir, "t2g.tsv");
    writeFileSync(t, `${readFileSync(q("tx2gene.tsv"), "utf8").split("\n").slice(0, 100).join("\n")}\n`);
    expect(() => read([q("kallisto/S1/abundance.tsv")], { tx2gene: t })).toThrow(
      /201 of 300 transcripts are not in the --tx2gene table: "ENST0000000099\.1"/,
    );
  });

  it("GEO: a truncated file and a series without a table get their own messages", () => {
    const dir = mkdtempSync(join(tmpdir(), "cellfrac-quant-"));
    const text = readFileSync(q("geo/GSE2000_series_matrix.txt"), "utf8");
    const cut = join(dir, "cut_series_matrix.txt");
    writeFileSync(cut, `${text.split("\n").slice(0, 20).join("\n")}\n`);
    expect(() => read([cut])).toThrow(/without a !series_matrix_table_end line \(is the file truncated\?\)/);
    const empty = join(dir, "empty_series_matrix.txt");
    writeFileSync(empty, `${text.split("\n").slice(0, 6).join("\n")}\n!series_matrix_table_end\n`);
    expect(() => read([empty])).toThrow(/no expression rows: the series' values are in its supplementary files/);
  });
});

describe("--na drop-gene", { timeout: 60_000 }, () => {
  it("drops genes with a missing value and names the signature genes among them; default: exit 3 naming the cell", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cellfrac-quant-"));
    const lines = readFileSync(q("plain-tpm.tsv"), "utf8").trimEnd().split("\n");
    const genes = [2, 5].map((i) => lines[i].split("\t")[0]);
    const withNa = lines.map((l, i) =>
      i === 2 ? l.replace(/\t[^\t]+$/, "\tNA") : i === 5 ? l.replace(/\t/, "\t\t").replace(/\t\t[^\t]+/, "\t") : l,
    );
    const f = join(dir, "na.tsv");
    writeFileSync(f, `${withNa.join("\n")}\n`);
    const strict = await cli(["nnls", f]);
    expect(strict.code).toBe(3);
    expect(strict.err).toContain(`na.tsv:3:4, gene "${genes[0]}", sample "S3": missing value "NA"`);
    const r = await cli(["nnls", f, "--na", "drop-gene"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`dropped 2 genes with a missing value: ${genes.join(", ")}`);
    expect(r.err).toContain(`signature genes among the 2 dropped for missing values — LM22: ${genes.join(", ")}`);
    // The result is that of the file without those genes.
    const without = join(dir, "without.tsv");
    writeFileSync(without, `${lines.filter((_, i) => i !== 2 && i !== 5).join("\n")}\n`);
    expect(r.out).toBe((await cli(["nnls", without, "-q"])).out);
  });
});
