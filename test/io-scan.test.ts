// Byte scanner (src/io/scan.ts): bit-identical to rStrtod on every reference table; row selection; the
// careful parser still gives the precise messages for inputs the scanner hands back.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import { parseMatrix } from "../src/core/formats/read.js";
import { exactRStrtod, nearMidpointN, rStrtod } from "../src/core/formats/rnumber.js";
import { scanEnd, scanNumber, scanTable } from "../src/core/formats/scan.js";
import { get } from "../src/core/matrix.js";
import { GOLDEN } from "./helpers/reference.js";
import { seededRandom } from "./helpers/random.js";

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const enc = new TextEncoder();

function files(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(tsv|txt|csv)(\.gz)?$/.test(f)) out.push(p);
  }
  return out;
}

function sameAsRStrtod(tok: string): boolean {
  const b = enc.encode(tok);
  return Object.is(scanNumber(b, 0, b.length), rStrtod(tok)) && scanEnd() === b.length;
}

describe("scanNumber = rStrtod", () => {
  const all = files(GOLDEN);
  it(`every numeric cell of the ${all.length} files in test/golden`, () => {
    let cells = 0;
    const bad: string[] = [];
    for (const f of all) {
      let bytes: Uint8Array = readFileSync(f);
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
      const text = new TextDecoder().decode(bytes);
      for (const tok of text.split(/[\t,\r\n]/)) {
        const t = tok.trim();
        if (!NUMBER.test(t)) continue;
        cells++;
        if (!sameAsRStrtod(t)) bad.push(`${f}: ${t}`);
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(cells).toBeGreaterThan(100000);
  }, 50_000);

  it("hazard tokens, signs, zeros, exponents, long mantissas", () => {
    const toks = [
      "0",
      "-0",
      "+0",
      "0.0",
      "-0.000",
      "1",
      "-1",
      "+7",
      ".5",
      "5.",
      "-.25",
      "0.1",
      "0.3",
      "1e5",
      "1E-5",
      "2.5e+3",
      "123456789012345678",
      "0.123456789012345678",
      "9007199254740993",
      "3.0000000000000004",
      "0.00000000000000000000001",
      "1.7976931348623157e308",
      "4.9e-324",
      "-2.2250738585072014e-308",
      "1234.5678",
      "0.1000000000000000055511151231257827",
      "8.5",
      "0.0000152587890625",
    ];
    const random = seededRandom(20261206);
    for (let i = 0; i < 20000; i++) toks.push((random() * 10 ** ((i % 12) - 4)).toFixed(i % 17));
    for (const t of toks) expect(sameAsRStrtod(t), t).toBe(true);
  });

  it("hazard cells (near a double midpoint) equal the step-by-step long-double emulation", () => {
    let hits = 0;
    const random = seededRandom(7);
    for (let i = 0; hits < 1500 && i < 2_000_000; i++) {
      const k = 1 + (i % 12);
      const n = Math.floor(random() * 10 ** Math.min(15, k + 1 + (i % 5)));
      if (n === 0) continue;
      const d = n / 10 ** k;
      if (!nearMidpointN(d, k, n, 0)) continue;
      hits++;
      const digits = String(n).padStart(k + 1, "0");
      const tok = `${digits.slice(0, -k)}.${digits.slice(-k)}`;
      const b = enc.encode(tok);
      expect(Object.is(scanNumber(b, 0, b.length), exactRStrtod(tok)), tok).toBe(true);
    }
    expect(hits).toBeGreaterThan(100);
  }, 30_000);
});

describe("scanTable and the fallback", () => {
  it("reads what the careful parser reads", () => {
    const t = "gene\tA\tB\r\nX\t1.5\t-2\r\nY\t3e2\t.25\r\n\r\n";
    const s = scanTable(enc.encode(t), false);
    expect(s).not.toBeNull();
    const m = parseMatrix(t);
    expect(m.rows).toEqual(["X", "Y"]);
    expect([get(m, 0, 0), get(m, 1, 0), get(m, 0, 1), get(m, 1, 1)]).toEqual([1.5, 300, -2, 0.25]);
  });

  it("keepRows (function or Set) stores only the selected genes, in file order", () => {
    const t = "gene,A,B\nX,1,2\nY,3,4\nZ,5,6\nY2,7,8\n";
    for (const keepRows of [new Set(["Z", "X"]), (g: string) => g === "X" || g === "Z"]) {
      const m = parseMatrix(t, { name: "m.csv", keepRows });
      expect(m.rows).toEqual(["X", "Z"]);
      expect(Array.from(m.data)).toEqual([1, 5, 2, 6]);
    }
    // the careful path (quotes) selects the same rows
    const q = parseMatrix('"gene",A,B\nX,1,2\nY,3,4\nZ,5,6\n', { name: "m.csv", keepRows: new Set(["Z"]) });
    expect(q.rows).toEqual(["Z"]);
    expect(Array.from(q.data)).toEqual([5, 6]);
  });

  it("duplicate messages give the real line numbers with keepRows", () => {
    expect(() => parseMatrix("g\tA\nX\t1\nY\t2\nX\t3\n", { name: "m.tsv", keepRows: new Set(["X"]) })).toThrow(/"X" \(lines 2, 4\)/);
  });

  const cases: [string, string][] = [
    ["g\tA\tB\nX\t1\n", 'm.tsv:2, gene "X": expected 3 fields, found 2'],
    ["g\tA\nX\t1\nY\t2\t\n", "(trailing delimiter?)"],
    ["g\tA\tB\nX\t1\tabc\n", 'm.tsv:2:3, gene "X", sample "B": not a number: "abc"'],
    ["g\tA\nX\tNA\n", 'missing value "NA"'],
    ["g\tA\nX\tInf\n", 'infinite value "Inf"'],
    ["g\tA\nX\t\n", "empty cell"],
    ["g\tA\nX\t1e999\n", "out of the double range"],
    ["g\tA\n", "header line but no data rows"],
    ["", "empty matrix file"],
    ["g\tA\nX\t1\n\nY\t2\n", "empty line inside the table"],
    ["g\tA\n\t1\n", "empty gene symbol"],
  ];
  for (const [text, msg] of cases) {
    it(`error kept: ${msg}`, () => {
      let err: unknown;
      try {
        parseMatrix(enc.encode(text), { name: "m.tsv" });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain(msg);
    });
  }
});
