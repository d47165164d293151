// The parallel reader (src/node/stream-parallel.ts: cells scanned on worker threads, everything else in the
// reading thread) against the one-thread reader: the same StreamResult to the bit, the same first error and
// the same warnings, for any thread count and batch size; and a shard's column pick (ColumnPick: only its
// cells converted) against the whole read's columns. Needs the worker build (npm run build).
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import type { ReadOptions } from "../src/core/formats/read.js";
import { readSignature } from "../src/node/data.js";
import { readCibersortMixture } from "../src/node/mixture.js";
import { type ParallelRead, streamMatrixFile } from "../src/node/stream.js";
import { GOLDEN, readGolden } from "./helpers/reference.js";

const dir = mkdtempSync(join(tmpdir(), "cellfrac-par-"));
let nfile = 0;
function put(name: string, content: string | Uint8Array): string {
  const p = join(dir, `${++nfile}-${name}`);
  writeFileSync(p, content);
  return p;
}

/** Every field of a read as text (bit patterns for numbers), or the error and its location. */
async function read(path: string, opts: ReadOptions, chunk: number | undefined, par: ParallelRead): Promise<unknown> {
  const warnings: string[] = [];
  try {
    const r = await streamMatrixFile(path, { ...opts, onWarning: (w) => warnings.push(w) }, chunk, par);
    if (!r) return null;
    const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
    const { rows, cols, rowHeader, data } = r.matrix;
    return { rows, cols, rowHeader, data: bits(data), genes: r.genes, rowMax: bits(r.rowMax), max: r.max, warnings };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { error: e.message, where: e.where, warnings };
  }
}

const ONE: ParallelRead = { threads: 1 };
const PAR: ParallelRead[] = [
  { threads: 2, minBytes: 0 },
  { threads: 3, minBytes: 0 },
];

async function expectSame(path: string, opts: ReadOptions = {}, chunks: (number | undefined)[] = [undefined]): Promise<unknown> {
  const want = await read(path, opts, undefined, ONE);
  for (const chunk of chunks) {
    for (const par of PAR) expect(await read(path, opts, chunk, par), `${path} chunk ${chunk} threads ${par.threads}`).toEqual(want);
  }
  return want;
}

/** A table of `n` rows × `k` samples with varied number spellings (seeded). */
function table(n: number, k: number, seed: number): string[] {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const cell = () => {
    const v = rnd() * 10 ** Math.floor(rnd() * 6);
    const r = rnd();
    return r < 0.1 ? v.toExponential(3) : r < 0.2 ? String(Math.round(v)) : r < 0.25 ? "-0" : v.toFixed(1 + Math.floor(rnd() * 8));
  };
  const lines = [`gene\t${Array.from({ length: k }, (_, j) => `s${j + 1}`).join("\t")}`];
  for (let i = 0; i < n; i++) lines.push(`G${i}\t${Array.from({ length: k }, cell).join("\t")}`);
  return lines;
}

