// The whole-file read path through the stream (issue 15): `--na drop-gene`, `--sample-names` and several
// files are read by streamMatrixFile (cells scanned on workers, no text held) instead of readFileSync +
// parseMatrix, and CIBERSORT keeps only the rows that matter. The reference is the sync whole-file reader
// (readMixtureFiles: readFileSync + parseMatrix + combineMixtures): same matrices, dropped genes, warnings
// and errors. Fixtures are made here from the committed data/example/scanb20_log2fpkm.tsv.gz.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputError, UsageError } from "../src/core/errors.js";
import type { ReadOptions } from "../src/core/formats/read.js";
import type { Matrix } from "../src/core/matrix.js";
import { mixtureValues, loadMixtureFiles, readMixtureFiles } from "../src/node/mixtures.js";
import { readCibersortMixture } from "../src/node/mixture.js";
import { readSignature } from "../src/node/data.js";
import { readMatrixFile } from "../src/node/read.js";
import { streamMatrixFile } from "../src/node/stream.js";
import { ensemblSymbols } from "../src/core/genes.js";
import { cli } from "./helpers/cli.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SCANB = readLines(join(ROOT, "data/example/scanb20_log2fpkm.tsv.gz"));
const LM22 = readSignature("LM22");
const dir = mkdtempSync(join(tmpdir(), "cellfrac-wholefile-"));
let nfile = 0;

function readLines(path: string): string[] {
  return gunzipSync(readFileSync(path))
    .toString("utf8")
    .split("\n")
    .filter((l) => l !== "");
}

function put(name: string, lines: readonly string[], gz = false): string {
  const p = join(dir, `${++nfile}-${name}`);
  const text = `${lines.join("\n")}\n`;
  writeFileSync(p, gz ? gzipSync(text) : text);
  return p;
}

