// streamMatrixFile on GCT 1.2/1.3, Parquet and Arrow IPC (file and stream, plain and gzipped) against
// readMatrixFile: same matrix bits, genes, errors and warnings; max and rowMax equal to those of a full read.
// And `cellfrac cibersort` on one file of each format equal to the whole-file path.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Float64, Int32, Int64, type RecordBatch, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { cibersortMatrices } from "../src/core/cibersort/index.js";
import { runFitsInProcess } from "../src/core/cibersort/fits.js";
import { toResultsJSON, toResultsTable } from "../src/core/cibersort/output.js";
import { parseCibersortArgs, runCibersort } from "../src/node/commands/cibersort.js";
import { coverageLine } from "../src/core/formats/results.js";
import { readSignature } from "../src/node/data.js";
import { InputError } from "../src/core/errors.js";
import { toSymbols } from "../src/core/genes.js";
import { formatArrow } from "../src/core/formats/arrow.js";
import { describeParquet, formatParquet } from "../src/core/formats/parquet.js";
import type { ReadOptions } from "../src/core/formats/read.js";
import { readMatrixFile } from "../src/node/read.js";
import { streamMatrixFile } from "../src/node/stream.js";
import type { Matrix } from "../src/core/matrix.js";
import { loadCore } from "../src/core/wasm.js";
import { dataFile } from "./helpers/reference.js";

const PARQUET = new URL("./fixtures/parquet/", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cellfrac-stream-formats-"));
let nfile = 0;
function put(name: string, content: string | Uint8Array): string {
  const p = join(dir, `${++nfile}-${name}`);
  writeFileSync(p, content);
  return p;
}

function bits(a: Float64Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length * 2));
}

type Result =
  | { error: { message: string; where: unknown } }
  | { m: Matrix; warnings: string[]; max?: number; genes?: string[]; rowMax?: Float64Array };

function caught(e: unknown): Result {
  if (!(e instanceof InputError)) throw e;
  return { error: { message: e.message, where: e.where } };
}

function whole(path: string, opts: ReadOptions): Result {
  const warnings: string[] = [];
  try {
    return { m: readMatrixFile(path, { ...opts, onWarning: (w) => warnings.push(w) }), warnings };
  } catch (e) {
    return caught(e);
  }
}

async function streamed(path: string, opts: ReadOptions, chunk?: number): Promise<Result> {
  const warnings: string[] = [];
  try {
    const r = await streamMatrixFile(path, { ...opts, onWarning: (w) => warnings.push(w) }, chunk);
    if (!r) throw new Error(`${path}: streamMatrixFile returned null`);
    return { m: r.matrix, warnings, max: r.max, genes: r.genes, rowMax: r.rowMax };
  } catch (e) {
    return caught(e);
  }
}

/**
 * Streamed = readMatrixFile, with and without keepRows (every 3rd gene, and none), for each chunk size;
 * when the file reads, genes and rowMax equal the full read's rows and row maxima (no duplicates in these
 * files). Returns the full read.
 */
async function expectSame(path: string, chunks: (number | undefined)[] = [undefined]): Promise<Result> {
  const full = whole(path, {});
  const rowsOf = "m" in full ? full.m.rows : [];
  const every3 = new Set(rowsOf.filter((_, i) => i % 3 === 1));
  for (const keepRows of [undefined, every3, new Set<string>()]) {
    // With keepRows the stream checks every row, readMatrixFile only the kept ones: errors compare to the full read.
    const want = "error" in full ? full : whole(path, { keepRows });
    for (const chunk of chunks) {
      const got = await streamed(path, { keepRows }, chunk);
      const label = `${path} keep ${keepRows?.size} chunk ${chunk}`;
      if ("error" in want) {
        expect("error" in got ? got.error : "no error", label).toEqual(want.error);
        continue;
      }
      if ("error" in got) throw new Error(`${label}: ${got.error.message}`);
      expect(got.m.rows, label).toEqual(want.m.rows);
      expect(got.m.cols, label).toEqual(want.m.cols);
      expect(got.m.rowHeader, label).toBe(want.m.rowHeader);
      expect(bits(got.m.data), label).toEqual(bits(want.m.data));
      expect(got.warnings, label).toEqual(want.warnings);
      if (!("m" in full)) continue;
      const f = full.m;
      expect(got.genes, label).toEqual(f.rows);
      const rowMax = f.rows.map((_, r) => Math.max(...f.cols.map((_, c) => f.data[r + c * f.rows.length])));
      expect(Array.from(got.rowMax!), label).toEqual(rowMax);
      expect(got.max, label).toBe(Math.max(...rowMax));
    }
  }
  return full;
}

