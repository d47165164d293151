// scanRowMax (core/formats/scan.ts), the check of every row a run does not keep: its quick one-loop pass must
// give, on any row, the same accept/refuse decision as scanCells and the same maximum to the bit (R's value,
// rStrtod, not the quick N / 10^k), with ties (0 and -0) resolved as rowMax over scanCells' values resolves them.
import { describe, expect, it } from "vitest";
import { nearMidpointN, rStrtod } from "../src/core/formats/rnumber.js";
import { scanCells, scanRowMax } from "../src/core/formats/scan.js";
import { loadCore } from "../src/core/wasm.js";
import { LINE_BATCH, scanBatch, WasmLines } from "../src/node/scan-batch.js";
import { seededRandom } from "./helpers/random.js";

const enc = new TextEncoder();
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The row's cells after a gene field, with a line end after it (as in a buffer), and where they start and end. */
function line(cells: string[], D = "\t"): { b: Uint8Array; s: number; e: number } {
  const text = `G${D}${cells.join(D)}`;
  const b = enc.encode(`${text}\nX\t-1\t-2\n`);
  return { b, s: 2, e: enc.encode(text).length };
}

/** The contract: scanCells' decision, and the first largest of its values. */
function byScanCells(b: Uint8Array, s: number, e: number, D: number, ncol: number): number {
  const out = new Float64Array(ncol);
  if (!scanCells(b, s, e, D, ncol, out, 0)) return NaN;
  let m = -Infinity;
  for (const v of out) if (v > m) m = v;
  return m;
}

/** R's reading, independent of the scanner: every cell a finite number of R's grammar, else refused. */
function byRStrtod(cells: string[]): number {
  let m = -Infinity;
  for (const t of cells) {
    const v = NUMBER.test(t) ? rStrtod(t) : NaN;
    if (!Number.isFinite(v)) return NaN;
    if (v > m) m = v;
  }
  return m;
}

function expectSame(cells: string[], ncol = cells.length, D = "\t"): void {
  const { b, s, e } = line(cells, D);
  const got = scanRowMax(b, s, e, D.charCodeAt(0), ncol);
  const want = byScanCells(b, s, e, D.charCodeAt(0), ncol);
  expect(Object.is(got, want), `${cells.join(D)} (ncol ${ncol}): ${got} vs ${want}`).toBe(true);
  if (ncol === cells.length && !Number.isNaN(want)) expect(Object.is(got, byRStrtod(cells)), cells.join(D)).toBe(true);
}

function bothWays(rows: string[][]): void {
  for (const r of rows) {
    expectSame(r);
    expectSame([...r].reverse());
  }
}

/** Tokens where R's long-double reading differs from the quick N / 10^k (near a double midpoint). */
function hazards(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count && i < 30_000_000; i++) {
    const k = 1 + (i % 12);
    const n = Math.floor((((i * 2654435761) % 2 ** 32) / 2 ** 32) * 10 ** Math.min(15, k + 1 + (i % 5)));
    if (n === 0 || !nearMidpointN(n / 10 ** k, k, n, 0)) continue;
    const digits = String(n).padStart(k + 1, "0");
    const tok = `${digits.slice(0, -k)}.${digits.slice(-k)}`;
    if (rStrtod(tok) !== n / 10 ** k) out.push(tok);
  }
  return out;
}

