// Files that are not tables we read get an honest diagnosis (exit 3, no output), and messages name the
// file's role: mixture, signature (whose columns are cell types), gene sets.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { isHdf5, unreadableKind } from "../src/core/formats/sniff.js";
import { parseMatrix } from "../src/core/formats/read.js";
import { seededRandom } from "./helpers/random.js";
import { dataFile } from "./helpers/reference.js";

const CLI = fileURLToPath(new URL("../dist/node/cli.js", import.meta.url));
const MIX = dataFile("cibersort_example_mixtures/ExampleMixtures_GEPs.tsv.gz");
const LM22 = fileURLToPath(new URL("../data/LM22.tsv", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cellfrac-sniff-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (...parts: (string | ArrayLike<number>)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : Array.from(p))));
const random = (n: number, seed: number) => {
  const r = seededRandom(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
};
// A zip local-file header as every xlsx starts (ECMA-376: the first entry is [Content_Types].xml).
const XLSX = bytes(
  "PK",
  [3, 4, 20, 0, 6, 0, 8, 0, 0, 0, 33, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 19, 0, 0, 0],
  "[Content_Types].xml",
  random(200, 1),
);
const HDF5 = bytes([0x89], "HDF\r\n", [0x1a, 0x0a, 0, 0, 0, 0, 0, 8, 8, 0, 4, 0, 16, 0]);
const CASES: [string, Uint8Array, RegExp][] = [
  ["book.xlsx", XLSX, /this is an Excel workbook \(xlsx\), not a text table: save the sheet as tab-separated text or CSV/],
  [
    "data.zip",
    bytes("PK", [3, 4, 20, 0], "mixture.tsv", random(100, 2)),
    /this is a zip archive, which cellfrac does not read: extract it/,
  ],
  ["old.xls", bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], random(100, 3)), /this is an old Excel workbook \(xls\)/],
  ["pbmc.h5ad", bytes(HDF5, random(600, 4)), /this is an HDF5 file \(AnnData \.h5ad, 10x or ARCHS4\?\) of a layout cellfrac does not read/],
  ["m.tsv.bz2", bytes("BZh91AY&SY", random(60, 5)), /this is bzip2-compressed, which cellfrac does not inflate \(only gzip\)/],
  ["m.tsv.xz", bytes([0xfd], "7zXZ", [0], random(60, 6)), /this is xz-compressed/],
  ["m.tsv.zst", bytes([0x28, 0xb5, 0x2f, 0xfd], random(60, 7)), /this is zstd-compressed/],
  ["m.7z", bytes("7z", [0xbc, 0xaf, 0x27, 0x1c], random(60, 8)), /this is 7-Zip-compressed/],
  ["random.bin", random(5000, 9), /this is binary data, not a text table/],
];

describe("sniffing", () => {
  it("each kind is told by its first bytes; text tables (with a stray control character, UTF-8, GCT) are not refused", () => {
    for (const [name, b, re] of CASES) expect(`this is ${unreadableKind(b)}`, name).toMatch(re);
    expect(isHdf5(HDF5)).toBe(true);
    expect(isHdf5(bytes(new Array(512).fill(0), HDF5))).toBe(true); // after a 512-byte user block
    expect(isHdf5(bytes("gene\tS1\n"))).toBe(false);
    const text = new TextEncoder().encode("gene\tS1\u0007\tS2\nÅ1\t1\t2\n基因\t3\t4\n");
    expect(unreadableKind(text)).toBeUndefined();
    expect(unreadableKind(new TextEncoder().encode("#1.2\n2\t1\nName\tDescription\tS1\nA\tx\t1\nB\ty\t2\n"))).toBeUndefined();
  });

  it("the whole-file reader refuses them with the file's role and name, gzipped too", () => {
    // HDF5 goes to the HDF5 reader (branch hdf5), which names its own refusal: only the unit test above here.
    for (const [name, b, re] of CASES.filter(([n]) => !n.endsWith(".h5ad"))) {
      expect(() => parseMatrix(b, { name, what: "mixture" }), name).toThrow(
        new RegExp(`^mixture ${name.replace(".", "\\.")}: ${re.source}`),
      );
    }
    expect(() => parseMatrix(gzipSync(random(5000, 9)), { name: "r.gz", what: "signature" })).toThrow(
      /^signature r\.gz: this is binary data/,
    );
  });

  it("the CLI: exit 3, the message, no output file (streamed mixture, signature, gene sets)", { timeout: 120_000 }, () => {
    for (const [name, b, re] of CASES.filter(([n]) => !n.endsWith(".h5ad"))) {
      const path = join(dir, name);
      writeFileSync(path, b);
      const out = join(dir, `${name}.out.tsv`);
      const r = spawnSync(process.execPath, [CLI, "nnls", path, "-o", out], { encoding: "utf8" });
      expect(r.status, name).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`^cellfrac: error: mixture ${path.replaceAll(".", "\\.")}: ${re.source}`));
      expect(existsSync(out)).toBe(false);
    }
    const bin = join(dir, "random.bin");
    const sig = spawnSync(process.execPath, [CLI, "nnls", MIX, "--signature", bin], { encoding: "utf8" });
    expect(sig.status).toBe(3);
    expect(sig.stderr).toMatch(/error: signature .*random\.bin: this is binary data/);
    const sets = spawnSync(process.execPath, [CLI, "score", MIX, "--method", "ssgsea", "--gene-sets", bin], { encoding: "utf8" });
    expect(sets.status).toBe(3);
    expect(sets.stderr).toMatch(/error: gene sets .*random\.bin: this is binary data/);
  });

  it("a broken signature names the cell type, not a sample; a '#' first line is explained", { timeout: 60_000 }, () => {
    const lines = readFileSync(LM22, "utf8").split("\n");
    const f = lines[10].split("\t");
    f[5] = "abc";
    lines[10] = f.join("\t");
    const broken = join(dir, "LM22-broken.tsv");
    writeFileSync(broken, lines.join("\n"));
    const r = spawnSync(process.execPath, [CLI, "nnls", MIX, "--signature", broken], { encoding: "utf8" });
    expect(r.status).toBe(3);
    expect(r.stderr).toBe(`cellfrac: error: signature ${broken}:11:6, gene "AIF1", cell type "T cells CD4 naive": not a number: "abc"\n`);
    const fc = new TextEncoder().encode('# Program:featureCounts v2.0.3; Command:"featureCounts" "-a" "g.gtf"\nGeneid\tS1\nCD3E\t5\n');
    expect(() => parseMatrix(fc, { name: "counts.txt", what: "mixture" })).toThrow(
      /^mixture counts\.txt:1: line 1 begins with "#", a comment in the formats that define one, not in TSV\/CSV tables/,
    );
  });
});
