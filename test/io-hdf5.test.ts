// HDF5 mixtures (AnnData .h5ad, ARCHS4-style) read through h5wasm: each fixture, written by anndata or h5py
// (test/fixtures/hdf5/make-fixtures.py, README.md there), equals its TSV cell for cell, streamed or whole, in
// blocks of any size; the CLI gives the TSV's bytes; refused files exit 3 with a message and write nothing.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { loadHdf5 } from "../src/node/host.js";
import { readMatrixFile } from "../src/node/read.js";
import { readMatrixStreamed, streamMatrixFile } from "../src/node/stream.js";
import { type Hdf5Options, isHdf5, readHdf5 } from "../src/core/formats/hdf5.js";
import type { Matrix } from "../src/core/matrix.js";
import { hdf5Options } from "../src/core/mixtures.js";

const fx = (f: string) => fileURLToPath(new URL(`fixtures/hdf5/${f}`, import.meta.url));
const MIX = fx("mixture.tsv");
const ARCHS4 = fx("archs4.tsv");

/** Every AnnData fixture with the options that read it, and the TSV it must equal. */
const CASES: { file: string; opts: Hdf5Options; tsv: string; layout: string }[] = [
  { file: "dense-f64.h5ad", opts: {}, tsv: MIX, layout: "AnnData (X dense float64)" },
  { file: "dense-f32.h5ad", opts: {}, tsv: MIX, layout: "AnnData (X dense float32)" },
  { file: "csr-f32.h5ad", opts: { varColumn: "gene_symbols" }, tsv: MIX, layout: "AnnData (X CSR float32)" },
  { file: "csr-f32.h5ad", opts: { varColumn: "symbol_cat" }, tsv: MIX, layout: "AnnData (X CSR float32)" },
  { file: "csc-f64.h5ad", opts: { varColumn: "gene_symbols" }, tsv: MIX, layout: "AnnData (X CSC float64)" },
  { file: "genes-as-obs.h5ad", opts: { transpose: true }, tsv: MIX, layout: "AnnData (X dense float64)" },
  { file: "archs4.h5", opts: {}, tsv: ARCHS4, layout: "ARCHS4 (uint32)" },
  { file: "archs4-v1.h5", opts: {}, tsv: ARCHS4, layout: "ARCHS4 (float64)" },
];

function expectSame(m: Matrix, want: Matrix): void {
  expect(m.rows).toEqual(want.rows);
  expect(m.cols).toEqual(want.cols);
  expect(m.data.length).toBe(want.data.length);
  // Cell for cell (Object.is: -0 and 0 differ too).
  let diff = 0;
  for (let i = 0; i < m.data.length; i++) if (!Object.is(m.data[i], want.data[i])) diff++;
  expect(diff).toBe(0);
}

