// Matrix readers (src/io/read.ts) and writers (src/io/write.ts). Real-data expectations were read with awk/zcat.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import { parseMatrix, type ReadOptions } from "../src/core/formats/read.js";
import { readMatrix, readMatrixFile } from "../src/node/read.js";
import { rStrtod } from "../src/core/formats/rnumber.js";
import { formatNumber, formatTable } from "../src/core/formats/write.js";
import { writeFileAtomic } from "../src/node/write.js";
import { get, type Matrix } from "../src/core/matrix.js";
import { dataFile } from "./helpers/reference.js";
import { seededRandom } from "./helpers/random.js";

const tmp = mkdtempSync(join(tmpdir(), "cellfrac-io-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Rows of a column-major matrix as plain arrays, for readable expectations. */
const rowsOf = (m: Matrix) => m.rows.map((_, r) => m.cols.map((_, c) => get(m, r, c)));

/** Parse and expect an InputError whose message contains every part. */
function inputError(text: string | Uint8Array, parts: string[], opts: ReadOptions = { name: "m.tsv" }): InputError {
  let err: unknown;
  try {
    parseMatrix(text, opts);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  const ie = err as InputError;
  expect(ie.exitCode).toBe(3);
  for (const p of parts) expect(ie.message).toContain(p);
  return ie;
}

const SIMPLE = "gene\tS1\tS2\nA\t1\t2\nB\t3\t4.5\n";

describe("parseMatrix: forms", () => {
  it("reads a plain TSV column-major, keeping the row header", () => {
    const m = parseMatrix(SIMPLE);
    expect(m.rows).toEqual(["A", "B"]);
    expect(m.cols).toEqual(["S1", "S2"]);
    expect(m.rowHeader).toBe("gene");
    expect(Array.from(m.data)).toEqual([1, 3, 2, 4.5]);
  });

  it("CRLF, lone CR, BOM, no final newline, trailing blank lines", () => {
    for (const t of [
      SIMPLE.replace(/\n/g, "\r\n"),
      SIMPLE.replace(/\n/g, "\r"),
      `\uFEFF${SIMPLE}`,
      SIMPLE.trimEnd(),
      `${SIMPLE}\n\n  \n\t\t\n`,
      `${SIMPLE.replace(/\n/g, "\r")}\r\r`,
    ]) {
      const m = parseMatrix(t);
      expect(m.rows).toEqual(["A", "B"]);
      expect(m.cols).toEqual(["S1", "S2"]);
      expect(rowsOf(m)).toEqual([
        [1, 2],
        [3, 4.5],
      ]);
    }
  });

  it("BOM in bytes, quotes, CSV by header and by name", () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(SIMPLE)]);
    expect(parseMatrix(bom).rowHeader).toBe("gene");

    const quoted = parseMatrix('"gene"\t"S 1"\t"S2"\n"A"\t"1"\t2\n');
    expect(quoted.rowHeader).toBe("gene");
    expect(quoted.cols).toEqual(["S 1", "S2"]);
    expect(rowsOf(quoted)).toEqual([[1, 2]]);

    const csv = parseMatrix('gene,"CD4, naive",B\nA,1,2\n"X,Y",3,4\n');
    expect(csv.cols).toEqual(["CD4, naive", "B"]);
    expect(csv.rows).toEqual(["A", "X,Y"]);
    expect(rowsOf(csv)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    // a single-column file has no comma in its header: the .csv name decides
    const one = parseMatrix("S1\nA,1\nB,2\n", { name: "x.CSV" });
    expect(one.cols).toEqual(["S1"]);
    expect(rowsOf(one)).toEqual([[1], [2]]);
    // a tab in the header wins over commas inside names of a .tsv
    expect(parseMatrix("gene\tS,1\nA\t1\n").cols).toEqual(["S,1"]);
    // "" inside a quoted field is a literal quote
    expect(parseMatrix('g,"a ""b"""\nA,1\n').cols).toEqual(['a "b"']);
  });

  it("gzip is detected by magic bytes whatever the name", () => {
    const gz = gzipSync(Buffer.from(SIMPLE));
    expect(rowsOf(parseMatrix(gz, { name: "plain.tsv" }))).toEqual([
      [1, 2],
      [3, 4.5],
    ]);
    const csvGz = gzipSync(Buffer.from("S1\nA,1\n"));
    expect(parseMatrix(csvGz, { name: "x.csv.gz" }).cols).toEqual(["S1"]);
    inputError(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), ["m.tsv", "gzip"]);
  });

  it("header one field short (R write.table) makes every header field a column", () => {
    const m = parseMatrix('"S1"\t"S2"\n"A"\t1\t2\n"B"\t3\t4\n');
    expect(m.cols).toEqual(["S1", "S2"]);
    expect(m.rows).toEqual(["A", "B"]);
    expect(m.rowHeader).toBe("");
    expect(rowsOf(m)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("strict numbers, valued as R's read.table values them", () => {
    const toks = ["1e-3", ".5", "5.", "-0", "+3", "1E+2", "0.1", "123456789012345678901234567890", "4.9e-324", "1.7976931348623157e308"];
    const m = parseMatrix(`g\t${toks.map((_, i) => `s${i}`).join("\t")}\nA\t${toks.join("\t")}\n`);
    expect(rowsOf(m)[0]).toEqual(toks.map(rStrtod)); // rStrtod is tested against R itself in rnumber.test.ts
    expect(rowsOf(m)[0].slice(0, 7)).toEqual([0.001, 0.5, 5, -0, 3, 100, 0.1]);
    expect(Object.is(get(m, 0, 3), -0)).toBe(true);
    // spaces around cells (hand-edited CSV) are tolerated
    expect(rowsOf(parseMatrix("g, a, b\nA, 1 , 2\n")).flat()).toEqual([1, 2]);
  });

  it("never renames genes", () => {
    const m = parseMatrix("g\ts\n1-Mar\t1\nHLA-A\t2\nNA\t3\n7SK\t4\n");
    expect(m.rows).toEqual(["1-Mar", "HLA-A", "NA", "7SK"]);
  });

  it("readMatrix: text with a line break, path otherwise; readMatrixFile names the file", () => {
    const p = join(tmp, "simple.tsv");
    writeFileSync(p, SIMPLE.replace(/\n/g, "\r"));
    expect(readMatrix(p).rows).toEqual(["A", "B"]);
    expect(readMatrix(SIMPLE).cols).toEqual(["S1", "S2"]);
    expect(readMatrix(SIMPLE.replace(/\n/g, "\r")).cols).toEqual(["S1", "S2"]);
    expect(readMatrix(Buffer.from(SIMPLE)).rows).toEqual(["A", "B"]);
    const gzPath = join(tmp, "renamed.txt");
    writeFileSync(gzPath, gzipSync(Buffer.from(SIMPLE)));
    expect(readMatrixFile(gzPath).cols).toEqual(["S1", "S2"]);
    const bad = join(tmp, "bad.tsv");
    writeFileSync(bad, "g\ts\nA\tx\n");
    expect(() => readMatrixFile(bad)).toThrow(`${bad}:2:2`);
    expect(() => readMatrixFile(bad, { name: "shown.tsv" })).toThrow("shown.tsv:2:2");
    expect(() => readMatrixFile(join(tmp, "missing.tsv"))).toThrow(InputError);
    expect(() => readMatrixFile(join(tmp, "missing.tsv"))).toThrow("no such file");
  });

  it("a 20k × 400 table parses completely and in place", { timeout: 60_000 }, () => {
    const G = 20000;
    const S = 400;
    const parts: string[] = [`gene\t${Array.from({ length: S }, (_, s) => `S${s}`).join("\t")}`];
    for (let g = 0; g < G; g++) {
      const row = new Array<string>(S + 1);
      row[0] = `G${g}`;
      for (let s = 0; s < S; s++) row[s + 1] = (((g * 7919 + s * 104729) % 100003) / 1000).toFixed(3);
      parts.push(row.join("\t"));
    }
    const m = parseMatrix(`${parts.join("\n")}\n`); // speed is measured in bench/, not here
    expect(m.rows.length).toBe(G);
    expect(m.cols.length).toBe(S);
    expect(get(m, 12345, 321)).toBe(Number((((12345 * 7919 + 321 * 104729) % 100003) / 1000).toFixed(3)));
  });
});

describe("parseMatrix: errors", () => {
  it("empty file and header only", () => {
    inputError("", ["m.tsv", "empty"]);
    inputError("\n\r\n  \n", ["m.tsv", "empty"]);
    inputError(new Uint8Array(0), ["m.tsv", "empty"]);
    inputError("gene\tS1\n\n", ["m.tsv:1", "no data rows"]);
  });

  it("bad cells name file, line, column, gene and sample", () => {
    const cases: [string, string][] = [
      ["", "empty cell"],
      ["NA", '"NA"'],
      ["NaN", '"NaN"'],
      ["Inf", '"Inf"'],
      ["-Inf", '"-Inf"'],
      ["Infinity", '"Infinity"'],
      ["abc", 'not a number: "abc"'],
      ["0x10", '"0x10"'],
      ["1,5", '"1,5"'],
      ["1e400", "out of the double range"],
      ["1.2.3", '"1.2.3"'],
      ["e5", '"e5"'],
    ];
    for (const [tok, msg] of cases) {
      const e = inputError(`gene\tS1\tS2\nA\t1\t2\nB\t3\t${tok}\n`, ["m.tsv:3:3", 'gene "B"', 'sample "S2"', msg]);
      expect(e.where).toEqual({ file: "m.tsv", line: 3, column: 3, gene: "B", sample: "S2" });
    }
    // long text is quoted truncated to 40 characters
    const long = "x".repeat(100);
    const e = inputError(`g\ts\nA\t${long}\n`, [`"${"x".repeat(40)}…"`]);
    expect(e.message).not.toContain("x".repeat(41));
    // line numbers count physical lines for every line ending
    inputError("g\ts\r\nA\t1\r\nB\tNA\r\n", ["m.tsv:3:2"]);
    inputError("g\ts\rA\t1\rB\tNA\r", ["m.tsv:3:2"]);
    // header-one-short: columns still count from the gene field
    inputError("S1\tS2\nA\t1\tx\n", ["m.tsv:2:3", 'sample "S2"']);
  });

  it("ragged rows, empty lines, empty names", () => {
    inputError("g\ta\tb\nA\t1\t2\nB\t1\n", ["m.tsv:3", "expected 3 fields, found 2"]);
    inputError("g\ta\tb\nA\t1\t2\nB\t1\t2\t3\t4\n", ["m.tsv:3", "expected 3 fields, found 5"]);
    inputError("g\ta\tb\nA\t1\t2\n\nB\t1\t2\n", ["m.tsv:3", "empty line"]);
    inputError("g\ta\tb\nA\t1\t2\n\t1\t2\n", ["m.tsv:3:1", "empty gene symbol"]);
    inputError('g\ta\tb\nA\t1\t2\n""\t1\t2\n', ["m.tsv:3:1", "empty gene symbol"]);
    inputError("g\ta\t\tb\nA\t1\t2\t3\n", ["m.tsv:1:3", "empty sample name"], { name: "m.tsv", what: "mixture" });
    inputError("gene\nA\nB\n", ["m.tsv:1", "no column columns"]);
    inputError('g\t"a\nA\t1\n', ["m.tsv:1:2", "unterminated"]);
  });

  it("duplicate column names, worded by what", () => {
    const t = "g\tX\tY\tX\tY\tZ\nA\t1\t2\t3\t4\t5\n";
    const e = inputError(t, ["m.tsv:1", "duplicate cell-type names", '"X" (columns 2, 4)', '"Y" (columns 3, 5)'], {
      name: "m.tsv",
      what: "signature",
    });
    expect(e.message).not.toContain('"Z"');
    inputError(t, ["duplicate sample names", '"X"'], { name: "m.tsv", what: "mixture" });
  });

  it("duplicate genes: error lists the first 10 with lines, the count, and the fix", () => {
    const lines = ["g\ts"];
    for (let i = 0; i < 12; i++) lines.push(`D${i}\t${i}`, `D${i}\t${i + 100}`);
    lines.push("U\t1");
    const e = inputError(lines.join("\n"), [
      "m.tsv",
      '"D0" (lines 2, 3)',
      '"D9" (lines 20, 21)',
      "12 in all",
      "12 gene symbols",
      "--duplicates first|mean|max",
    ]);
    expect(e.message).not.toContain('"D10"');
    expect(e.message).not.toContain('"U"');
    inputError("g\ts\nA\t1\nB\t2\nA\t3\n", ['"A" (lines 2, 4)', "1 gene symbol occurs"], { name: "m.tsv", what: "mixture" });
  });

  it("duplicate genes: first, mean, max", () => {
    const t = "g\ta\tb\nA\t1\t-5\nB\t2\t2\nA\t4\t-1\nC\t0\t0\nA\t0.1\t-3\nB\t0.2\t7\n";
    const run = (duplicates: "first" | "mean" | "max") => {
      const warnings: string[] = [];
      const m = parseMatrix(t, { name: "m.tsv", duplicates, onWarning: (w) => warnings.push(w) });
      expect(m.rows).toEqual(["A", "B", "C"]);
      expect(m.cols).toEqual(["a", "b"]);
      expect(warnings.length).toBe(1);
      expect(warnings[0]).toContain("m.tsv");
      expect(warnings[0]).toContain('"A" (lines 2, 4, 6)');
      expect(warnings[0]).toContain('"B" (lines 3, 7)');
      return rowsOf(m);
    };
    expect(run("first")).toEqual([
      [1, -5],
      [2, 2],
      [0, 0],
    ]);
    expect(run("mean")).toEqual([
      [(1 + 4 + 0.1) / 3, (-5 + -1 + -3) / 3],
      [(2 + 0.2) / 2, (2 + 7) / 2],
      [0, 0],
    ]);
    expect(run("max")).toEqual([
      [4, -1],
      [2, 7],
      [0, 0],
    ]);
    // no duplicates: no warning
    const w: string[] = [];
    parseMatrix(SIMPLE, { duplicates: "mean", onWarning: (x) => w.push(x) });
    expect(w).toEqual([]);
  });
});

describe("real files in test/golden", () => {
  const data = dataFile;

  it("CIBERSORT ExampleMixtures_GEPs.tsv: 11,866 × 5", () => {
    const m = readMatrixFile(data("cibersort_example_mixtures/ExampleMixtures_GEPs.tsv"), { what: "mixture" });
    expect([m.rows.length, m.cols.length]).toEqual([11866, 5]);
    expect(m.rowHeader).toBe("gene");
    expect(m.cols).toEqual(["Mix1", "Mix2", "Mix3", "Mix4", "Mix5"]);
    // awk -F'\t' 'NR==2||NR==11867{print $1,$2,$6}'
    expect([m.rows[0], get(m, 0, 0), get(m, 0, 4)]).toEqual(["A1CF", 317.722091092, 249.629991679]);
    expect([m.rows[11865], get(m, 11865, 0), get(m, 11865, 4)]).toEqual(["ZZZ3", 634.926841336, 593.266915571]);
  });

  it("LM22.tsv: 547 × 22", () => {
    const m = readMatrixFile(data("lm22_cibersort/LM22.tsv"), { what: "signature" });
    expect([m.rows.length, m.cols.length]).toEqual([547, 22]);
    expect(m.rowHeader).toBe("Gene symbol");
    expect([m.cols[0], m.cols[21]]).toEqual(["B cells naive", "Neutrophils"]);
    // awk -F'\t' 'NR==2||NR==548{print $1,$2,$23}'
    expect([m.rows[0], get(m, 0, 0), get(m, 0, 21)]).toEqual(["ABCB4", 555.7134486, 14.90688846]);
    expect([m.rows[546], get(m, 546, 0), get(m, 546, 21)]).toEqual(["ZNF442", 19.71319664, 20.15752219]);
  });

  it("GSE107572_tpm.tsv.gz: 19,423 × 9", () => {
    const m = readMatrixFile(data("finotello2019_pbmc_gse107572/GSE107572_tpm.tsv.gz"), { what: "mixture" });
    expect([m.rows.length, m.cols.length]).toEqual([19423, 9]);
    expect([m.cols[0], m.cols[8]]).toEqual(["pbmc_1", "pbmc_12"]);
    // zcat | awk -F'\t' 'NR==2||NR==100||NR==19424{print $1,$2,$4,$10}'
    expect([m.rows[0], get(m, 0, 0), get(m, 0, 2), get(m, 0, 8)]).toEqual(["UBE2Q2P2", 0, 0.0596913, 0]);
    expect([m.rows[98], get(m, 98, 0), get(m, 98, 2), get(m, 98, 8)]).toEqual(["ABHD5", 3.79535, 6.67384, 3.54225]);
    expect([m.rows[19422], get(m, 19422, 0), get(m, 19422, 2), get(m, 19422, 8)]).toEqual(["TPTEP1", 5.1553801, 45.0980546, 19.452058]);
  });
});

describe("formatNumber", () => {
  it("special values", () => {
    expect(formatNumber(NaN)).toBe("NaN");
    expect(formatNumber(Infinity)).toBe("Inf");
    expect(formatNumber(-Infinity)).toBe("-Inf");
    expect(formatNumber(-0)).toBe("-0");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(formatNumber(1e300)).toBe("1e+300");
    expect(formatNumber(5e-324)).toBe("5e-324");
  });

  it("round-trips random doubles through the reader's strict parser", () => {
    // random bit patterns cover subnormals and every exponent; plus hand-picked edge cases
    const buf = new DataView(new ArrayBuffer(8));
    const xs: number[] = [
      0.1 + 0.2,
      1e300,
      -1e-300,
      5e-324,
      2.2250738585072014e-308,
      2.225073858507201e-308,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      -0,
      1e21,
      1e-7,
      123456789.123,
    ];
    let seed = 12345n;
    const random = seededRandom(12345);
    for (let i = 0; i < 20000; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
      buf.setBigUint64(0, seed);
      const x = buf.getFloat64(0);
      if (Number.isFinite(x)) xs.push(x);
      xs.push(random() * 10 ** Math.floor(random() * 40 - 20));
      if (i < 1000) xs.push(Number.MIN_VALUE * Math.floor(random() * 2 ** 52)); // subnormals
    }
    for (const x of xs) expect(Object.is(Number(formatNumber(x)), x)).toBe(true);
    // and through parseMatrix itself: the strict grammar accepts every formatNumber output, and the value is
    // R's (not always correctly rounded, so like R it may read a shortest representation back one ulp off)
    const names = xs.map((_, i) => `c${i}`);
    const m = parseMatrix(`g\t${names.join("\t")}\nA\t${xs.map(formatNumber).join("\t")}\n`);
    let ulpOff = 0;
    for (let i = 0; i < xs.length; i++) {
      const want = rStrtod(formatNumber(xs[i]));
      if (!Object.is(get(m, 0, i), want)) expect(get(m, 0, i)).toBe(want);
      if (want !== xs[i]) ulpOff++;
    }
    expect(ulpOff).toBeLessThan(xs.length / 100); // rare: R's double rounding only bites near midpoints
  }, 60_000); // ~1 s idle; 10 s when the machine is shared
});

describe("formatTable", () => {
  it("TSV with header, LF, trailing newline, read back identically", () => {
    const vals = [
      [0.1, NaN],
      [-Infinity, 1e-310],
    ];
    const t = formatTable("Mixture", ["a", "b"], ["s1", "s2"], (r, c) => vals[r][c]);
    expect(t).toBe("Mixture\ta\tb\ns1\t0.1\tNaN\ns2\t-Inf\t1e-310\n");
    const m = parseMatrix(formatTable("gene", ["x", "y"], ["A", "B"], (r, c) => r * 10 + c + 0.5));
    expect(rowsOf(m)).toEqual([
      [0.5, 1.5],
      [10.5, 11.5],
    ]);
    expect(formatTable("g", [], [], () => 0)).toBe("g\n");
    expect(() => formatTable("g", ["a\tb"], [], () => 0)).toThrow(RangeError);
  });
});

describe("writeFileAtomic", () => {
  it("writes, replaces, and leaves no temp file", () => {
    const dir = join(tmp, "atomic");
    mkdirSync(dir);
    const p = join(dir, "out.tsv");
    writeFileAtomic(p, "first\n");
    writeFileAtomic(p, new Uint8Array(Buffer.from("second\n")));
    expect(readFileSync(p, "utf8")).toBe("second\n");
    const big = "x".repeat(5_000_000);
    writeFileAtomic(p, big);
    expect(readFileSync(p, "utf8")).toBe(big);
    expect(readdirSync(dir)).toEqual(["out.tsv"]);
  });

  it("a failed write creates nothing and leaves no temp file", () => {
    const missing = join(tmp, "no-such-dir", "out.tsv");
    expect(() => writeFileAtomic(missing, "x")).toThrow(/ENOENT/);
    expect(existsSync(join(tmp, "no-such-dir"))).toBe(false);

    // target is a directory: the rename fails after the temp file was written
    const dir = join(tmp, "atomic-fail");
    mkdirSync(join(dir, "target"), { recursive: true });
    expect(() => writeFileAtomic(join(dir, "target"), "data")).toThrow();
    expect(readdirSync(dir)).toEqual(["target"]);
    expect(readdirSync(join(dir, "target"))).toEqual([]);
  });
});