describe("scanRowMax = the maximum of scanCells' values", () => {
  const hz = hazards(30);

  it("finds hazard tokens (the quick value is an ulp off R's)", () => {
    expect(hz.length).toBe(30);
  });

  it("adversarial rows: ties, signs, zeros, hazards beside their quick value, odd but valid tokens", () => {
    for (const t of hz) {
      const q = String(Number(t)); // parseFloat's reading of the token: R's may be an ulp away
      const neg = `-${t}`;
      expectSame([t, q]);
      expectSame([q, t]);
      expectSame([t, q, "0.5"]);
      expectSame([neg, `-${q}`]);
      expectSame(["-9", neg]);
      expectSame([t, `${t}0`, `0${t}`]);
    }
    const rows = [
      ["0", "-0"],
      ["-0", "0"],
      ["-0", "-0.000"],
      ["-1", "-0.5", "-2"],
      ["1.", ".5", "-.25"],
      ["007", "7"],
      ["0.000000000000001", "1e-15"],
      ["123456789012345", "123456789012345.0"],
      ["1234567890123456", "1"],
      ["0.1234567890123456789", "0.1"],
      ["00000000000000000001", "0"],
      ["+1", "0.5"],
      ["1e5", "99999.99"],
      ["1E-3", "0.001"],
      ["2", "1e0"],
      ["4.9e-324", "0"],
      ["1.7976931348623157e308", "-1"],
    ];
    bothWays(rows);
  });

  it("refuses what scanCells refuses: bad cells, blanks, missing or extra cells, non-finite values", () => {
    const bad = [
      ["1", "NA"],
      ["", "1"],
      ["1", ""],
      ["-", "1"],
      [".", "1"],
      ["1 ", "2"],
      [" 1", "2"],
      ["1.2.3", "1"],
      ["--1", "2"],
      ["1e", "2"],
      ["1e+", "2"],
      ["1e999", "2"],
      ["-1e999", "2"],
      ["Inf", "1"],
      ["0x10", "1"],
      ["1,5", "2"],
    ];
    bothWays(bad);
    expectSame(["1", "2", "3"], 2); // an extra cell
    expectSame(["1", "2"], 3); // a missing one
    expectSame(["1", "2"], 1);
    expectSame(["1.5", "2.5"], 2, ","); // CSV
    expectSame(["1.5\t2.5", "3"], 2, ","); // a tab inside a CSV cell
  });

  it("random rows: decimals of every length, signs, exponents, hazards and the odd bad cell", () => {
    const rnd = seededRandom(20261206);
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join("");
    const token = (): string => {
      const u = rnd();
      if (u < 0.03) return pick(["NA", "", "-", "1e", "+", "x1"]);
      if (u < 0.08) return pick(hz);
      if (u < 0.12)
        return `${pick(["", "-", "+"])}${digits(1 + Math.floor(rnd() * 3))}e${pick(["", "-", "+"])}${digits(1 + Math.floor(rnd() * 2))}`;
      const int = digits(Math.floor(rnd() * 9));
      const frac = rnd() < 0.7 ? `.${digits(Math.floor(rnd() * 12))}` : "";
      const t = `${rnd() < 0.3 ? "-" : ""}${int}${frac}`;
      return rnd() < 0.02 ? `${t}${digits(12)}` : t;
    };
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + Math.floor(rnd() * 25);
      const cells = Array.from({ length: n }, token);
      expectSame(cells);
      const { b, s, e } = line(cells);
      if (!Number.isNaN(scanRowMax(b, s, e, 9, n))) accepted++;
    }
    expect(accepted).toBeGreaterThan(5_000); // most rows are read, not refused
  });
});

