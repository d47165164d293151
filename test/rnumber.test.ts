// rStrtod against R itself: strtod.tsv holds, for every token of strtod-tokens.txt, the double R's
// read.table made of it, as a C99 hex float (test/fixtures/make-strtod.R, R 4.2.2 x86-64). The tokens are
// 300 where R's double rounding differs from correct rounding, 300 where it does not, and edge cases
// (subnormals, exponents below −313, R's Inf just above DBL_MAX).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exactRStrtod, rStrtod } from "../src/core/formats/rnumber.js";

/** Parse R's sprintf("%a") output, e.g. "-0x1.8p+1" (exact: mantissa and exponent are integers). */
function hexFloat(s: string): number {
  if (s === "Inf") return Infinity;
  const m = /^(-?)0x([01])(?:\.([0-9a-f]+))?p([+-]\d+)$/.exec(s);
  if (!m) throw new Error(`not a hex float: ${s}`);
  const frac = m[3] ?? "";
  const mant = BigInt(`0x${m[2]}${frac}`);
  const v = Number(mant) * 2 ** (Number(m[4]) - 4 * frac.length);
  return m[1] ? -v : v;
}

const rows = readFileSync(new URL("fixtures/strtod.tsv", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split("\t") as [string, string]);

describe("rStrtod equals R's read.table bit for bit", () => {
  it("fixture is the full token list", () => {
    expect(rows.length).toBeGreaterThan(600);
  });

  it("fast path with hazard filter", () => {
    const bad = rows.filter(([tok, hex]) => !Object.is(rStrtod(tok), hexFloat(hex)));
    expect(bad).toEqual([]);
  });

  it("exact long-double emulation alone", () => {
    const bad = rows.filter(([tok, hex]) => !Object.is(exactRStrtod(tok), hexFloat(hex)));
    expect(bad).toEqual([]);
  });

  it("the fixture does exercise R's double rounding (JS Number differs on some tokens)", () => {
    const differ = rows.filter(([tok, hex]) => Number(tok) !== hexFloat(hex)).length;
    expect(differ).toBeGreaterThanOrEqual(300);
  });
});
