// Numeric annotation columns of quantifier outputs (Length, EffectiveLength, NumReads, …) are never samples,
// in any file (issue 12): Arrow IPC, Parquet and HDF5 tables are refused as a text table with the same
// column is (quant.ts checkAnnotationColumns, one rule): exit 3, the text reader's message, no output — by
// the whole-file reader, the streamed one and the CLI. Fixtures (test/fixtures/annotation/, README.md there,
// 46 kB) are written by apache-arrow, DuckDB and anndata from the Salmon fixtures of test/fixtures/quant.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Dictionary, Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { readMatrixFile } from "../src/node/read.js";
import { streamMatrixFile } from "../src/node/stream.js";
import { formatParquet } from "../src/core/formats/parquet.js";
import { cli } from "./helpers/cli.js";

const fx = (f: string) => fileURLToPath(new URL(`fixtures/annotation/${f}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cellfrac-annot-"));

/** Salmon's quant.genes.sf of sample S as rows of fields (split here: cellfrac's reader is under test). */
const salmon = (s: string) =>
  readFileSync(fileURLToPath(new URL(`fixtures/quant/salmon/${s}/quant.genes.sf`, import.meta.url)), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split("\t"));
const [s1, s2, s3] = ["S1", "S2", "S3"].map(salmon);

/** A TSV with these columns: [header, value of row i]. */
function tsv(name: string, cols: [string, (i: number) => string][]): string {
  const f = join(dir, name);
  const lines = [cols.map(([h]) => h).join("\t"), ...s1.map((_, i) => cols.map(([, v]) => v(i)).join("\t"))];
  writeFileSync(f, `${lines.join("\n")}\n`);
  return f;
}

/** The error line of a refused run, the file's name replaced (to compare a format with its text twin). */
async function refusal(file: string, cmd: string[]): Promise<string> {
  const out = join(dir, `out-${basename(file)}.tsv`);
  const r = await cli(...cmd, file, "-o", out, "-q");
  expect(r.code).toBe(3);
  expect(r.out).toBe("");
  expect(existsSync(out)).toBe(false);
  const line = r.err.split("\n").find((l) => l.startsWith("cellfrac: error:")) ?? r.err;
  return line.replace(file, "FILE");
}

const gene = (i: number) => s1[i][0];
const CASES = [
  {
    file: "merged-length.arrow",
    twin: () => tsv("merged-length.tsv", [["gene", gene], ["Length", (i) => s1[i][1]], ...tpm()]),
    message: 'FILE:1:2: column "Length" is a quantifier\'s annotation column, not a sample',
  },
  {
    file: "merged-numreads.parquet",
    twin: () => {
      const [a, ...rest] = tpm();
      return tsv("merged-numreads.tsv", [["gene", gene], a, ["NumReads", (i) => s1[i][4]], ...rest]);
    },
    message: 'FILE:1:3: column "NumReads" is a quantifier\'s annotation column, not a sample',
  },
];
function tpm(): [string, (i: number) => string][] {
  return [s1, s2, s3].map((s, k) => [`S${k + 1}`, (i: number) => s[i][3]]);
}

describe("annotation columns are refused in every format, as in text", { timeout: 120_000 }, () => {
  for (const c of CASES) {
    it(`${c.file}: the text twin's message, exit 3, no output (nnls whole, cibersort streamed)`, async () => {
      const twin = c.twin();
      for (const cmd of [["nnls"], ["cibersort", "--perm", "0", "--threads", "1"]]) {
        const want = await refusal(twin, cmd);
        expect(want).toContain(c.message);
        expect(await refusal(fx(c.file), cmd)).toBe(want);
      }
      expect(() => readMatrixFile(fx(c.file))).toThrow(c.message.replace("FILE", fx(c.file)));
      await expect(streamMatrixFile(fx(c.file), {})).rejects.toThrow(c.message.replace("FILE", fx(c.file)));
    });
  }

  it("a Salmon quant.genes.sf saved as Arrow is refused at Length (Salmon writes no Arrow)", async () => {
    const msg = await refusal(fx("salmon-genes.arrow"), ["nnls"]);
    expect(msg).toContain('FILE:1:2: column "Length" is a quantifier\'s annotation column, not a sample');
    expect(await refusal(fx("salmon-genes.arrow"), ["cibersort", "--perm", "0", "--threads", "1"])).toBe(msg);
  });

  it("an AnnData file whose obs are Salmon's columns (quant.T) is refused by sample name", async () => {
    const h5 = fx("salmon-genes-T.h5ad");
    for (const cmd of [["nnls"], ["cibersort", "--perm", "0", "--threads", "1"]]) {
      expect(await refusal(h5, cmd)).toBe(
        'cellfrac: error: mixture FILE: column "Length" is a quantifier\'s annotation column, not a sample, and the file is ' +
          "none of the layouts cellfrac reads (Salmon, kallisto, RSEM, GDC STAR counts, STAR ReadsPerGene, featureCounts): give " +
          "the tool's output as it wrote it, or a table of genes × samples without annotation columns",
      );
    }
  });
});

