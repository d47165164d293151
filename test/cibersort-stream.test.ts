// The streaming mixture reader (src/io/stream.ts) against readMatrixFile, and `cellfrac cibersort`
// (which streams the signature genes when there is no QN and no sig.score) against the whole-file path
// readMatrixFile + toSymbols + cibersortMatrices(): same tables, JSON, warnings and errors.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { cibersortMatrices } from "../src/core/cibersort/index.js";
import { toResultsJSON, toResultsTable } from "../src/core/cibersort/output.js";
import { runFitsInProcess } from "../src/core/cibersort/fits.js";
import { parseCibersortArgs, runCibersort } from "../src/node/commands/cibersort.js";
import { coverageLine, renamedNote } from "../src/core/formats/results.js";
import { readSignature } from "../src/node/data.js";
import { InputError } from "../src/core/errors.js";
import { ensemblSymbols, meetGenes, toSymbols } from "../src/core/genes.js";
import { formatArrow, parseArrow } from "../src/core/formats/arrow.js";
import { parseParquet } from "../src/core/formats/parquet.js";
import type { ReadOptions } from "../src/core/formats/read.js";
import { readMatrixFile } from "../src/node/read.js";
import { nearMidpointN, rStrtod } from "../src/core/formats/rnumber.js";
import { streamMatrixFile } from "../src/node/stream.js";
import { loadCore } from "../src/core/wasm.js";
import type { Matrix } from "../src/core/matrix.js";
import { GOLDEN, dataFile, readGolden } from "./helpers/reference.js";

const dir = mkdtempSync(join(tmpdir(), "cellfrac-stream-"));
let nfile = 0;
function put(name: string, content: string | Uint8Array): string {
  const p = join(dir, `${++nfile}-${name}`);
  writeFileSync(p, content);
  return p;
}

type Outcome = { error: { message: string; where: unknown } } | { m: Matrix; warnings: string[] };

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}

function outcome(f: () => Matrix, warnings: string[]): Outcome {
  try {
    return { m: f(), warnings };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { error: { message: e.message, where: e.where } };
  }
}

async function streamOutcome(path: string, opts: ReadOptions, chunk?: number): Promise<Outcome & { max?: number }> {
  const warnings: string[] = [];
  try {
    const r = await streamMatrixFile(path, { ...opts, onWarning: (w) => warnings.push(w) }, chunk);
    if (!r) throw new Error("stream reader returned null for a text table");
    return { m: r.matrix, warnings, max: r.max };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { error: { message: e.message, where: e.where } };
  }
}

/** readMatrixFile vs streamMatrixFile on one file: same matrix bits or same error, same warnings. */
async function expectSameRead(path: string, opts: ReadOptions = {}, chunks: (number | undefined)[] = [undefined]): Promise<Outcome> {
  const warnings: string[] = [];
  const want = outcome(() => readMatrixFile(path, { ...opts, onWarning: (w) => warnings.push(w) }), warnings);
  for (const chunk of chunks) {
    const got = await streamOutcome(path, opts, chunk);
    const label = `${path} chunk ${chunk}`;
    if ("error" in want) {
      expect("error" in got ? got.error : "no error", label).toEqual(want.error);
      continue;
    }
    expect("m" in got ? "ok" : got.error, label).toBe("ok");
    if (!("m" in got)) continue;
    expect(got.m.rows, label).toEqual(want.m.rows);
    expect(got.m.cols, label).toEqual(want.m.cols);
    expect(got.m.rowHeader, label).toBe(want.m.rowHeader);
    expect(sameBits(got.m.data, want.m.data), label).toBe(true);
    expect(got.warnings, label).toEqual(want.warnings);
  }
  return want;
}

/**
 * Some rows kept (the others split and checked by the Wasm line kernel where the text allows it): the whole
 * file's error or warnings, readMatrixFile's kept rows, and every row's maximum as read with every row kept.
 */