async function run(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

describe("HDF5 fixtures equal their TSVs", { timeout: 120_000 }, () => {
  it("sniffed by content: HDF5's signature, not a TSV's first bytes", () => {
    expect(isHdf5(readFileSync(fx("dense-f64.h5ad")))).toBe(true);
    expect(isHdf5(readFileSync(MIX))).toBe(false);
  });

  for (const c of CASES) {
    it(`${c.file} ${JSON.stringify(c.opts)}: whole, streamed with kept rows, and in tiny blocks`, async () => {
      const want = readMatrixFile(c.tsv);
      const whole = await readMatrixStreamed(fx(c.file), { hdf5: c.opts });
      expectSame(whole, want);

      // Kept rows, maxima and gene list as the TSV stream gives them.
      const keep = (g: string) => g.charCodeAt(0) % 3 === 0;
      const a = (await streamMatrixFile(fx(c.file), { hdf5: c.opts, keepRows: keep }))!;
      const b = (await streamMatrixFile(c.tsv, { keepRows: keep }))!;
      expectSame(a.matrix, b.matrix);
      expect(a.genes).toEqual(b.genes);
      expect([...a.rowMax]).toEqual([...b.rowMax]);
      expect(a.max).toBe(b.max);

      // Blocks of 1 and 7 values: one major index per read, the block loop's every edge.
      const lib = await loadHdf5();
      for (const block of [1, 7 * want.rows.length + 3]) {
        const r = readHdf5(lib, fx(c.file), c.file, c.opts, undefined, block);
        expect(r.layout).toBe(c.layout);
        expectSame(r.matrix, want);
      }
    });
  }

  it("float32 values are taken as stored and widened exactly (not rounded to a short decimal)", async () => {
    const m = await readMatrixStreamed(fx("f32-fractions.h5ad"));
    // The TSV holds Python's repr of each widened value; Number() rounds correctly (cellfrac's TSV reader
    // rounds as R does, not always correctly, so it is not the judge here).
    const lines = readFileSync(fx("f32-fractions.tsv"), "utf8").trim().split("\n").slice(1);
    const want = lines.map((l) => l.split("\t").slice(1).map(Number));
    expect(m.rows).toEqual(["CD3E", "CD8A", "MS4A1"]);
    for (let g = 0; g < 3; g++) {
      for (let s = 0; s < 3; s++) {
        const v = m.data[g + 3 * s];
        expect(v).toBe(want[g][s]);
        expect(Math.fround(v)).toBe(v);
      }
    }
    expect(m.data[0]).not.toBe(0.1);
  });

  it("--samples-from picks samples by ID in the list's order; an unknown ID is named", async () => {
    const all = readMatrixFile(ARCHS4);
    const ids = ["GSM2877005", "GSM2877001", "GSM2877002"];
    const lib = await loadHdf5();
    for (const block of [1, 1 << 22]) {
      const r = readHdf5(lib, fx("archs4.h5"), "archs4.h5", { samples: ids }, undefined, block);
      expect(r.matrix.cols).toEqual(ids);
      for (const [c, id] of ids.entries()) {
        const k = all.cols.indexOf(id);
        expect([...r.matrix.data.subarray(c * all.rows.length, (c + 1) * all.rows.length)]).toEqual([
          ...all.data.subarray(k * all.rows.length, (k + 1) * all.rows.length),
        ]);
      }
    }
    const t = readHdf5(lib, fx("genes-as-obs.h5ad"), "g.h5ad", { transpose: true, samples: ["Mix4", "Mix2"] });
    expect(t.matrix.cols).toEqual(["Mix4", "Mix2"]);
    expect(() => readHdf5(lib, fx("archs4.h5"), "a.h5", { samples: ["GSM1"], samplesFile: "ids.txt" })).toThrow(
      /sample "GSM1" \(ids.txt, ID 1\) is not in the file \(8 samples\)/,
    );
    expect(() => readHdf5(lib, fx("archs4.h5"), "a.h5", { samples: ["GSM2877001", "GSM2877001"] })).toThrow(/listed twice/);
  });
});

describe("the CLI", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "cellfrac-hdf5-"));

  it("nnls on each HDF5 file prints the bytes of nnls on its TSV", async () => {
    const ref = { [MIX]: (await run("nnls", MIX, "-q")).out, [ARCHS4]: (await run("nnls", ARCHS4, "-q")).out };
    for (const c of CASES) {
      const args = [...(c.opts.transpose ? ["--transpose"] : []), ...(c.opts.varColumn ? ["--var-column", c.opts.varColumn] : [])];
      const r = await run("nnls", fx(c.file), ...args, "-q");
      expect(r.code, r.err).toBe(0);
      expect(r.out, c.file).toBe(ref[c.tsv]);
    }
  });

  // The exact solver: the libsvm trajectory on the near-noiseless example mixtures takes ~10 s per fit (bench/RESULTS.md).
  it("cibersort streams an h5ad (signature rows only) to the TSV's table", async () => {
    const opts = ["--perm", "0", "--threads", "1", "--solver", "exact", "-q"];
    const tsv = await run("cibersort", MIX, ...opts);
    const h5 = await run("cibersort", fx("csr-f32.h5ad"), "--var-column", "gene_symbols", ...opts);
    expect(h5.code, h5.err).toBe(0);
    expect(h5.out).toBe(tsv.out);
  }, 120_000);

  it("the Node API streams an HDF5 path with its options", async () => {
    const { cibersort } = await import("../src/node/index.js");
    const opts = { perm: 0, threads: 1, solver: "exact" as const };
    const tsv = await cibersort(MIX, opts);
    const h5 = await cibersort(fx("genes-as-obs.h5ad"), { ...opts, hdf5: { transpose: true } });
    expect(h5.samples).toEqual(tsv.samples);
    expect([...h5.fractions.data]).toEqual([...tsv.fractions.data]);
    expect([...h5.correlation]).toEqual([...tsv.correlation]);
  }, 120_000);

  it("--samples-from FILE", async () => {
    const list = join(dir, "ids.txt");
    writeFileSync(list, "GSM2877003\nGSM2877000\n");
    const r = await run("nnls", fx("archs4.h5"), "--samples-from", list, "-q");
    expect(r.code, r.err).toBe(0);
    expect(
      r.out
        .split("\n")
        .slice(1, 3)
        .map((l) => l.split("\t")[0]),
    ).toEqual(["GSM2877003", "GSM2877000"]);
    expect((await run("nnls", fx("archs4.h5"), "--samples-from", join(dir, "none.txt"))).code).toBe(3);
  });

  it("--samples-from as bytes (the page, the API): the IDs parsed as from a file; none is the same error", () => {
    const bytes = (t: string) => ({ name: "ids.txt", bytes: new TextEncoder().encode(t) });
    expect(hdf5Options({ samplesFrom: bytes("GSM2877003\r\n\nGSM2877000,x\n") })).toEqual({
      transpose: false,
      varColumn: undefined,
      samplesFile: "ids.txt",
      samples: ["GSM2877003", "GSM2877000"],
    });
    expect(hdf5Options({ samplesFrom: "p.txt" })).toEqual({ transpose: false, varColumn: undefined, samplesFile: "p.txt" });
    expect(hdf5Options({})).toBeUndefined();
    expect(() => hdf5Options({ samplesFrom: bytes("\n\n") })).toThrow(/^ids\.txt: no sample IDs in the samples file$/);
  });

  const refused: [string, string[], RegExp][] = [
    ["unknown.h5", [], /unknown\.h5: an HDF5 file of a layout cellfrac does not read: top-level entries: results; cellfrac reads AnnData/],
    ["tenx.h5", [], /a 10x Genomics feature-barcode matrix/],
    ["huge-archs4.h5", [], /100,000,000 data rows exceeds the limit of 10,000,000 \(raise it with CELLFRAC_MAX_ROWS\)/],
    ["huge.h5ad", [], /100,000,000 data rows exceeds the limit/],
    ["csr-f32.h5ad", ["--var-column", "symbol"], /AnnData var has no column "symbol" \(it has: _index, gene_symbols, symbol_cat\)/],
    ["archs4.h5", ["--var-column", "gene"], /no meta\/genes\/gene \(meta\/genes has: ensembl_gene, symbol\)/],
    ["archs4.h5", ["--transpose"], /--transpose applies to AnnData files/],
    ["../../../test/fixtures/hdf5/mixture.tsv", ["--var-column", "x"], /--var-column applies to HDF5 files/],
  ];
  for (const [file, args, msg] of refused) {
    it(`refuses ${file} ${args.join(" ")}: exit 3, the message, no output file`, async () => {
      const out = join(dir, `${file.replace(/\W/g, "_")}.tsv`);
      const r = await run("nnls", fx(file), ...args, "-o", out);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(msg);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("an HDF5 signature: exit 3, HDF5 is read as a mixture only", async () => {
    const r = await run("nnls", MIX, "--signature", fx("dense-f64.h5ad"));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/dense-f64\.h5ad: an HDF5 file: .*read as a mixture given by its path only/);
  });

  it("a gzipped HDF5 file is named as such", async () => {
    const { gzipSync } = await import("node:zlib");
    const gz = join(dir, "x.h5ad.gz");
    writeFileSync(gz, gzipSync(readFileSync(fx("dense-f64.h5ad"))));
    const r = await run("nnls", gz);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/a gzipped HDF5 file: gunzip it first/);
  });

  it("--help lists the HDF5 options", async () => {
    const h = (await run("nnls", "--help")).out;
    expect(h).toMatch(/--transpose/);
    expect(h).toMatch(/--var-column C/);
    expect(h).toMatch(/--samples-from FILE/);
  });
});