describe("the Wasm row kernel (rowMaxExact, via WasmRowMax) = scanRowMax", () => {
  /** One batch of rows as the reader hands it to a worker: every row's maximum, JS loop vs Wasm kernel. */
  function sameBatch(rows: string[][], ncol: (r: string[]) => number, D = "\t"): Promise<void> {
    const text = rows.map((r) => `g\t${r.join(D)}\n`).join("");
    const bytes = enc.encode(text);
    const idx: number[] = [];
    let p = 0;
    for (const r of rows) {
      const e = bytes.indexOf(10, p);
      idx.push(p + 2, e, 0);
      p = e + 1;
      void r;
    }
    const n0 = ncol(rows[0]);
    const task = { bytes, rows: Int32Array.from(idx), D: D.charCodeAt(0), ncol: n0 };
    return loadCore().then((core) => {
      const js = scanBatch(task).out;
      const wasm = scanBatch(task, core).out;
      for (let i = 0; i < rows.length; i++) expect(Object.is(wasm[i], js[i]), `${rows[i].join(D)}: ${wasm[i]} vs ${js[i]}`).toBe(true);
    });
  }

  it("adversarial rows, hazards and refused rows give the same maxima", async () => {
    const hz = hazards(30);
    const rows: string[][] = [];
    for (const t of hz) rows.push([t, String(Number(t))], [String(Number(t)), t], [`-${t}`, `-${Number(t)}`]);
    rows.push(["0", "-0"], ["-0", "0"], ["1.", ".5"], ["007", "7"], ["+1", "0.5"], ["1e5", "99999.99"]);
    rows.push(["1234567890123456", "1"], ["1", "NA"], ["", "1"], ["-", "1"], ["1 ", "2"], ["1.2.3", "1"]);
    await sameBatch(
      rows.map((r) => [...r, "0.25"]),
      () => 3,
    );
    await sameBatch([["1", "2", "3"], ["1", "2"], ["4"]], () => 2); // extra and missing cells
    await sameBatch(
      [
        ["1.5", "2.5"],
        ["3", "-4"],
      ],
      () => 2,
      ",",
    ); // CSV
  });

  it("random rows of one width, as a cohort's", async () => {
    for (const width of [1, 7, 300]) await sameBatch(cohortRows(20261207 + width, 400, width), () => width);
  });
});

/** A cell the Wasm kernels read: [-]digits[.digits], 1–15 digits. */
const PLAIN = /^-?(?=\d*\.?\d)(?:\d+\.?\d*|\.\d+)$/;
/** The cells are not `ncol` cells the Wasm kernels read (the host reads such a row). */
const notPlain = (cells: string[], ncol: number) =>
  cells.length !== ncol || cells.some((t) => !PLAIN.test(t) || t.replace(/[-.]/g, "").length > 15);

/** Rows of one width as a cohort has them: mostly plain decimals, some hazards, the odd bad or odd-but-valid cell. */
function cohortRows(seed: number, count: number, width: number): string[][] {
  const rnd = seededRandom(seed);
  const hz = hazards(20);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join("");
  const token = (): string => {
    const u = rnd();
    if (u < 0.002) return "NA";
    if (u < 0.01) return hz[Math.floor(rnd() * hz.length)];
    if (u < 0.012) return `${digits(2)}e-${digits(1)}`;
    if (u < 0.014) return `+${digits(2)}`;
    if (u < 0.016) return `${digits(16)}`;
    const t = `${rnd() < 0.2 ? "-" : ""}${digits(Math.floor(rnd() * 6))}${rnd() < 0.8 ? `.${digits(Math.floor(rnd() * 10))}` : ""}`;
    return t === "" || t === "-" ? "0" : t;
  };
  return Array.from({ length: count }, () => Array.from({ length: width }, token));
}