describe("Parquet, footer first and column chunk by column chunk", () => {
  const files = readdirSync(PARQUET)
    .filter((f) => f.endsWith(".parquet"))
    .sort();
  it("every fixture (several with 2 or 3 row groups): readMatrixFile's matrix or error", async () => {
    let groups = 0;
    let ok = 0;
    for (const f of files) {
      const r = await expectSame(PARQUET + f);
      if ("m" in r) ok++;
      try {
        if (describeParquet(readFileSync(PARQUET + f)).rowGroups > 1) groups++;
      } catch {
        // refused fixtures
      }
    }
    expect(files.length).toBeGreaterThanOrEqual(19);
    expect(ok).toBeGreaterThanOrEqual(12);
    expect(groups).toBeGreaterThanOrEqual(4);
  });

  it("a file whose footer is beyond the first 64 KiB read from the end, and duplicates (warnings over all rows)", async () => {
    const n = 400;
    const genes = Array.from({ length: n }, (_, r) => `G${r % 390}-${"x".repeat(30)}`);
    const cols = Array.from({ length: 300 }, (_, c) => `sample_${c}_${"y".repeat(200)}`);
    const bytes = formatParquet("gene", cols, genes, (r, c) => ((r * 7 + c * 13) % 101) / 8 - 3);
    const k = bytes.length;
    expect(bytes[k - 8] | (bytes[k - 7] << 8) | (bytes[k - 6] << 16)).toBeGreaterThan(1 << 16); // footer length
    const p = put("big.parquet", bytes);
    const dup = await streamed(p, {});
    expect("error" in dup && dup.error.message).toMatch(/duplicate gene symbols/);
    expect(dup).toEqual(whole(p, {}));
    for (const duplicates of ["first", "mean", "max"] as const) {
      const a = await streamed(p, { duplicates });
      const b = whole(p, { duplicates });
      if (!("m" in a) || !("m" in b)) throw new Error("read failed");
      expect(a.warnings).toEqual(b.warnings);
      expect(bits(a.m.data)).toEqual(bits(b.m.data));
    }
  });

  it("corrupted bytes in multi-row-group files: the error (or matrix) readMatrixFile gives", async () => {
    for (const f of ["lm22-gzip-dict-v2-rowgroups.parquet", "lm22-plain-required-v1.parquet", "counts-types-gzip-dict-v1.parquet"]) {
      const good = readFileSync(PARQUET + f);
      for (let k = 1; k <= 24; k++) {
        const bad = good.slice();
        const at = 4 + Math.floor(((good.length - 600) * k) / 25);
        bad[at] ^= 0x5a;
        await expectSame(put(`c${k}.parquet`, bad));
      }
    }
  });

  it("gzipped Parquet falls back to readMatrixFile (null)", async () => {
    const p = put("x.parquet.gz", gzipSync(readFileSync(`${PARQUET}lm22-plain-required-v1.parquet`)));
    expect(await streamMatrixFile(p)).toBeNull();
  });
});

/** A table of `n` rows split into record batches of `size` rows; column types float64, int32, int64. */
function batches(n: number, size: number, cell: (r: number, c: number) => number | null, gene = (r: number) => `G${r}`): Table {
  const out: RecordBatch[] = [];
  for (let r0 = 0; r0 < n; r0 += size) {
    const rows = Array.from({ length: Math.min(size, n - r0) }, (_, k) => r0 + k);
    const t = new Table({
      gene: vectorFromArray(rows.map(gene), new Utf8()),
      a: vectorFromArray(
        rows.map((r) => cell(r, 0)),
        new Float64(),
      ),
      b: vectorFromArray(
        rows.map((r) => cell(r, 1)),
        new Int32(),
      ),
      c: vectorFromArray(
        rows.map((r) => {
          const v = cell(r, 2);
          return v === null ? null : BigInt(Math.round(v));
        }),
        new Int64(),
      ),
    });
    out.push(...t.batches);
  }
  return new Table(out);
}

