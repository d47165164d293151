// Pieces of src/core/stats point by point: distribution tails and p.adjust against R 4.2.2
// (test/golden/stats/make.R wrote tails.tsv and padjust.tsv), and the formula/design rules against what
// R's model.matrix names (the names are R's, typed from R 4.2.2 output).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chisqUpper, fUpper, normTwoSided, tTwoSided } from "../src/core/stats/distributions.js";
import { designMatrix, parseFormula, rName, type Variable } from "../src/core/stats/formula.js";
import { pAdjust } from "../src/core/stats/padjust.js";
import { kendallPairs } from "../src/core/stats/rank.js";
import { STATS_GOLDEN_DIR } from "./helpers/stats-golden.js";

const tsv = (f: string) => {
  const [head, ...lines] = readFileSync(new URL(f, STATS_GOLDEN_DIR), "utf8").trimEnd().split("\n");
  const cols = head.split("\t");
  return lines.map((l) => Object.fromEntries(l.split("\t").map((v, i) => [cols[i], v])));
};
const num = (v: string) => (v === "NA" ? NaN : Number(v));
const close = (got: number, want: number) => (want === 0 ? got === 0 : Math.abs(got - want) <= 1e-12 * Math.abs(want));

describe("upper tails against R (1e-12 relative)", () => {
  for (const r of tsv("tails.tsv")) {
    it(`${r.dist}(${r.x}; ${r.a} ${r.b})`, () => {
      const x = num(r.x);
      const got =
        r.dist === "t2"
          ? tTwoSided(x, num(r.a))
          : r.dist === "F"
            ? fUpper(x, num(r.a), num(r.b))
            : r.dist === "chisq"
              ? chisqUpper(x, num(r.a))
              : normTwoSided(x);
      expect(close(got, num(r.p)), `${got} vs ${r.p}`).toBe(true);
    });
  }
});

describe("p.adjust against R", () => {
  const rows = tsv("padjust.tsv");
  const p = rows.map((r) => num(r.p));
  for (const m of ["BH", "holm", "bonferroni"] as const) {
    it(`${m}: NA left out of n, ties`, () => {
      const q = pAdjust(p, m);
      rows.forEach((r, i) =>
        Number.isNaN(num(r[m])) ? expect(q[i]).toBeNaN() : expect(close(q[i], num(r[m])), `${q[i]} vs ${r[m]}`).toBe(true),
      );
    });
  }
});

describe("formulas and design matrices as R names them", () => {
  const f = (name: string, levels: string[], codes: number[]): Variable => ({
    kind: "factor",
    name,
    levels,
    codes: Int32Array.from(codes),
  });
  const x = (name: string, v: number[]): Variable => ({ kind: "numeric", name, values: Float64Array.from(v) });
  const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);

  it("a * b expands to a + b + a:b, terms ordered by degree", () => {
    const fm = parseFormula("~ her2score * HR + age");
    expect(fm.variables).toEqual(["her2score", "HR", "age"]);
    expect(fm.terms).toEqual([[0], [1], [2], [0, 1]]);
  });

  it("treatment and sum contrasts, numeric:factor names", () => {
    const vars = [x("her2score", [1, 2, 3, 4, 5, 6]), f("HR", ["Negative", "Positive"], [0, 1, 0, 1, 1, 0])];
    const fm = parseFormula("~ her2score * HR");
    expect(designMatrix(fm, vars, rows).colnames).toEqual(["(Intercept)", "her2score", "HRPositive", "her2score:HRPositive"]);
    expect(designMatrix(fm, vars, rows, "sum").colnames).toEqual(["(Intercept)", "her2score", "HR1", "her2score:HR1"]);
  });

  it("a factor is coded by contrasts only when the term without it is in the model (R's rule)", () => {
    // R: colnames(model.matrix(~ x + x:g)) = "(Intercept)" "x" "x:gb" "x:gc"; (~ x:g) = "(Intercept)" "x:ga" "x:gb" "x:gc"
    const vars = [x("x", [1, 2, 3, 4, 5, 6]), f("g", ["a", "b", "c"], [0, 1, 2, 0, 1, 2])];
    expect(designMatrix(parseFormula("x + x:g"), vars, rows).colnames).toEqual(["(Intercept)", "x", "x:gb", "x:gc"]);
    expect(designMatrix(parseFormula("x:g"), vars, rows).colnames).toEqual(["(Intercept)", "x:ga", "x:gb", "x:gc"]);
  });

  it("factor × factor columns, the first factor varying fastest; unused levels dropped", () => {
    // R: colnames(model.matrix(~ a * b)) with a in {p, q}, b in {u, v, w}: … "aq:bv" "aq:bw"
    const vars = [f("a", ["p", "q"], [0, 1, 0, 1, 0, 1]), f("b", ["u", "v", "w", "z"], [0, 0, 1, 1, 2, 2])];
    expect(designMatrix(parseFormula("a * b"), vars, rows).colnames).toEqual(["(Intercept)", "aq", "bv", "bw", "aq:bv", "aq:bw"]);
  });

  it("non-syntactic names are backquoted as R prints them", () => {
    expect(rName("T cells CD8")).toBe("`T cells CD8`");
    expect(rName("her2score")).toBe("her2score");
    expect(rName("2x")).toBe("`2x`");
    expect(rName(".x")).toBe(".x");
    expect(parseFormula("`T cells CD8` + age").variables).toEqual(["T cells CD8", "age"]);
  });

  it("rejects what it does not implement", () => {
    expect(() => parseFormula("~ a + 0")).toThrow(/intercept terms/);
    expect(() => parseFormula("~ log(a)")).toThrow(/unexpected/);
    expect(() => parseFormula("~ a +")).toThrow(/unexpected end/);
  });
});

describe("Kendall pair counts", () => {
  it("Knight's O(n log n) counts equal the O(n²) sums of sign products (R's cov.c), ties included", () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647; // Park–Miller, exact in doubles
    for (const [n, levels] of [
      [2, 2],
      [7, 3],
      [50, 5],
      [301, 1000],
      [400, 12],
    ]) {
      const x = Array.from({ length: n }, () => Math.floor(rnd() * levels));
      const y = Array.from({ length: n }, () => Math.floor(rnd() * levels));
      let s = 0;
      let xs = 0;
      let ys = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) {
          const a = Math.sign(x[i] - x[j]);
          const b = Math.sign(y[i] - y[j]);
          s += a * b;
          xs += a * a;
          ys += b * b;
        }
      }
      expect(kendallPairs(x, y)).toEqual({ s, xs, ys });
    }
  });
});