describe("the Wasm line kernel (scanLines, rowValues) = the reader's JavaScript", () => {
  it("rowValues: scanCells' values to the bit whenever it answers, and it answers for plain rows", async () => {
    const core = await loadCore();
    let answered = 0;
    for (const width of [1, 3, 22]) {
      const rows = cohortRows(20261208 + width, 600, width);
      rows.push(["0", "-0", "-0.000"].slice(0, width), hazards(1).concat(["1"]).slice(0, width));
      const text = rows.map((r) => `g\t${r.join("\t")}\n`).join("");
      const b = enc.encode(text);
      const w = new WasmLines(core, b, width);
      let p = 0;
      for (const r of rows) {
        const e = b.indexOf(10, p);
        const want = new Float64Array(width);
        const ok = scanCells(b, p + 2, e, 9, width, want, 0);
        const got = new Float64Array(width + 1).fill(7);
        if (w.row(p + 2, e, 9, got, 1)) {
          answered++;
          expect(ok, r.join(" ")).toBe(true);
          for (let c = 0; c < width; c++) expect(Object.is(got[c + 1], want[c]), `${r.join(" ")}: cell ${c}`).toBe(true);
          expect(got[0]).toBe(7); // nothing written before `base`
        } else {
          // Not answered: only a row that is not `width` plain decimals of at most 15 digits.
          expect(notPlain(r, width), r.join(" ")).toBe(true);
        }
        p = e + 1;
      }
    }
    expect(answered).toBeGreaterThan(1000);
  });

  it("scanLines: each line's start, first field, name and end as the reader splits them; maxima scanRowMax's when given", async () => {
    const core = await loadCore();
    // Long names too: ~290 of 220 bytes fill a batch's room for names (64 kB) before LINE_BATCH lines, and a
    // 70 kB one never fits (the host reads that line).
    const rows = cohortRows(20261209, 3 * LINE_BATCH + 17, 5).map(
      (r, i) => `${i >= 600 && i < 1300 ? "L".repeat(220) : "G"}${i}\t${r.join("\t")}`,
    );
    rows.splice(900, 0, `${"H".repeat(70_000)}\t1\t2\t3\t4\t5`);
    // Lines the host must read itself: blank, a blank or non-ASCII start, no tab, a first field empty, not ASCII or
    // ending in a blank.
    const odd = [
      "",
      " G\t1\t2\t3\t4\t5",
      "\u00e9\t1\t2\t3\t4\t5",
      "G\u00e9\t1\t2\t3\t4\t5",
      "G 1 2",
      "\t1\t2\t3\t4\t5",
      "G \t1\t2\t3\t4\t5",
      "Gx\t1\t2",
    ];
    odd.forEach((l, k) => rows.splice(100 * k + 3, 0, l));
    for (const last of ["\n", ""]) {
      const b = enc.encode(rows.join("\n") + last);
      const w = new WasmLines(core, b, 5);
      const seen: [number, number, number, number, string][] = [];
      let short = 0; // batches ended by the room for names
      for (let pos = 0; ; ) {
        const k = w.scan(pos, b.length, true, 9);
        for (let i = 0; i < k; i++) seen.push([w.at[3 * i], w.at[3 * i + 1], w.at[3 * i + 2], w.maxes[i], w.names[i]]);
        if (k > 0) pos = Math.min(b.length, w.at[3 * (k - 1) + 2] + 1);
        if (k === 0 || pos === b.length) break;
        if (k < LINE_BATCH) short++;
      }
      expect(seen.length).toBe(rows.length);
      expect(short).toBeGreaterThan(1);
      let p = 0;
      let sure = 0;
      rows.forEach((text, i) => {
        const [s, g, e, m, name] = seen[i];
        const end = p + enc.encode(text).length;
        expect([s, e], `line ${i + 1}`).toEqual([p, end]);
        const tab = text.indexOf("\t");
        const plain =
          tab < 65_000 &&
          text !== "" &&
          text.charCodeAt(0) > 32 &&
          text.charCodeAt(0) < 127 &&
          tab > 0 &&
          text.charCodeAt(tab - 1) > 32 &&
          [...text.slice(0, tab)].every((c) => c.charCodeAt(0) < 128);
        expect(g, `line ${i + 1}: ${JSON.stringify(text)}`).toBe(plain ? p + tab : -1);
        expect(name, `line ${i + 1}`).toBe(plain ? text.slice(0, tab) : "");
        if (!Number.isNaN(m)) {
          sure++;
          expect(Object.is(m, scanRowMax(b, g + 1, e, 9, 5)), `line ${i + 1}: ${text}`).toBe(true);
        } else if (g >= 0) expect(notPlain(text.split("\t").slice(1), 5), `line ${i + 1}: ${text}`).toBe(true);
        p = end + 1;
      });
      expect(sure).toBeGreaterThan(rows.length / 2);
      // Not at eof: an unfinished last line is left for the next call.
      const cut = enc.encode(`${rows[0]}\n${rows[1]}`);
      const w2 = new WasmLines(core, cut, 5);
      expect(w2.scan(0, cut.length, false, 9)).toBe(1);
      expect(w2.at[2]).toBe(enc.encode(rows[0]).length);
    }
  });
});
