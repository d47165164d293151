// The Node API reads every mixture the CLI reads (issue 12): HDF5 (.h5ad, ARCHS4-style) given by path —
// streamed block by block by loadMixture, runMethod and cibersort, as the CLI streams it — HDF5 among
// several files, long tables with layout, and HDF5 options; each API result equals the CLI's output byte
// for byte. Fixtures: test/fixtures/hdf5 (anndata/h5py; README.md there).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { cibersort, loadMixture, readMixture, resultText, runMethod, toResultsTable, type Matrix } from "../src/node/index.js";

const fx = (f: string) => fileURLToPath(new URL(`fixtures/hdf5/${f}`, import.meta.url));
/** CIBERSORT without permutations, one thread, the exact solver (the fastest here; both solvers read alike). */
const CIB = { perm: 0, threads: 1, solver: "exact" as const };
const CIB_ARGS = ["--perm", "0", "--threads", "1", "--solver", "exact"];
const dir = mkdtempSync(join(tmpdir(), "cellfrac-api-mix-"));

async function cli(...argv: string[]): Promise<string> {
  let out = "";
  let err = "";
  const code = await main([...argv, "-q"], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: false });
  expect(code, err).toBe(0);
  return out;
}

function expectSame(got: Matrix, want: Matrix): void {
  expect(got.rows).toEqual(want.rows);
  expect(got.cols).toEqual(want.cols);
  expect(Array.from(got.data)).toEqual(Array.from(want.data));
}

/** HDF5 fixtures, the API options and the CLI arguments that read them, and their TSV twins. */
const FILES = [
  { file: "csr-f32.h5ad", api: { hdf5: { varColumn: "gene_symbols" } }, args: ["--var-column", "gene_symbols"], tsv: "mixture.tsv" },
  { file: "genes-as-obs.h5ad", api: { hdf5: { transpose: true } }, args: ["--transpose"], tsv: "mixture.tsv" },
  { file: "archs4.h5", api: {}, args: [], tsv: "archs4.tsv" },
];

describe("the Node API reads HDF5 as the CLI does", { timeout: 180_000 }, () => {
  it("readMixture (synchronous) names loadMixture while h5wasm is not loaded", () => {
    expect(() => readMixture(fx("archs4.h5"))).toThrow(/archs4\.h5: an HDF5 file: h5wasm is not loaded; read it with loadMixture/);
  });

  for (const f of FILES) {
    it(`${f.file}: loadMixture equals the TSV; runMethod and cibersort print the CLI's bytes`, async () => {
      expectSame(await loadMixture(fx(f.file), f.api), readMixture(fx(f.tsv)));
      expectSame(readMixture(fx(f.file), f.api), readMixture(fx(f.tsv))); // h5wasm is loaded now
      const camel = f.args[0] === "--var-column" ? { varColumn: "gene_symbols" } : f.args[0] ? { transpose: true } : {};
      const nnls = await runMethod("nnls", fx(f.file), camel);
      expect(resultText(nnls, "tsv")).toBe(await cli("nnls", fx(f.file), ...f.args));
      const res = await cibersort(fx(f.file), { ...f.api, ...CIB });
      expect(toResultsTable(res)).toBe(await cli("cibersort", fx(f.file), ...f.args, ...CIB_ARGS));
    });
  }

  it("HDF5 among several files, with sample names and --samples-from: API == CLI", async () => {
    const files = [fx("dense-f64.h5ad"), fx("archs4.h5")];
    const names = "A,B,C,D,E,F,G,H,I,J,K,L,M";
    const merged = await loadMixture(files, { genes: "intersect", sampleNames: names });
    const twin = readMixture([fx("mixture.tsv"), fx("archs4.tsv")], { genes: "intersect", sampleNames: names });
    expectSame(merged, twin);
    const args = ["--genes", "intersect", "--sample-names", names, ...CIB_ARGS];
    const res = await cibersort(files, { genes: "intersect", sampleNames: names, ...CIB });
    expect(toResultsTable(res)).toBe(await cli("cibersort", ...files, ...args));
    const nnls = await runMethod("nnls", files, { genes: "intersect", sampleNames: names });
    expect(resultText(nnls, "tsv")).toBe(await cli("nnls", ...files, "--genes", "intersect", "--sample-names", names));
    // --samples-from in a whole read (--na drop-gene): the listed samples, in the list's order.
    const picked = await loadMixture(fx("archs4.h5"), { na: "drop-gene", hdf5: { samplesFile: fx("samples.txt") } });
    expect(picked.cols).toEqual(["GSM2877005", "GSM2877001", "GSM2877002"]);
    const opts = { na: "drop-gene", samplesFrom: fx("samples.txt") };
    expect(resultText(await runMethod("nnls", fx("archs4.h5"), opts), "tsv")).toBe(
      await cli("nnls", fx("archs4.h5"), "--na", "drop-gene", "--samples-from", fx("samples.txt")),
    );
  });

  it("HDF5 options on a file that is not HDF5 are refused in a whole read too (exit 3), not ignored", async () => {
    await expect(loadMixture([fx("mixture.tsv"), fx("archs4.tsv")], { genes: "intersect", hdf5: { transpose: true } })).rejects.toThrow(
      /mixture\.tsv: --transpose applies to HDF5 files/,
    );
  });

  it("long tables with layout: 'long', alone (streamed) or several (merged); a wide file then is refused", async () => {
    const asLong = (tsv: string): string => {
      const m = readMixture(fx(tsv));
      const lines = ["sample\tgene\tvalue"];
      m.cols.forEach((s, c) => m.rows.forEach((g, r) => lines.push(`${s}\t${g}\t${m.data[r + c * m.rows.length]}`)));
      const f = join(dir, `long-${tsv}`);
      writeFileSync(f, `${lines.join("\n")}\n`);
      return f;
    };
    const [a, b] = [asLong("archs4.tsv"), asLong("mixture.tsv")];
    expectSame(await loadMixture(a, { layout: "long" }), readMixture(fx("archs4.tsv")));
    const opts = { layout: "long" as const, genes: "intersect" as const };
    expectSame(await loadMixture([a, b], opts), readMixture([fx("archs4.tsv"), fx("mixture.tsv")], { genes: "intersect" }));
    await expect(loadMixture([a, fx("mixture.tsv")], opts)).rejects.toThrow(/mixture\.tsv:1: --layout long: not a long table/);
  });
});