describe("Arrow's gene column must hold strings", { timeout: 60_000 }, () => {
  it("a table without its gene column (R's write_feather drops row names) is refused, not read with numbers as genes", async () => {
    const f = fx("no-gene-column.arrow");
    const msg = await refusal(f, ["nnls"]);
    expect(msg).toBe(
      'cellfrac: error: mixture FILE:1: the first column, "S1", holds Float64, not gene symbols (strings): ' +
        "an Arrow mixture has the genes in its first column",
    );
    expect(await refusal(f, ["cibersort", "--perm", "0", "--threads", "1"])).toBe(msg);
  });

  it("a dictionary-encoded gene column (pandas' category, R's factor) reads as the TSV", async () => {
    const t = new Table({
      gene: vectorFromArray(
        s1.map((r) => r[0]),
        new Dictionary(new Utf8(), new Int32()),
      ),
      S1: vectorFromArray(
        s1.map((r) => Number(r[3])),
        new Float64(),
      ),
    });
    const f = join(dir, "dict.arrow");
    writeFileSync(f, tableToIPC(t, "file"));
    const want = readMatrixFile(
      tsv("dict.tsv", [
        ["gene", gene],
        ["S1", (i) => s1[i][3]],
      ]),
    );
    for (const m of [readMatrixFile(f), (await streamMatrixFile(f, {}))!.matrix]) {
      expect(m.rows).toEqual(want.rows);
      expect(Array.from(m.data)).toEqual(Array.from(want.data));
    }
  });
});

describe("long Arrow/Parquet tables with numbers for sample IDs", { timeout: 60_000 }, () => {
  it("are refused (exit 3, no output) rather than read wide as two samples and merged by --duplicates", async () => {
    const genes = s1.flatMap((r) => [r[0], r[0], r[0]]);
    const ids = s1.flatMap(() => [1, 2, 3]);
    const tpm = s1.flatMap((_, i) => [s1, s2, s3].map((s) => Number(s[i][3])));
    const arrow = join(dir, "long-ids.arrow");
    const t = new Table({
      gene: vectorFromArray(genes, new Utf8()),
      sample_id: vectorFromArray(ids, new Int32()),
      tpm: vectorFromArray(tpm, new Float64()),
    });
    writeFileSync(arrow, tableToIPC(t, "file"));
    const parquet = join(dir, "long-ids.parquet");
    writeFileSync(
      parquet,
      formatParquet("gene", ["sample_id", "tpm"], genes, (r, c) => (c === 0 ? ids[r] : tpm[r])),
    );
    for (const f of [arrow, parquet]) {
      const msg = 'FILE: a long table whose sample IDs are numbers (column "sample_id")';
      expect(await refusal(f, ["nnls", "--duplicates", "mean"])).toContain(msg);
      expect(await refusal(f, ["cibersort", "--duplicates", "mean", "--perm", "0", "--threads", "1"])).toContain(msg);
      expect(() => readMatrixFile(f, { duplicates: "mean" })).toThrow(/a long table whose sample IDs are numbers/);
    }
  });
});