async function expectSameKept(path: string, chunks: (number | undefined)[]): Promise<void> {
  const keepRows = new Set(["A", "C"]);
  const warnings: string[] = [];
  const whole = outcome(() => readMatrixFile(path, { what: "mixture", onWarning: (w) => warnings.push(w) }), warnings);
  const all = "error" in whole ? undefined : await streamMatrixFile(path, { what: "mixture" });
  for (const chunk of chunks) {
    const label = `${path} chunk ${chunk}, rows kept`;
    const got = await streamOutcome(path, { what: "mixture", keepRows }, chunk);
    if ("error" in whole) {
      expect("error" in got ? got.error : "no error", label).toEqual(whole.error);
      continue;
    }
    expect("m" in got ? "ok" : got.error, label).toBe("ok");
    if (!("m" in got)) continue;
    const sel = readMatrixFile(path, { what: "mixture", keepRows });
    expect(got.m.rows, label).toEqual(sel.rows);
    expect(sameBits(got.m.data, sel.data), label).toBe(true);
    expect(got.warnings, label).toEqual(whole.warnings);
    const r = (await streamMatrixFile(path, { what: "mixture", keepRows }, chunk))!;
    expect(sameBits(r.rowMax, all!.rowMax), label).toBe(true);
    expect(Object.is(r.max, all!.max), label).toBe(true);
  }
}