describe("Arrow IPC, record batch by record batch", () => {
  it("formatArrow files, multi-batch files and streams, plain and gzipped", async () => {
    const one = formatArrow("gene", ["s1", "s2", "s3"], ["A", "B", "C", "D"], (r, c) => (r - 1.5) * (c + 0.25));
    const multi = batches(250, 64, (r, c) => (c === 0 ? Math.sin(r) * 10 : (r * 31 + c) % 97));
    expect(multi.batches.length).toBe(4);
    for (const [name, bytes] of [
      ["one.arrow", one],
      ["multi.arrow", tableToIPC(multi, "file")],
      ["multi.arrows", tableToIPC(multi, "stream")],
    ] as const) {
      const plain = await expectSame(put(name, bytes));
      expect("m" in plain && plain.m.rows.length).toBeGreaterThan(0);
      await expectSame(put(`${name}.gz`, gzipSync(bytes)));
    }
  });

  it("errors: the one readMatrixFile reports (empty gene, then column by column), in any batch", async () => {
    const nullAt = (rr: number, cc: number) => (r: number, c: number) => (r === rr && c === cc ? null : r + c);
    const cases = [
      batches(200, 50, nullAt(170, 0)), // missing value in the 4th batch
      batches(200, 50, (r, c) => (r === 180 && c === 0 ? null : r === 20 && c === 1 ? null : r)), // column a's wins
      batches(200, 50, (r, c) => (c === 0 && r === 120 ? Infinity : r)),
      batches(200, 50, nullAt(10, 2), (r) => (r === 190 ? "" : `G${r}`)), // the empty gene wins
    ];
    for (const t of cases) {
      for (const format of ["file", "stream"] as const) {
        const r = await expectSame(put(`bad.${format}`, tableToIPC(t, format)));
        expect("error" in r).toBe(true);
      }
    }
    await expectSame(put("garbage.arrow", new Uint8Array([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8])));
    const dup = batches(
      100,
      30,
      (r) => r,
      (r) => `G${r % 90}`,
    );
    await expectSame(put("dup.arrows", tableToIPC(dup, "stream")));
    for (const duplicates of ["first", "mean", "max"] as const) {
      const p = put("dup.arrow", tableToIPC(dup, "file"));
      const a = await streamed(p, { duplicates });
      const b = whole(p, { duplicates });
      if (!("m" in a) || !("m" in b)) throw new Error("read failed");
      expect(a.warnings).toEqual(b.warnings);
      expect(bits(a.m.data)).toEqual(bits(b.m.data));
    }
  });
});

describe("GCT 1.2 / 1.3, line by line", () => {
  const g12 = "#1.2\n3\t2\nName\tDescription\tS1\tS2\nA\tna\t1.5\t2\nB\tdesc b\t3\t0.25\nC\t\t-1e3\t7\n";
  const g13 =
    "#1.3\r\n3\t2\t2\t2\r\nid\tsym\tkind\tS1\tS2\r\ncelltype\tna\tna\tT\tB\r\nbatch\tna\tna\t1\t2\r\n" +
    "A\tx\ty\t1.5\t2\r\nB\tx\ty\t3\t0.25\r\nC\t\t\t-1e3\t7\r\n";
  it("1.2 and 1.3 (CRLF, column metadata), plain and gzipped, in chunks of 1 to 64 bytes", async () => {
    for (const [name, text] of [
      ["a.gct", g12],
      ["b.gct", g13],
      ["c.gct", "#1.3 \n2 1 0 0\nid\tS1\nA\t1\nB\t2"],
      ["bom.gct", `\uFEFF${g12}`],
    ] as const) {
      for (const p of [put(name, text), put(`${name}.gz`, gzipSync(text))]) {
        const r = await expectSame(p, [1, 2, 3, 7, 64, undefined]);
        // readMatrixFile takes a GCT only when its bytes start "#1.": after a BOM it is a (malformed) table.
        if (name === "bom.gct") expect("error" in r).toBe(true);
        else expect("m" in r && r.m.rows.length).toBeGreaterThan(1);
      }
    }
  });

  it("errors and warnings with readMatrixFile's (converted-table) line numbers", async () => {
    const texts = [
      g12.replace("0.25", "x"),
      g13.replace("-1e3", "NA"),
      g13.replace("\r\nC\t", "\r\nA\t"), // duplicate
      g12.replace("B\tdesc b\t3\t0.25\n", "B\tdesc b\t3\n"), // short row
      g12.replace("C\t\t", "\nC\t\t"), // blank line inside
      `${g12}\n\n`, // trailing blank lines
      "#1.2\n0\t2\nName\tDescription\tS1\tS2\n", // no rows
    ];
    for (const t of texts) {
      const r = await expectSame(put("e.gct", t), [1, 5, undefined]);
      if (t === `${g12}\n\n`) expect("m" in r).toBe(true);
    }
    const dup = put("dup.gct", g13.replace("\r\nC\t", "\r\nA\t"));
    const a = await streamed(dup, { duplicates: "mean" });
    const w = whole(dup, { duplicates: "mean" });
    expect("m" in w).toBe(true);
    expect(a).toMatchObject({ warnings: "m" in w ? w.warnings : [] });
    expect("m" in a && a.warnings[0]).toMatch(/lines 2, 4/);
  });

  it("a GCT whose dimension line is not whole numbers is left to readMatrixFile (null); #1.4 is text", async () => {
    expect(await streamMatrixFile(put("d.gct", "#1.3\n2 2 x 0\nid\tS1\tS2\nA\t1\t2\n"))).toBeNull();
    await expectSame(put("v14.txt", "#1.4\tS1\nA\t1\n"));
  });
});