/** Cell `c` (1-based sample) of data line `i` (1-based, header = 0) set to `v`. */
function setCell(lines: string[], i: number, c: number, v: string): void {
  const f = lines[i].split("\t");
  f[c] = v;
  lines[i] = f.join("\t");
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

type Outcome = { error: string; where?: unknown; warnings: string[] } | { value: unknown; warnings: string[] };

async function outcome(f: (warn: (m: string) => void) => unknown): Promise<Outcome> {
  const warnings: string[] = [];
  try {
    return { value: await f((m) => warnings.push(m)), warnings };
  } catch (e) {
    if (e instanceof InputError) return { error: e.message, where: e.where, warnings };
    if (e instanceof UsageError) return { error: e.message, warnings };
    throw e;
  }
}

/** The matrix's rows `rows` (by name) with their bits. */
function rowsOf(m: Matrix, rows: readonly string[]): { rows: string[]; cols: string[]; data: Float64Array } {
  const at = new Map(m.rows.map((g, i) => [g, i]));
  const n = m.rows.length;
  const data = new Float64Array(rows.length * m.cols.length);
  rows.forEach((g, r) => {
    for (let c = 0; c < m.cols.length; c++) data[c * rows.length + r] = m.data[c * n + at.get(g)!];
  });
  return { rows: [...rows], cols: m.cols, data };
}

describe("streamMatrixFile with --na drop-gene = readMatrixFile", () => {
  it("missing values (NA, empty, NaN, null, -) in kept and skipped rows, one thread and two, any chunk", async () => {
    const lines = SCANB.slice(0, 400);
    setCell(lines, 1, 1, "NA");
    setCell(lines, 5, 20, "");
    setCell(lines, 17, 3, "NaN");
    setCell(lines, 250, 7, "null");
    setCell(lines, 399, 2, "-");
    const p = put("na.tsv", lines);
    const opts: ReadOptions = { what: "mixture", na: "drop-gene" };
    const want = readMatrixFile(p, opts);
    expect(want.data.some(Number.isNaN)).toBe(true);
    const keep = new Set(lines.slice(1, 60).map((l) => l.split("\t")[0]));
    for (const threads of [1, 2]) {
      for (const chunk of [7, 1000, undefined]) {
        const got = (await streamMatrixFile(p, opts, chunk, { threads, minBytes: 0 }))!;
        expect(got.matrix.rows).toEqual(want.rows);
        expect(sameBits(got.matrix.data, want.data)).toBe(true);
        // rowMax is NaN exactly for the rows with a missing value; max leaves them out.
        const nan = got.genes.filter((_, i) => Number.isNaN(got.rowMax[i]));
        expect(nan).toEqual([1, 5, 17, 250, 399].map((i) => lines[i].split("\t")[0]));
        const kept = (await streamMatrixFile(p, { ...opts, keepRows: keep }, chunk, { threads, minBytes: 0 }))!;
        expect(kept.matrix.rows).toEqual(want.rows.filter((g) => keep.has(g)));
        expect(Array.from(kept.rowMax, Number.isNaN)).toEqual(Array.from(got.rowMax, Number.isNaN));
        const wantKept = rowsOf(want, kept.matrix.rows);
        expect(sameBits(kept.matrix.data, wantKept.data)).toBe(true);
      }
    }
    // Without --na a missing value is still the careful parser's error, with its location.
    const err = await outcome(() => streamMatrixFile(p, { what: "mixture" }, undefined, { threads: 2, minBytes: 0 }));
    expect(err).toEqual(await outcome(() => readMatrixFile(p, { what: "mixture" })));
    expect(err).toMatchObject({ where: { line: 2, column: 2 } });
  });
});

/** loadMixtureFiles (plain tables streamed) against readMixtureFiles (read whole): same everything. */
async function expectSameMixture(paths: string[], raw: Record<string, unknown>): Promise<Outcome> {
  const v = mixtureValues(raw);
  const want = await outcome((warn) => readMixtureFiles(paths, v, warn));
  const got = await outcome((warn) => loadMixtureFiles(paths, v, warn));
  if ("error" in want) {
    expect(got).toEqual(want);
    return want;
  }
  expect("value" in got ? "read" : got).toBe("read");
  const [w, g] = [want, got].map((o) => (o as { value: { matrix: Matrix; dropped: string[] } }).value);
  expect(g.matrix.rows).toEqual(w.matrix.rows);
  expect(g.matrix.cols).toEqual(w.matrix.cols);
  expect(g.matrix.rowHeader).toBe(w.matrix.rowHeader);
  expect(sameBits(g.matrix.data, w.matrix.data)).toBe(true);
  expect(g.dropped).toEqual(w.dropped);
  expect((got as { warnings: string[] }).warnings).toEqual(want.warnings);
  return want;
}

describe("loadMixtureFiles streams every plain table: = the whole-file read", () => {
  const base = SCANB.slice(0, 2000);
  const na = [...base];
  setCell(na, 3, 2, "NA");
  setCell(na, 900, 11, "");
  const first = base.map((l) => l.split("\t").slice(0, 11).join("\t"));
  const second = base.map((l) => [l.split("\t")[0], ...l.split("\t").slice(11)].join("\t"));

  it("--na drop-gene, plain, gzipped and CSV", async () => {
    const r = await expectSameMixture([put("na.tsv", na)], { na: "drop-gene" });
    expect((r as { warnings: string[] }).warnings.join()).toMatch(/--na drop-gene: dropped 2 genes/);
    await expectSameMixture([put("na.tsv.gz", na, true)], { na: "drop-gene" });
    await expectSameMixture(
      [
        put(
          "na.csv",
          na.map((l) => l.replace(/\t/g, ",")),
        ),
      ],
      { na: "drop-gene" },
    );
    // Without --na: the first missing value's message.
    const e = await expectSameMixture([put("na.tsv", na), put("b.tsv", second)], {});
    expect(e).toMatchObject({ where: { line: 4, column: 3 } });
  });

  it("several files (all, intersect), sample names, duplicates, Ensembl IDs", async () => {
    await expectSameMixture([put("a.tsv", first), put("b.tsv.gz", second, true)], {});
    const shorter = second.filter((_, i) => i !== 77);
    const missing = await expectSameMixture([put("a.tsv", first), put("b.tsv", shorter)], {});
    expect(missing).toMatchObject({ error: expect.stringMatching(/missing from this file/) });
    await expectSameMixture([put("a.tsv", first), put("b.tsv", shorter)], { genes: "intersect", na: "drop-gene" });
    const names = Array.from({ length: 20 }, (_, i) => `S${i}`).join(",");
    await expectSameMixture([put("a.tsv", first), put("b.tsv", second)], { sampleNames: names });
    const same = await expectSameMixture([put("a.tsv", first), put("a2.tsv", first)], {});
    expect(same).toMatchObject({ error: expect.stringMatching(/is also a sample of/) });
    await expectSameMixture([put("a.tsv", first)], { sampleNames: "A,B" });
    const dup = [...first, first[5], first[9]];
    for (const duplicates of ["error", "first", "mean", "max"]) await expectSameMixture([put("dup.tsv", dup)], { duplicates });
    const ids = [...ensemblSymbols()].slice(0, 30);
    const ens = first.map((l, i) => (i > 0 && i <= 30 ? l.replace(/^[^\t]+/, `${ids[i - 1][0]}.2`) : l));
    await expectSameMixture([put("ens.tsv", ens)], { na: "drop-gene", duplicates: "mean" });
    await expectSameMixture([put("ens.tsv", ens), join(dir, "absent.tsv")], {});
  });
});

/**
 * readCibersortMixture (signature rows, missing-value rows and the first genes kept) against the whole read:
 * the same dropped genes, warnings and errors; every kept row as the whole mixture has it; every signature
 * gene and the first three genes kept; the maximum over the rows left out carried in mixtureMax.
 */
async function expectSameCibersortRead(path: string | string[], raw: Record<string, unknown>, threads = 2, qn = false): Promise<Outcome> {
  const v = mixtureValues(raw);
  const duplicates = v.duplicates as ReadOptions["duplicates"];
  const want = await outcome((warn) => readMixtureFiles(typeof path === "string" ? [path] : path, v, warn));
  const o = {
    duplicates,
    na: v.na as "drop-gene",
    sampleNames: v.sampleNames as string | undefined,
    genes: v.genes as "all" | "intersect",
    threads,
    minParallelBytes: 0,
  };
  const got = await outcome((warn) => readCibersortMixture(path, LM22, { ...o, qn, onWarning: warn }));
  if ("error" in want) {
    expect(got).toEqual(want);
    return want;
  }
  expect("value" in got ? "read" : got).toBe("read");
  const w = (want as { value: { matrix: Matrix; dropped: string[] } }).value;
  const g = (got as { value: { mixture: Matrix; mixtureMax?: number; dropped?: string[] } }).value;
  expect((got as { warnings: string[] }).warnings).toEqual(want.warnings);
  expect(g.dropped ?? []).toEqual(w.dropped);
  const whole = new Set(w.matrix.rows);
  expect(g.mixture.rows.filter((r) => !whole.has(r))).toEqual([]);
  const kept = rowsOf(w.matrix, g.mixture.rows);
  expect(g.mixture.cols).toEqual(w.matrix.cols);
  expect(sameBits(g.mixture.data, kept.data)).toBe(true);
  expect(g.mixture.rows.slice(0, 3)).toEqual(w.matrix.rows.slice(0, 3));
  const has = new Set(g.mixture.rows);
  expect(LM22.rows.filter((s) => whole.has(s) && !has.has(s))).toEqual([]);
  let max = g.mixtureMax ?? -Infinity;
  for (const x of g.mixture.data) if (x > max) max = x;
  let wantMax = -Infinity;
  for (const x of w.matrix.data) if (x > wantMax) wantMax = x;
  // The maximum decides only below the anti-log limit; above it readCibersortMixture need not know merged rows.
  if (wantMax < 50 || max < 50) expect(max).toBe(wantMax);
  return want;
}

describe("readCibersortMixture with --na drop-gene and --sample-names = the whole read's rows that matter", () => {
  const lines = SCANB.slice(0, 3000);
  const sig = lines.findIndex((l, i) => i > 0 && LM22.rows.includes(l.split("\t")[0]));
  const other = lines.findIndex((l, i) => i > 100 && !LM22.rows.includes(l.split("\t")[0]));
  const na = [...lines];
  setCell(na, 1, 4, "NA"); // one of the first three genes
  setCell(na, sig, 2, ""); // a signature gene
  setCell(na, other, 20, "NaN"); // neither
  const names = Array.from({ length: 20 }, (_, i) => `S${i + 1}`).join(",");

  it("missing values in a signature row, a first row and another; threads 1 and 2; renamed samples", async () => {
    for (const threads of [1, 2]) {
      const r = await expectSameCibersortRead(put("na.tsv", na), { na: "drop-gene" }, threads);
      expect((r as { warnings: string[] }).warnings).toEqual([expect.stringMatching(/^--na drop-gene: dropped 3 genes/)]);
      await expectSameCibersortRead(put("na.tsv.gz", na, true), { na: "drop-gene", sampleNames: names }, threads);
    }
    await expectSameCibersortRead(put("clean.tsv", lines), { na: "drop-gene" });
    // QN reads every row: all of them as the whole read has them.
    const qn = await expectSameCibersortRead(put("na.tsv", na), { na: "drop-gene", sampleNames: names }, 2, true);
    expect((qn as { value: { matrix: Matrix } }).value.matrix.rows.length).toBe(lines.length - 4);
    const bad = await expectSameCibersortRead(put("na.tsv", na), { sampleNames: names });
    expect(bad).toMatchObject({ where: { line: 2, column: 5 } });
    const count = await expectSameCibersortRead(put("na.tsv", na), { na: "drop-gene", sampleNames: "A,B,C" });
    expect(count).toMatchObject({ error: expect.stringMatching(/^--sample-names gives 3 names for 20 samples/) });
  });

  it("duplicates with a missing value in the first or a later row (first/mean/max), and the anti-log maximum", async () => {
    // A non-signature gene twice: the merged row decides the maximum (log2 data, < 50) and, with a missing
    // value in its second row, whether it is dropped (--duplicates first keeps the first row only).
    const row = (g: string, x: string) => `${g}\t${Array(20).fill("1").join("\t").replace(/^1/, x)}`;
    for (const [a, b] of [
      ["40", "NA"],
      ["NA", "45"],
      ["30", "49"],
    ]) {
      const p = put("dup.tsv", [...na, row("DUPX", a), row("DUPX", b)]);
      for (const duplicates of ["error", "first", "mean", "max"]) await expectSameCibersortRead(p, { na: "drop-gene", duplicates });
    }
  });

  it("several files: merged by gene (all, intersect), their checks, renamed samples, missing values, QN", async () => {
    const left = na.map((l) => l.split("\t").slice(0, 8).join("\t"));
    const right = na.map((l) => [l.split("\t")[0], ...l.split("\t").slice(8)].join("\t"));
    const [a, b] = [put("a.tsv", left), put("b.tsv.gz", right, true)];
    const both = await expectSameCibersortRead([a, b], { na: "drop-gene" });
    expect((both as { value: { matrix: Matrix } }).value.matrix.cols.length).toBe(20);
    await expectSameCibersortRead([a, b], { na: "drop-gene", sampleNames: names }, 1);
    await expectSameCibersortRead([a, b], { na: "drop-gene" }, 2, true);
    const e = await expectSameCibersortRead([a, b], {});
    expect(e).toMatchObject({ where: { line: 2, column: 5 } });
    // b without a signature row, another row and the first row; and a row only b has (a log2 mixture: its
    // maximum of 60 decides the anti-log rule unless --genes intersect leaves it out).
    const short = right.filter((_, i) => i !== sig && i !== other && i !== 1);
    const c = put("c.tsv", [...short, `ONLYC\t${Array(13).fill("60").join("\t")}`]);
    const missing = await expectSameCibersortRead([a, c], { na: "drop-gene" });
    expect(missing).toMatchObject({ error: expect.stringMatching(/missing from this file/) });
    const inter = await expectSameCibersortRead([a, c], { na: "drop-gene", genes: "intersect" });
    expect((inter as { value: { matrix: Matrix } }).value.matrix.rows).not.toContain("ONLYC");
    await expectSameCibersortRead([a, c], { genes: "intersect", duplicates: "mean" });
    await expectSameCibersortRead([c, a], { genes: "intersect" });
    const clash = await expectSameCibersortRead([a, a], { na: "drop-gene" });
    expect(clash).toMatchObject({ error: expect.stringMatching(/is also a sample of/) });
    await expectSameCibersortRead([a, join(dir, "absent.tsv")], {});
  });

  it("Ensembl IDs: two IDs of a signature gene, the mapping's warning before the duplicate error or merge", async () => {
    const ids = new Map<string, string[]>();
    for (const [id, sym] of ensemblSymbols()) ids.set(sym, [...(ids.get(sym) ?? []), id]);
    const [gene, [x, y]] = [...ids].find(([sym, i]) => i.length > 1 && LM22.rows.includes(sym))!;
    const row = (id: string, v: string) => `${id}.1\t${Array(20).fill(v).join("\t")}`;
    const p = put("ens.tsv", [...na, row(x, "3"), row(y, "NA")]);
    const e = await expectSameCibersortRead(p, { na: "drop-gene" });
    expect(e).toMatchObject({ error: expect.stringContaining(gene), warnings: [expect.stringMatching(/rows named by Ensembl gene ID/)] });
    for (const duplicates of ["first", "mean"]) await expectSameCibersortRead(p, { na: "drop-gene", duplicates });
  });

  it("every gene dropped, or every kept one; no signature gene left: prepare's first three genes", async () => {
    const all = lines.slice(0, 6).map((l, i) => (i === 0 ? l : l.replace(/\t[^\t]+$/, "\tNA")));
    const e = await expectSameCibersortRead(put("all.tsv", all), { na: "drop-gene" });
    expect(e).toMatchObject({ error: expect.stringMatching(/every gene of the mixture has a missing value/) });
    // The first three genes (and the signature's) have missing values: the whole mixture's first three are later.
    const none = lines.filter((l, i) => i === 0 || !LM22.rows.includes(l.split("\t")[0])).slice(0, 200);
    for (const i of [1, 2, 3, 4]) setCell(none, i, 9, "NA");
    const r = await expectSameCibersortRead(put("none.tsv", none), { na: "drop-gene" });
    expect((r as { value: { matrix: Matrix } }).value.matrix.rows.slice(0, 3)).toEqual(none.slice(5, 8).map((l) => l.split("\t")[0]));
  });

  it("cellfrac cibersort --na drop-gene: the table of the mixture without the dropped rows, the whole path's warnings", async () => {
    const small = na.map((l) => l.split("\t").slice(0, 7).join("\t"));
    setCell(small, other, 3, "NA");
    const gone = new Set([1, sig, other]);
    const args = ["--perm", "3", "--solver", "exact", "--threads", "2"];
    const a = await cli("cibersort", put("na.tsv", small), "--na", "drop-gene", ...args);
    const b = await cli(
      "cibersort",
      put(
        "dropped.tsv",
        small.filter((_, i) => !gone.has(i)),
      ),
      ...args,
    );
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.err).toMatch(/--na drop-gene: dropped 3 genes with a missing value/);
    expect(a.err).toMatch(new RegExp(`signature genes among the 3 dropped for missing values — LM22: ${small[sig].split("\t")[0]}`));
    // Several files take loadMixtureFiles (streamed per file): the same table.
    const left = small.map((l) => l.split("\t").slice(0, 4).join("\t"));
    const right = small.map((l) => [l.split("\t")[0], ...l.split("\t").slice(4)].join("\t"));
    const c = await cli("cibersort", put("l.tsv", left), put("r.tsv", right), "--na", "drop-gene", ...args);
    const timeless = (err: string) => err.replace(/^cellfrac: \d+\/\d+ fits in .*\n/m, "");
    expect(timeless(c.err)).toBe(timeless(a.err));
    expect(c.out).toBe(a.out);
  }, 60_000);
});
