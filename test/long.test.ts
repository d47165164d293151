// Long tables (gene, sample, value in any column order; TSV, CSV, Parquet from DuckDB's UNPIVOT) read as the
// wide table they hold, cell for cell; the CLI gives the wide file's output; broken long tables are refused.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseMatrix } from "../src/core/formats/read.js";
import { type Matrix, get, selectRows } from "../src/core/matrix.js";
import { readMatrixFile } from "../src/node/read.js";
import { streamMatrixFile } from "../src/node/stream.js";

const CLI = fileURLToPath(new URL("../dist/node/cli.js", import.meta.url));
const SIG = fileURLToPath(new URL("../data/LM22.tsv", import.meta.url));
const lm22 = readMatrixFile(fileURLToPath(new URL("../data/LM22.tsv", import.meta.url)));
const wide = selectRows(
  lm22,
  Array.from({ length: 100 }, (_, i) => i),
);
const dir = mkdtempSync(join(tmpdir(), "cellfrac-long-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The wide table's cells as long lines; `order` names the three columns; the numbers as LM22.tsv spells them. */
function longText(order: ("gene" | "sample" | "value")[], sep: string, sampleMajor: boolean, header = order): string {
  const raw = readFileSync(fileURLToPath(new URL("../data/LM22.tsv", import.meta.url)), "utf8")
    .split(/\r?\n/)
    .slice(1, 101);
  const tokens = raw.map((l) => l.split("\t").slice(1));
  const out = [header.join(sep)];
  const cell = (r: number, c: number) => {
    const v = { gene: wide.rows[r], sample: wide.cols[c], value: tokens[r][c] };
    return order.map((k) => v[k]).join(sep);
  };
  if (sampleMajor) for (let c = 0; c < wide.cols.length; c++) for (let r = 0; r < 100; r++) out.push(cell(r, c));
  else for (let r = 0; r < 100; r++) for (let c = 0; c < wide.cols.length; c++) out.push(cell(r, c));
  return `${out.join("\n")}\n`;
}

function expectCells(m: Matrix, ref: Matrix): void {
  expect([...m.rows].sort()).toEqual([...ref.rows].sort());
  expect([...m.cols].sort()).toEqual([...ref.cols].sort());
  const ri = new Map(ref.rows.map((g, i) => [g, i]));
  const ci = new Map(ref.cols.map((s, i) => [s, i]));
  for (let r = 0; r < m.rows.length; r++) {
    for (let c = 0; c < m.cols.length; c++) expect(Object.is(get(m, r, c), get(ref, ri.get(m.rows[r])!, ci.get(m.cols[c])!))).toBe(true);
  }
}

describe("long tables", () => {
  it("any column order, TSV or CSV, gene- or sample-major: the wide matrix bit for bit, in the wide order", () => {
    for (const [order, sep, sampleMajor] of [
      [["gene", "sample", "value"], "\t", false],
      [["value", "gene", "sample"], "\t", true],
      [["sample", "value", "gene"], ",", false],
    ] as const) {
      const m = parseMatrix(new TextEncoder().encode(longText([...order], sep, sampleMajor)), { name: "long", what: "mixture" });
      expect(m.rows).toEqual(wide.rows);
      expect(m.cols).toEqual(wide.cols);
      expect(Buffer.from(m.data.buffer).equals(Buffer.from(wide.data.buffer))).toBe(true);
    }
  });

  it("header names decide the gene column; without them, the column with more distinct values", () => {
    const text = longText(["sample", "gene", "value"], "\t", false, ["a", "b", "c"] as never);
    expect(parseMatrix(`${text}`, { name: "x" }).rows).toEqual(wide.rows);
  });

  it("DuckDB's UNPIVOT written as Parquet (sample, gene, value; sorted by sample descending): the wide cells", () => {
    const m = parseMatrix(readFileSync(fileURLToPath(new URL("fixtures/parquet/duckdb-lm22-long.parquet", import.meta.url))), {
      name: "l",
    });
    expect(m.cols).not.toEqual(wide.cols); // DuckDB's order, not LM22's
    expect(m.rowHeader).toBe("gene");
    expectCells(m, wide);
  });

  it("the streamed reader hands long tables to the whole-file reader (same matrix, row maxima, keepRows)", async () => {
    const path = join(dir, "long.tsv");
    writeFileSync(path, longText(["sample", "gene", "value"], "\t", true));
    const keep = new Set([wide.rows[5], wide.rows[50]]);
    const s = (await streamMatrixFile(path, { what: "mixture", keepRows: keep }))!;
    expect(s.matrix.rows).toEqual([wide.rows[5], wide.rows[50]]);
    expect(s.genes).toEqual(wide.rows);
    expect(s.rowMax[7]).toBe(Math.max(...wide.cols.map((_, c) => get(wide, 7, c))));
    expect(readMatrixFile(path, { keepRows: keep }).rows).toEqual([wide.rows[5], wide.rows[50]]);
  });

  it("the CLI gives the wide file's output", { timeout: 120_000 }, () => {
    const w = join(dir, "wide.tsv");
    const l = join(dir, "long.csv");
    const lm22Text = readFileSync(fileURLToPath(new URL("../data/LM22.tsv", import.meta.url)), "utf8");
    writeFileSync(w, `${lm22Text.split(/\r?\n/).slice(0, 101).join("\n")}\n`);
    writeFileSync(l, longText(["value", "sample", "gene"], ",", false));
    const a = spawnSync(process.execPath, [CLI, "nnls", w, "-q"], { encoding: "utf8" });
    const b = spawnSync(process.execPath, [CLI, "nnls", l, "-q"], { encoding: "utf8" });
    expect(a.status).toBe(0);
    expect(b.stderr).toBe("");
    expect(b.stdout).toBe(a.stdout);
  });

  it("--layout long reads a one-sample long table (not told by content); --layout wide and long refuse the other layout", () => {
    const one = "gene\tsample\ttpm\nCD3E\tS1\t5\nCD4\tS1\t7\n";
    expect(() => parseMatrix(one, { name: "o.tsv" })).toThrow(/^o\.tsv:2:2, gene "CD3E", sample "sample": not a number: "S1"$/);
    const m = parseMatrix(one, { name: "o.tsv", layout: "long" });
    expect([m.rows, m.cols, Array.from(m.data)]).toEqual([["CD3E", "CD4"], ["S1"], [5, 7]]);
    const long = longText(["gene", "sample", "value"], "\t", false);
    expect(() => parseMatrix(long, { name: "l.tsv", layout: "wide" })).toThrow(/^l\.tsv:2:2, gene "[^"]+", sample "sample": not a number/);
    expect(() => parseMatrix("gene\tS1\tS2\nA\t1\t2\n", { name: "w.tsv", layout: "long" })).toThrow(
      /^w\.tsv:1: --layout long: not a long table/,
    );
  });

  it("the CLI's --layout long (streamed path too)", { timeout: 60_000 }, () => {
    const path = join(dir, "one.tsv");
    writeFileSync(path, `${["gene\tsample\ttpm", ...wide.rows.map((g, r) => `${g}\tS1\t${get(wide, r, 0)}`)].join("\n")}\n`);
    const r = spawnSync(process.execPath, [CLI, "nnls", path, "--layout", "long", "--signature", SIG], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0); // (a warning: only 3 LM22 genes)
    expect(r.stdout.split("\n")[1]).toMatch(/^S1\t/);
    // The whole-file path (--na drop-gene, --sample-names, several files) honours --layout as well.
    const whole = spawnSync(process.execPath, [CLI, "nnls", path, "--layout", "long", "--na", "drop-gene", "--signature", SIG], {
      encoding: "utf8",
    });
    expect(whole.status, whole.stderr).toBe(0);
    expect(whole.stdout).toBe(r.stdout);
  });

  it("refused: a missing pair, a repeated pair, a bad value; a wide table with an NA column stays wide", () => {
    const ok = longText(["gene", "sample", "value"], "\t", false).split("\n");
    const missing = [...ok.slice(0, 5), ...ok.slice(6)].join("\n");
    expect(() => parseMatrix(missing, { name: "m.tsv" })).toThrow(
      /^m\.tsv: long table with missing pairs: gene "[^"]+" has no value for sample "[^"]+" \(1 of 100 × 22 pairs missing\)$/,
    );
    const twice = [...ok.slice(0, 5), ok[4], ...ok.slice(5)].join("\n");
    expect(() => parseMatrix(twice, { name: "m.tsv" })).toThrow(/occur twice \(lines 5 and 6\) in a long table/);
    const inf = ok.map((l, i) => (i === 3 ? l.replace(/\t[^\t]+$/, "\t1e999") : l)).join("\n");
    expect(() => parseMatrix(inf, { name: "m.tsv", what: "mixture" })).toThrow(
      /^mixture m\.tsv:4:3, gene "[^"]+", sample "[^"]+": number "1e999" is out of the double range$/,
    );
    const na = "gene\tS1\tS2\nA\t1\tNA\nB\t2\tNA\nC\t3\tNA\n";
    expect(() => parseMatrix(na, { name: "w.tsv" })).toThrow(/^w\.tsv:2:3, gene "A", sample "S2": missing value "NA"/);
  });

  it("sample IDs that are numbers: long when the header names the sample column and every pair occurs once", async () => {
    // Read wide, such a table was two "samples" (the IDs and the values): --duplicates mean made nonsense of it.
    const lines = ["gene\tsample_id\ttpm"];
    wide.cols.slice(0, 3).forEach((_, c) => wide.rows.forEach((g, r) => lines.push(`${g}\t${c + 1}\t${get(wide, r, c)}`)));
    const text = `${lines.join("\n")}\n`;
    const want = selectRows(
      wide,
      wide.rows.map((_, r) => r),
    );
    const m = parseMatrix(text, { name: "n.tsv", duplicates: "mean" });
    expect([m.rows, m.cols]).toEqual([want.rows, ["1", "2", "3"]]);
    expect(Array.from(m.data)).toEqual(Array.from(want.data.subarray(0, 3 * want.rows.length)));
    const path = join(dir, "numeric-ids.tsv");
    writeFileSync(path, text);
    const streamed = (await streamMatrixFile(path, { duplicates: "mean" }))!.matrix;
    expect([streamed.cols, Array.from(streamed.data)]).toEqual([m.cols, Array.from(m.data)]);
    // A wide table of two samples, one named like a sample column, with repeated integers stays wide.
    const w = parseMatrix("gene\tpatient1\tx\nA\t1\t5\nB\t2\t6\nC\t1\t7\nD\t2\t8\n", { name: "w.tsv" });
    expect(w.cols).toEqual(["patient1", "x"]);
  });
});