// ---------------------------------------------------------------------------------------------------------

const EXAMPLE = dataFile("cibersort_example_mixtures/ExampleMixtures_GEPs.tsv");
const cli = (mixture: string) =>
  parseCibersortArgs([mixture, "--perm", "2", "--threads", "1", "--solver", "exact"]) as Exclude<
    ReturnType<typeof parseCibersortArgs>,
    "help"
  >;

describe("cellfrac cibersort on GCT, Parquet, Arrow file and stream = the whole-file path", () => {
  it("same tables, JSON and warnings", async () => {
    const m = readMatrixFile(EXAMPLE);
    const cols = m.cols.slice(0, 3);
    const value = (r: number, c: number) => m.data[r + c * m.rows.length];
    const tsv = [["GeneSymbol", ...cols].join("\t"), ...m.rows.map((g, r) => [g, ...cols.map((_, c) => String(value(r, c)))].join("\t"))];
    const gct = `${[
      "#1.2",
      `${m.rows.length}\t3`,
      ["Name", "Description", ...cols].join("\t"),
      ...m.rows.map((g, r) => [g, "na", ...cols.map((_, c) => String(value(r, c)))].join("\t")),
    ].join("\n")}\n`;
    const arrowFile = formatArrow("GeneSymbol", cols, m.rows, value);
    const files = [
      put("mix.tsv", `${tsv.join("\n")}\n`),
      put("mix.gct", gct),
      put("mix.parquet", formatParquet("GeneSymbol", cols, m.rows, value)),
      put("mix.arrow", arrowFile),
      put("mix.arrows", tableToIPC(new Table(batchesOf(readMatrixFile(put("t.arrow", arrowFile)), 1000)), "stream")),
    ];
    let first: string | undefined;
    for (const f of files) {
      let stderr = "";
      const { res } = await runCibersort(cli(f), { stdout: () => {}, stderr: (s) => void (stderr += s), isTTY: false });
      const warn: string[] = [];
      const whole = toSymbols(readMatrixFile(f, { what: "mixture", onWarning: (w) => warn.push(w) }), { onWarning: (w) => warn.push(w) });
      const o = cli(f);
      const want = await cibersortMatrices(
        whole,
        readSignature(o.signature),
        {
          perm: o.perm,
          seed: o.seed,
          qn: o.qn,
          absolute: o.absolute,
          scale: o.scale,
          threads: 1,
          solver: o.solver,
          names: { mixture: o.mixture, signature: o.signature },
        },
        await loadCore(),
        runFitsInProcess,
      );
      expect(toResultsTable(res), f).toBe(toResultsTable(want));
      expect(toResultsJSON(res), f).toBe(toResultsJSON(want));
      const { used, total, missing } = want.diagnostics.signatureCoverage;
      const coverage = coverageLine("cibersort", { name: o.signature, found: used, total, missing });
      expect(stderr.replace(/^cellfrac: \d+\/\d+ fits in .*\n/gm, "")).toBe(
        warn.map((w) => `cellfrac: warning: ${w}\n`).join("") + coverage,
      );
      first ??= toResultsTable(res);
      expect(toResultsTable(res), f).toBe(first); // every format holds the same numbers
    }
  }, 120_000); // 5 CIBERSORT runs: ~2 s idle, over 5 s on the shared machine
});

/** A matrix as Arrow record batches of `size` rows (float64 columns). */
function batchesOf(m: Matrix, size: number): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let r0 = 0; r0 < m.rows.length; r0 += size) {
    const r1 = Math.min(m.rows.length, r0 + size);
    const cols: Record<string, ReturnType<typeof makeVector>> = { GeneSymbol: vectorFromArray(m.rows.slice(r0, r1), new Utf8()) };
    m.cols.forEach((c, k) => (cols[c] = makeVector(m.data.slice(k * m.rows.length + r0, k * m.rows.length + r1))));
    out.push(...new Table(cols).batches);
  }
  return out;
}