describe("streamMatrixFile = readMatrixFile", () => {
  it("every table in test/golden, gzipped and plain (matrix bits, errors, warnings, file maximum)", async () => {
    const gz = readdirSync(GOLDEN, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".tsv.gz"))
      .sort();
    expect(gz.length).toBeGreaterThan(190);
    // Each one as stored (gzip) and decompressed (the plain-text reader).
    const files = gz.flatMap((f) => [GOLDEN + f, put(f.replace(/\//g, "_").replace(/\.gz$/, ""), readGolden(GOLDEN + f))]);
    let tables = 0;
    for (const f of files) {
      const want = await expectSameRead(f, { duplicates: "first" });
      if ("error" in want) continue;
      tables++;
      const r = (await streamMatrixFile(f, { duplicates: "first" }))!;
      // Rows only checked (none kept) take the quick path of scanRowMax: same row maxima to the bit.
      const none = (await streamMatrixFile(f, { duplicates: "first", keepRows: () => false }))!;
      expect(none.matrix.rows, f).toEqual([]);
      expect(Array.from(none.rowMax).map(String), f).toEqual(Array.from(r.rowMax).map(String));
      expect(sameBits(none.rowMax, r.rowMax), f).toBe(true);
      if (r.genes.length !== want.m.rows.length) continue; // merged duplicates: the raw max may be larger
      let max = -Infinity;
      for (const v of want.m.data) if (v > max) max = v;
      expect(r.max, f).toBe(max);
      expect(Math.max(...r.rowMax), f).toBe(max);
    }
    expect(tables).toBeGreaterThan(300);
  }, 300_000);

  const H = "gene\ts1\ts2\n";
  const crafted: [string, string][] = [
    ["lf.tsv", `${H}A\t1\t2.5\nB\t3e2\t-0.25\n`],
    ["crlf.tsv", `${H.replace("\n", "\r\n")}A\t1\t2\r\nB\t3\t4\r\n`],
    ["lone-cr.tsv", "gene\ts1\ts2\rA\t1\t2\rB\t3\t4\r"],
    ["mixed-ends.tsv", "gene\ts1\ts2\r\nA\t1\t2\rB\t3\t4\nC\t5\t6"],
    ["bom.tsv", `\ufeff${H}A\t1\t2\n`],
    ["two-bom.tsv", `\ufeff\ufeff${H}A\t1\t2\n`],
    ["bom-gene.tsv", `${H}\ufeffA\t1\t2\nB\t3\t4\n`],
    ["quotes.tsv", '"gene"\t"s1"\t"s2"\n"A"\t"1"\t2\n"B\tC"\t3\t4\n'],
    ["spaces.tsv", `${H} A \t 1\t2 \nB\t3\t4\n`],
    ["short-header.tsv", "s1\ts2\nA\t1\t2\nB\t3\t4\n"],
    ["trailing-blank.tsv", `${H}A\t1\t2\n\n  \n\t\n`],
    ["blank-inside.tsv", `${H}A\t1\t2\n\nB\t3\t4\n`],
    ["blank-line2.tsv", `${H}\nA\t1\t2\n`],
    ["header-only.tsv", `${H}\n\n`],
    ["empty.tsv", ""],
    ["blank-only.tsv", "\n \n"],
    ["one-field.tsv", "gene\nA\nB\n"],
    ["dup-sample.tsv", "gene\ts1\ts1\nA\t1\t2\n"],
    ["ragged.tsv", `${H}A\t1\t2\nB\t3\n`],
    ["trailing-tab.tsv", `${H}A\t1\t2\t\n`],
    ["na.tsv", `${H}A\t1\t2\nB\tNA\t4\n`],
    ["empty-cell.tsv", `${H}A\t1\t\n`],
    ["junk.tsv", `${H}A\t1\t2\nB\t3\t1abc\n`],
    ["inf.tsv", `${H}A\tInf\t2\n`],
    ["huge.tsv", `${H}A\t1e999\t2\n`],
    ["empty-gene.tsv", `${H}\t1\t2\n`],
    ["unterminated.tsv", `${H}A\t"1\t2\n`],
    ["hazard.tsv", `${H}A\t0.1\t1.0000000000000002\nB\t123456789012345678\t9007199254740993\nC\t2.2250738585072014e-308\t-0\n`],
    ["utf8.tsv", "gène\tß1\ts2\nÄ\t1\t2\n"],
    ["comma.csv", "gene,s1,s2\nA,1,2\nB,3,4\n"],
    ["commas-in-tsv.tsv", "gene\ts,1\ts2\nA\t1\t2\n"],
    ["dups.tsv", `${H}A\t1\t2\nB\t3\t4\nA\t5\t6\nB\t7\t8\nC\t9\t9\n`],
  ];

  it("crafted tables, split into chunks of 1, 2, 3, 5 and 64 bytes and whole, with every row or some rows kept", async () => {
    const chunks = [1, 2, 3, 5, 64, undefined];
    for (const [name, text] of crafted) {
      const p = put(name, text);
      await expectSameRead(p, { what: "mixture" }, chunks);
      await expectSameKept(p, chunks);
      if (name === "dups.tsv") for (const d of ["first", "mean", "max"] as const) await expectSameRead(p, { duplicates: d }, chunks);
    }
    // Gzip by content, with chunk boundaries inside the decompressed lines.
    for (const [name, text] of crafted.slice(0, 12)) await expectSameRead(put(`${name}.gz`, gzipSync(text)), {}, [3, undefined]);
  });

  it("row maxima of rows only checked equal R's values where the quick N/10^k is an ulp off (hazard cells)", async () => {
    // Tokens near a double midpoint, where R's long-double rounding may differ from N / 10^k.
    const rows: string[] = [];
    let differ = 0;
    let hits = 0;
    for (let i = 0; differ < 40 && i < 30_000_000; i++) {
      const k = 1 + (i % 12);
      const n = Math.floor((((i * 2654435761) % 2 ** 32) / 2 ** 32) * 10 ** Math.min(15, k + 1 + (i % 5)));
      if (n === 0 || !nearMidpointN(n / 10 ** k, k, n, 0)) continue;
      const digits = String(n).padStart(k + 1, "0");
      const tok = `${digits.slice(0, -k)}.${digits.slice(-k)}`;
      const quick = n / 10 ** k;
      if (rStrtod(tok) !== quick) differ++;
      else if (hits++ % 10 !== 0) continue;
      // the hazard token alone; next to the quick double's own shortest text; and among smaller cells
      const j = rows.length;
      rows.push(`H${j}\t${tok}\t${tok}\t0.5`, `Q${j}\t${String(quick)}\t${tok}\t${tok}`, `S${j}\t1e-3\t${tok}\t${(quick / 2).toFixed(3)}`);
    }
    expect(differ).toBe(40);
    const p = put("hazard-rows.tsv", `gene\ta\tb\tc\n${rows.join("\n")}\n`);
    const m = readMatrixFile(p);
    const none = (await streamMatrixFile(p, { keepRows: () => false }))!;
    const n = m.rows.length;
    for (let r = 0; r < n; r++) {
      const want = Math.max(m.data[r], m.data[r + n], m.data[r + 2 * n]);
      expect(Object.is(none.rowMax[r], want), `${m.rows[r]}: ${none.rowMax[r]} vs ${want}`).toBe(true);
    }
  });

  it("a bad cell or a duplicate in a row that is not kept is still an error; kept rows are readMatrixFile's", async () => {
    const p = put("skip.tsv", "gene\ts1\ts2\nA\t1\t2\nX\t3\tNA\nB\t5\t6\n");
    const keepRows = new Set(["A", "B"]);
    const want = outcome(() => readMatrixFile(p, {}), []);
    expect("error" in want && want.error.where).toMatchObject({ line: 3, column: 3, gene: "X", sample: "s2" });
    const got = await streamOutcome(p, { keepRows });
    expect("error" in got ? got.error : "no error").toEqual((want as { error: unknown }).error);
    const d = put("skipdup.tsv", "gene\ts1\nA\t1\nX\t3\nX\t4\n");
    const dupErr = outcome(() => readMatrixFile(d, {}), []);
    expect("error" in dupErr && dupErr.error.message).toMatch(/"X" \(lines 3, 4\)/);
    const gotDup = await streamOutcome(d, { keepRows: new Set(["A"]) });
    expect("error" in gotDup ? gotDup.error : "no error").toEqual((dupErr as { error: unknown }).error);
    // Kept rows: readMatrixFile's selection, the max still over every cell.
    const q = put("keep.tsv", "gene\ts1\ts2\nA\t1\t2\nX\t300\t4\nB\t5\t6\n");
    const r = (await streamMatrixFile(q, { keepRows }))!;
    const sel = readMatrixFile(q, { keepRows });
    expect(r.matrix.rows).toEqual(["A", "B"]);
    expect(sameBits(r.matrix.data, sel.data)).toBe(true);
    expect(r.max).toBe(300);
    expect(r.genes).toEqual(["A", "X", "B"]);
    expect(Array.from(r.rowMax)).toEqual([2, 300, 6]);
  });

  it("corrupt gzip and unreadable files: readMatrixFile's messages", async () => {
    const gz = gzipSync(Buffer.from(`gene\ts1\n${"A\t1\n".repeat(5000)}`));
    for (const bad of [gz.subarray(0, gz.length - 20), Buffer.concat([gz.subarray(0, 10), Buffer.from("garbage garbage garbage")])]) {
      const want = await expectSameRead(put("bad.tsv.gz", bad));
      expect("error" in want && want.error.message).toMatch(/: corrupt gzip data: /);
    }
    const none = await expectSameRead(join(dir, "does-not-exist.tsv"), { what: "mixture" });
    expect("error" in none && none.error.message).toMatch(/: cannot read mixture file: no such file$/);
    const isDir = await expectSameRead(dir);
    expect("error" in isDir && isDir.error.message).toMatch(/is a directory/);
  });

  it("Arrow and GCT input are streamed too (test/io-stream-formats.test.ts has the details)", async () => {
    const gct = put("x.gct", "#1.2\n1\t1\nName\tDescription\ts1\nA\tna\t1\n");
    expect((await streamMatrixFile(gct))!.matrix.rows).toEqual(["A"]);
    const arrow = put(
      "x.arrow",
      formatArrow("gene", ["s1"], ["A", "B"], (r) => r + 1),
    );
    expect((await streamMatrixFile(arrow))!.matrix.rows).toEqual(readMatrixFile(arrow).rows);
    expect((await streamMatrixFile(put("x.arrow.gz", gzipSync(readFileSync(arrow)))))!.max).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------------

interface Run {
  table?: string;
  json?: string;
  stderr: string;
  error?: { message: string; where: unknown };
}

// The exact solver keeps the runs short; the reading path does not depend on the solver (one libsvm case below).
const cli = (mixture: string, extra: string[] = []) =>
  parseCibersortArgs([mixture, "--perm", "2", "--threads", "1", "--solver", "exact", ...extra]) as Exclude<
    ReturnType<typeof parseCibersortArgs>,
    "help"
  >;

async function viaCli(mixture: string, extra: string[] = []): Promise<Run> {
  let stderr = "";
  try {
    const { res } = await runCibersort(cli(mixture, extra), { stdout: () => {}, stderr: (s) => void (stderr += s), isTTY: false });
    return { table: toResultsTable(res), json: toResultsJSON(res), stderr: stderr.replace(/^cellfrac: \d+\/\d+ fits in .*\n/gm, "") };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { stderr, error: { message: e.message, where: e.where } };
  }
}

/**
 * The whole-file path the CLI used before streaming: readMatrixFile + toSymbols + cibersortMatrices(), with the
 * registry's meeting of gene names (meetGenes, --gene-match current) and its messages.
 */
async function viaWholeFile(mixture: string, extra: string[] = []): Promise<Run> {
  const o = cli(mixture, extra);
  let stderr = "";
  const warn = (m: string) => void (stderr += `cellfrac: warning: ${m}\n`);
  try {
    const signature = readSignature(o.signature);
    const read = readMatrixFile(o.mixture, { what: "mixture", duplicates: o.duplicates, onWarning: warn });
    const whole = toSymbols(read, { duplicates: o.duplicates, onWarning: warn });
    const met = meetGenes(whole, signature.rows);
    const res = await cibersortMatrices(
      met.mixture,
      signature,
      {
        perm: o.perm,
        seed: o.seed,
        qn: o.qn,
        absolute: o.absolute,
        scale: o.scale,
        threads: 1,
        solver: o.solver,
        onWarning: warn,
        names: { mixture: o.mixture, signature: o.signature },
      },
      await loadCore(),
      runFitsInProcess,
    );
    // The CLI's coverage line comes from the result, whichever reader filled it.
    const { used, total, missing } = res.diagnostics.signatureCoverage;
    const n = met.ambiguous.length;
    if (n) warn(`${n} genes absent whose names belong to several genes (not matched by other names): ${met.ambiguous.join(", ")}`);
    stderr += coverageLine("cibersort", { name: o.signature, found: used, total, missing });
    const note = renamedNote({ renamed: met.renamed });
    if (note) stderr += `cellfrac: cibersort: ${note}\n`;
    return { table: toResultsTable(res), json: toResultsJSON(res), stderr };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { stderr, error: { message: e.message, where: e.where } };
  }
}

async function expectSameRun(mixture: string, extra: string[] = []): Promise<Run> {
  const want = await viaWholeFile(mixture, extra);
  const got = await viaCli(mixture, extra);
  expect(got).toEqual(want);
  return want;
}

/** The first `n` samples of a table, optionally with extra rows appended. */
function slice(src: string, n: number, extraRows: string[] = []): string {
  const raw = readFileSync(src);
  const text = (src.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  const lines = text.split("\n").filter((l) => l.length > 0);
  return `${lines
    .map((l) =>
      l
        .split("\t")
        .slice(0, n + 1)
        .join("\t"),
    )
    .concat(extraRows)
    .join("\n")}\n`;
}

const LINSLEY = dataFile("linsley2014_whole_blood_gse60424/GSE60424_wholeblood_normalized_counts.tsv.gz");
const EXAMPLE = dataFile("cibersort_example_mixtures/ExampleMixtures_GEPs.tsv");
const SCANB = dataFile("scanb_breast_gse96058_subset400/GSE96058_subset400_log2fpkm.tsv.gz");

describe("cellfrac cibersort streams the signature genes: output = whole-file path", () => {
  it("reference mixtures: TSV, gzip, CSV (tables, JSON, warnings)", async () => {
    const a = await expectSameRun(EXAMPLE, ["--seed", "3"]);
    expect(a.table!.split("\n").length).toBe(7);
    await expectSameRun(LINSLEY);
    const csv = put("example.csv", readGolden(EXAMPLE).replace(/\t/g, ","));
    const c = await expectSameRun(csv);
    expect(c.table).toBe((await viaCli(EXAMPLE)).table);
    // Arrow input is not streamed (readMatrixFile reads it): same table.
    const ex = readMatrixFile(EXAMPLE);
    const arrow = put(
      "example.arrow",
      formatArrow(ex.rowHeader ?? "gene", ex.cols, ex.rows, (r, k) => ex.data[r + k * ex.rows.length]),
    );
    expect((await expectSameRun(arrow)).table).toBe(c.table);
  }, 120_000);

  it("a log2 mixture: the anti-log rule sees the file's maximum, not the signature rows'", async () => {
    const log = put("scanb4.tsv", slice(SCANB, 4));
    const a = await expectSameRun(log);
    expect(a.json).toMatch(/"antilog": true/);
    await expectSameRun(log, ["--solver", "libsvm"]);
    expect(a.stderr).toMatch(/looks log-scaled \(maximum [\d.]+ < 50\)/);
    // A non-signature gene at 60: no anti-log in R, whatever the signature rows hold.
    const high = put("scanb4-high.tsv", slice(SCANB, 4, ["NOTASIGGENE\t60\t1\t1\t1"]));
    const b = await expectSameRun(high);
    expect(b.json).toMatch(/"antilog": false/);
    expect(b.table).not.toBe(a.table);
    for (const s of ["linear", "log2"]) await expectSameRun(high, ["--scale", s]);
  }, 120_000);

  it("duplicates outside the signature: error, and first/mean/max decide the maximum as the merged table does", async () => {
    // Raw maximum 60 (anti-log off), but the merged row is 30 (first) or 45 (mean): anti-log on.
    const rows = ["DUPX\t30\t1\t1\t1", "DUPX\t60\t1\t1\t1"];
    const p = put("scanb4-dup.tsv", slice(SCANB, 4, rows));
    const e = await expectSameRun(p);
    expect(e.error?.message).toMatch(/"DUPX" \(lines 10002, 10003\)/);
    const seen = new Map<string, string>();
    for (const d of ["first", "mean", "max"]) {
      const r = await expectSameRun(p, ["--duplicates", d]);
      seen.set(d, r.json!.match(/"antilog": (\w+)/)![1]);
      expect(r.stderr).toMatch(/DUPX/);
    }
    expect(Object.fromEntries(seen)).toEqual({ first: "true", mean: "true", max: "false" });
    expect((await viaCli(p, ["--duplicates", "mean"])).stderr).toMatch(/maximum 45 /);
  }, 120_000);

  it("Ensembl-ID mixtures (versioned IDs; two IDs of one non-signature symbol merged)", async () => {
    const bySymbol = new Map<string, string[]>();
    for (const [id, s] of ensemblSymbols()) bySymbol.set(s, [...(bySymbol.get(s) ?? []), id]);
    const toIds = (text: string, extra: string[] = []) =>
      `${text
        .split("\n")
        .filter((l) => l !== "")
        .map((l, i) => {
          const [g, ...rest] = l.split("\t");
          const id = i > 0 ? bySymbol.get(g)?.[0] : undefined;
          return `${id ? `${id}.${(i % 9) + 1}` : g}\t${rest.join("\t")}`;
        })
        .concat(extra)
        .join("\n")}\n`;
    const linsley = slice(LINSLEY, 5);
    const ids = await expectSameRun(put("linsley-ensembl.tsv", toIds(linsley)));
    expect(ids.stderr).toMatch(/rows named by Ensembl gene ID/);
    expect(ids.table).toBe((await viaCli(put("linsley5.tsv", linsley))).table);

    // A log2 mixture where the merged pair decides the anti-log rule: IDs at 30 and 60 → mean 45, max 60.
    const scanb = slice(SCANB, 4);
    const present = new Set(scanb.split("\n").map((l) => l.split("\t")[0]));
    const lm22 = new Set(readSignature("LM22").rows);
    const [sym, pair] = [...bySymbol].find(([s, i]) => i.length > 1 && !lm22.has(s) && !present.has(s))!;
    const p = put("scanb-ensembl.tsv", toIds(scanb, [`${pair[0]}.3\t30\t1\t1\t1`, `${pair[1]}.1\t60\t1\t1\t1`]));
    const e = await expectSameRun(p);
    expect(e.error?.message).toMatch(new RegExp(`${sym} \\(2 rows\\).*after Ensembl mapping|after Ensembl mapping.*${sym} \\(2 rows\\)`));
    const mean = await expectSameRun(p, ["--duplicates", "mean"]);
    expect(mean.stderr).toMatch(/maximum 45 < 50/);
    const max = await expectSameRun(p, ["--duplicates", "max"]);
    expect(max.json).toMatch(/"antilog": false/);
  }, 120_000);

  it("QN and sig.score read every gene (streamed whole): same output", async () => {
    const log = put("scanb3.tsv", slice(SCANB, 3));
    await expectSameRun(log, ["--qn"]);
    await expectSameRun(EXAMPLE, ["--absolute", "sig.score"]);
    await expectSameRun(EXAMPLE, ["--absolute", "no.sumto1"]);
  }, 120_000);

  it("errors: a bad cell in a non-signature row, no or one signature gene in the mixture", async () => {
    const bad = put("bad.tsv", slice(EXAMPLE, 5).replace(/\n(\S+)\t[^\t\n]+/, "\n$1\tNA"));
    const e = await expectSameRun(bad);
    expect(e.error?.where).toMatchObject({ line: 2, column: 2 });
    const lines = slice(EXAMPLE, 5).split("\n");
    const notSig = lines.findIndex((l, i) => i > 1000 && /^[A-Z]/.test(l) && !readSignature("LM22").rows.includes(l.split("\t")[0]));
    lines[notSig] = lines[notSig].replace(/\t[^\t]+$/, "\t1.2.3");
    const late = await expectSameRun(put("bad-late.tsv", lines.join("\n")));
    expect(late.error?.where).toMatchObject({ line: notSig + 1, column: 6 });
    const none = await expectSameRun(put("none.tsv", "gene\ts1\ts2\nQQ1\t1\t2\nQQ2\t3\t4\nQQ3\t5\t6\nQQ4\t7\t8\n"));
    expect(none.error?.message).toMatch(/no gene of the signature .* \(e\.g\. QQ1, QQ2, QQ3\)/);
    const one = await expectSameRun(put("one.tsv", "gene\ts1\ts2\nQQ1\t1\t2\nCD4\t3\t4\nQQ3\t5\t6\n"));
    expect(one.error?.message).toMatch(/only 1 signature gene/);
  }, 120_000);

  it("-o results.arrow / results.parquet write the table (read back equal to the TSV); other extensions are refused", async () => {
    const table = (await viaCli(EXAMPLE))
      .table!.trim()
      .split("\n")
      .map((l) => l.split("\t"));
    for (const [ext, parse] of [
      ["arrow", parseArrow],
      ["parquet", parseParquet],
    ] as const) {
      const out = join(dir, `res.${ext}`);
      await runCibersort(cli(EXAMPLE, ["-o", out, "-q"]), { stdout: () => {}, stderr: () => {}, isTTY: false });
      const m = parse(readFileSync(out));
      expect(m.rowHeader, ext).toBe("Mixture");
      expect(m.cols, ext).toEqual(table[0].slice(1));
      expect(m.rows, ext).toEqual(table.slice(1).map((r) => r[0]));
      for (let r = 0; r < m.rows.length; r++)
        for (let c = 0; c < m.cols.length; c++) expect(m.data[r + c * m.rows.length]).toBe(Number(table[r + 1][c + 1]));
    }
    expect(() => cli(EXAMPLE, ["-o", "x.xlsx"])).toThrow(/must end in .tsv, .txt, .json, .arrow or .parquet/);
  }, 120_000);
});