describe("parallel streamMatrixFile = one thread", () => {
  it("tables in test/golden (plain and gzipped), every row and the signature's", async () => {
    const lm22 = new Set(readSignature("LM22").rows);
    const gz = readdirSync(GOLDEN, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".tsv.gz"))
      .sort();
    // Every twentieth file up to 256 KB keeps the test short; the order is fixed, so the same files each run.
    const some = gz.filter((f, i) => i % 20 === 0 && statSync(GOLDEN + f).size < 1 << 18);
    expect(some.length).toBeGreaterThan(8);
    let tables = 0;
    for (const f of some) {
      const text = readGolden(GOLDEN + f);
      const plain = put(f.replace(/\//g, "_").replace(/\.gz$/, ""), text);
      const want = await expectSame(plain, { duplicates: "first" }, [text.length < 1 << 18 ? 4096 : 1 << 16]);
      if (want && !("error" in (want as object))) tables++;
      await expectSame(GOLDEN + f, { duplicates: "first", keepRows: lm22 });
    }
    expect(tables).toBeGreaterThan(5);
  }, 600_000);

  it("odd rows (quotes, blanks, spaces, NA, CR line ends, duplicates) in batches of 1 to many rows", async () => {
    const base = table(60, 7, 1);
    const variants: [string, (l: string[]) => void][] = [
      ["plain", () => {}],
      ["quoted rows", (l) => (l[5] = l[5].replace(/^(\w+)/, '"$1"'))],
      ["spaces around a gene and a cell", (l) => (l[9] = ` ${l[9].replace("\t", "\t ")}`)],
      ["crlf", (l) => l.forEach((x, i) => (l[i] = `${x}\r`))],
      ["trailing blank lines", (l) => l.push("", "  ", "")],
      ["duplicates", (l) => (l[30] = l[30].replace(/^G\d+/, "G3"))],
    ];
    for (const [name, edit] of variants) {
      const lines = [...base];
      edit(lines);
      const p = put(`${name.replace(/ /g, "-")}.tsv`, `${lines.join("\n")}\n`);
      for (const d of ["error", "mean"] as const) {
        await expectSame(p, { duplicates: d }, [64, 5000]);
        await expectSame(p, { duplicates: d, keepRows: (g) => g.length < 3 }, [300]);
      }
      await expectSame(put(`${name}.tsv.gz`, gzipSync(`${lines.join("\n")}\n`)), {}, [300]);
    }
  }, 600_000);

  it("the first error in the file wins, whichever thread finds it", async () => {
    // Errors a worker finds (a cell that is not a plain number) and errors the reading thread finds while it
    // splits (a quoted row's bad cell, an empty line inside the table, a ragged quoted row).
    const byWorker = [(l: string) => l.replace(/\t[^\t]+$/, "\t1abc"), (l: string) => l.replace(/\t[^\t]+/, "\tNA")];
    const byReader = [(l: string) => l.replace(/^(\w+)\t[^\t]+/, '"$1"\tx'), () => "", (l: string) => `"${l.replace(/\t[^\t]+$/, '"')}`];
    const kinds = [...byWorker, ...byReader];
    const base = table(80, 5, 2);
    let cases = 0;
    for (const [a, b] of [
      [3, 4],
      [10, 70],
      [40, 41],
    ]) {
      for (const first of kinds) {
        for (const second of kinds) {
          const lines = [...base];
          lines[a] = first(lines[a]);
          lines[b] = second(lines[b]);
          const p = put("errors.tsv", `${lines.join("\n")}\n`);
          const want = (await expectSame(p, {}, [48, 2000])) as { where?: { line: number } };
          expect(want.where?.line, p).toBe(a + 1);
          cases++;
        }
      }
    }
    expect(cases).toBe(75);
  }, 600_000);

  it("readCibersortMixture (signature rows, first genes, merged duplicates, QN's every row): threads change nothing", async () => {
    const sig = readSignature("LM22");
    const genes = sig.rows.slice(0, 30);
    const lines = table(120, 6, 3);
    // Signature genes scattered after unrelated ones.
    for (let i = 0; i < genes.length; i++) lines[4 + 3 * i] = lines[4 + 3 * i].replace(/^G\d+/, genes[i]);
    // Values below 50 (a log-scale mixture) except DUPX's 60: the merged duplicate decides the anti-log rule.
    const small = (l: string, i: number) => (i > 0 ? l.replace(/\t([\d.e+-]+)/g, (_, v) => `\t${(Number(v) % 40).toFixed(3)}`) : l);
    const p = put("mixture.tsv", [...lines.map(small), "DUPX\t30\t1\t1\t1\t1\t1", "DUPX\t60\t1\t1\t1\t1\t1"].join("\n"));
    for (const o of [{ duplicates: "mean" as const }, { duplicates: "max" as const }, { duplicates: "first" as const, qn: true }]) {
      const run = async (threads: number) => {
        const { mixture, mixtureMax } = await readCibersortMixture(p, sig, { ...o, threads, minParallelBytes: 0 });
        return { rows: mixture.rows, data: Array.from(mixture.data).map(String), mixtureMax };
      };
      const want = await run(1);
      expect(want.rows.length).toBeGreaterThan(30);
      expect(await run(2)).toEqual(want);
    }
  }, 60_000);
});

describe("a shard's columns (ColumnPick): only those cells are read, the same values as the whole read's", () => {
  /** The whole read's kept rows at `columns` vs the picked read's, for 1–3 threads. */
  async function expectPicked(path: string, opts: ReadOptions, columns: number[], chunks: number[]): Promise<void> {
    const whole = await streamMatrixFile(path, opts, undefined, ONE);
    const m = whole!.matrix;
    const want = {
      rows: m.rows,
      cols: columns.map((c) => m.cols[c]),
      data: columns.flatMap((c) =>
        Array.from(m.data.subarray(c * m.rows.length, (c + 1) * m.rows.length), (x) => (Object.is(x, -0) ? "-0" : String(x))),
      ),
      genes: whole!.genes,
      picked: { samples: m.cols.length, columns },
    };
    for (const chunk of chunks) {
      for (const par of [ONE, ...PAR]) {
        let seen: readonly string[] = [];
        const r = await streamMatrixFile(path, opts, chunk, par, (names) => ((seen = names), columns));
        const p = r!.matrix;
        expect(seen, `${path} ${par.threads}`).toEqual(m.cols);
        expect(
          {
            rows: p.rows,
            cols: p.cols,
            data: Array.from(p.data, (x) => (Object.is(x, -0) ? "-0" : String(x))),
            genes: r!.genes,
            picked: r!.picked,
          },
          `${path} chunk ${chunk} threads ${par.threads}`,
        ).toEqual(want);
      }
    }
  }

  it("plain, quoted, spaced, CRLF and duplicate rows; first, middle, last and scattered columns", async () => {
    const base = table(50, 9, 4);
    const variants: [string, (l: string[]) => void][] = [
      ["plain", () => {}],
      ["quoted rows", (l) => (l[5] = l[5].replace(/^(\w+)/, '"$1"'))],
      ["spaces around a cell", (l) => (l[9] = l[9].replace(/\t([^\t]+)$/, "\t $1"))],
      ["a picked cell in exponent form", (l) => (l[12] = l[12].replace(/\t[^\t]+/, "\t1.5E+3"))],
      ["crlf", (l) => l.forEach((x, i) => (l[i] = `${x}\r`))],
      ["duplicates", (l) => (l[30] = l[30].replace(/^G\d+/, "G3"))],
    ];
    for (const [name, edit] of variants) {
      const lines = [...base];
      edit(lines);
      const p = put(`pick-${name.replace(/ /g, "-")}.tsv`, `${lines.join("\n")}\n`);
      for (const columns of [[0], [3, 4, 5], [8], [0, 2, 7, 8], []]) {
        await expectPicked(p, { duplicates: "mean" }, columns, [64, 5000]);
        await expectPicked(p, { duplicates: "mean", keepRows: (g) => g.length < 3 }, columns, [300]);
      }
    }
  }, 600_000);

  it("lines longer than a batch buffer (a grown buffer), gzipped too", async () => {
    const lines = table(12, 12_000, 5); // lines of ~100 kB: longer than chunk + 64 kB with chunk 4096
    const text = `${lines.join("\n")}\n`;
    expect(lines[1].length).toBeGreaterThan(4096 + (1 << 16));
    const columns = Array.from({ length: 3000 }, (_, i) => 5000 + i);
    await expectPicked(put("wide.tsv", text), {}, columns, [4096]);
    await expectPicked(put("wide.tsv.gz", gzipSync(text)), {}, [0, 11_999], [4096]);
    await expectSame(put("wide2.tsv", text), {}, [4096]);
    // Long lines' ends are searched for through the Buffer's indexOf (findByte): CRLF and lone CR too.
    const kept = { keepRows: (g: string) => g === "G3" };
    await expectSame(put("wide-crlf.tsv", text.replace(/\n/g, "\r\n")), kept, [4096, 1 << 16]);
    await expectSame(put("wide-cr.tsv", text.replace(/\n/g, "\r")), kept, [1 << 16]);
  }, 600_000);

  it("a Parquet table (not the text stream's) is picked after reading", async () => {
    const parquet = new URL("./fixtures/parquet/duckdb-lm22-snappy.parquet", import.meta.url).pathname;
    await expectPicked(parquet, {}, [0, 5, 21], [300]);
  }, 60_000);
});
