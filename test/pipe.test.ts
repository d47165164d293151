// Mixtures from standard input ("-") and from pipes (bash process substitution, a FIFO): the same output as
// the file, messages naming the argument, and CIBERSORT's second pass over merged rows still possible.
import { execFileSync, spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readMatrixFile } from "../src/node/read.js";
import { readCibersortMixture } from "../src/node/mixture.js";
import { dataFile } from "./helpers/reference.js";

const CLI = fileURLToPath(new URL("../dist/node/cli.js", import.meta.url));
const MIX = dataFile("cibersort_example_mixtures/ExampleMixtures_GEPs.tsv.gz");
const ZSTD = fileURLToPath(new URL("fixtures/parquet/duckdb-lm22-zstd.parquet", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cellfrac-pipe-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], input?: Uint8Array) => spawnSync(process.execPath, [CLI, ...args], { input, encoding: "utf8" });

describe("standard input and pipes", { timeout: 120_000 }, () => {
  const byFile = run(["nnls", MIX, "-q"]);
  it("`-` reads the mixture from standard input, gzipped or not: the file's output", () => {
    expect(byFile.status).toBe(0);
    expect(byFile.stdout.split("\n").length).toBeGreaterThan(3);
    const plain = run(["nnls", "-", "-q"], gunzipSync(readFileSync(MIX)));
    expect(plain.stderr).toBe("");
    expect(plain.stdout).toBe(byFile.stdout);
    expect(run(["nnls", "-", "-q"], readFileSync(MIX)).stdout).toBe(byFile.stdout);
  });

  it("process substitution (/dev/fd/N, not seekable) works: today's ESPIPE is gone", () => {
    const out = execFileSync("bash", ["-c", 'exec "$0" "$1" nnls <(zcat "$2") -q', process.execPath, CLI, MIX], { encoding: "utf8" });
    expect(out).toBe(byFile.stdout);
  });

  it("Parquet from standard input (read by offsets from the buffered copy)", () => {
    const want = run(["nnls", ZSTD, "-q"]);
    expect(want.status).toBe(0);
    expect(run(["nnls", "-", "-q"], readFileSync(ZSTD)).stdout).toBe(want.stdout);
  });

  it("a bad cell from standard input: exit 3, the message names standard input, line, column, gene, sample", () => {
    const r = run(["nnls", "-"], new TextEncoder().encode("gene\tS1\nCD3E\t1\nCD4\tx\n"));
    expect(r.status).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/standard input:3:2, gene "CD4", sample "S1": not a number: "x"/);
  });

  it("CIBERSORT's reader through a FIFO: merged duplicate rows need the second pass; same matrix and maximum", async () => {
    const sig = readMatrixFile(fileURLToPath(new URL("../data/LM22.tsv", import.meta.url)));
    // log2-scale values (max < 50: the anti-log rule applies) and a duplicated non-signature gene.
    const rows = sig.rows.slice(0, 40).map((g, i) => `${g}\t${(i % 7) + 1.5}\t${(i % 5) + 2.25}`);
    const text = `${["gene\tS1\tS2", "NOTASIGGENE\t3\t4", ...rows, "NOTASIGGENE\t9\t1"].join("\n")}\n`;
    const file = join(dir, "mix.tsv");
    writeFileSync(file, text);
    const want = await readCibersortMixture(file, sig, { duplicates: "mean" });
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = new Promise<void>((resolve, reject) => {
      const w = createWriteStream(fifo);
      w.on("error", reject);
      w.end(text, resolve);
    });
    const got = await readCibersortMixture(fifo, sig, { duplicates: "mean" });
    await writer;
    expect(got.mixtureMax).toBe(want.mixtureMax);
    expect(got.mixture.rows).toEqual(want.mixture.rows);
    expect(Array.from(got.mixture.data)).toEqual(Array.from(want.mixture.data));
  });
});
