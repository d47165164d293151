// The numbers the charts draw that cellfrac computes itself, against R 4.2: box-plot statistics
// (quantile type 7, 1.5 IQR whiskers: test/fixtures/summaries.tsv from make-summaries.R), least-squares
// lines (coef(lm)), and the forest plot's 95 % interval quantiles qt(0.975, df), qnorm(0.975)
// (test/fixtures/ci-quantiles.tsv from make-ci.R).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { qt975, tCentral, Z975, confidenceInterval } from "../src/core/charts/ci.js";
import { boxStats, leastSquares } from "../src/core/charts/summaries.js";
import type { StatsRow } from "../src/core/charts/specs.js";

function tsv(name: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")
    .trim()
    .split("\n");
  const cols = head.split("\t");
  return lines.map((l) => Object.fromEntries(l.split("\t").map((v, i) => [cols[i], v])));
}
const nums = (s: string): number[] => (s === "" ? [] : s.split(",").map(Number));

describe("boxStats = R quantile(type 7) and 1.5 IQR whiskers", () => {
  for (const r of tsv("summaries.tsv")) {
    it(r.name, () => {
      const b = boxStats(nums(r.values))!;
      // Same arithmetic as R's quantile.default: bit-identical.
      expect([b.q1, b.median, b.q3, b.lower, b.upper]).toEqual([r.q1, r.median, r.q3, r.lower, r.upper].map(Number));
      expect(b.outliers).toEqual(nums(r.outliers));
      expect(b.n).toBe(nums(r.values).length);
    });
  }
  it("ignores NaN and returns undefined without finite values", () => {
    expect(boxStats([NaN, 1, 2, 3, NaN])).toEqual(boxStats([1, 2, 3]));
    expect(boxStats([NaN])).toBeUndefined();
  });
});

describe("leastSquares = R coef(lm(y ~ x))", () => {
  for (const r of tsv("summaries.tsv").filter((r) => r.intercept !== "NA")) {
    it(r.name, () => {
      const fit = leastSquares(nums(r.score), nums(r.values));
      // Different summation from R's QR: agreement to a few ulps of the values' scale.
      expect(Math.abs(fit.slope - Number(r.slope))).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(Number(r.slope))));
      expect(Math.abs(fit.intercept - Number(r.intercept))).toBeLessThanOrEqual(1e-12);
    });
  }
  it("skips pairs with a non-finite member", () => {
    expect(leastSquares([1, 2, NaN, 3], [2, 4, 5, 6])).toMatchObject({ slope: 2, intercept: 0, n: 3, xmin: 1, xmax: 3 });
  });
});

describe("95 % interval quantiles = R qt(0.975, df), qnorm(0.975)", () => {
  for (const r of tsv("ci-quantiles.tsv")) {
    it(`df ${r.df}`, () => {
      const q = r.df === "Inf" ? Z975 : qt975(Number(r.df));
      // Closed-form t CDF summed over df/2 terms: 2e-12 relative at df 1e5 (measured), 1e-15 for df ≤ 50.
      expect(Math.abs(q - Number(r.q975)) / Number(r.q975)).toBeLessThanOrEqual(Number(r.df) > 50 ? 1e-11 : 1e-14);
    });
  }
  it("P(|T| < t) rises with t and reaches 0.95 at the quantile", () => {
    for (const df of [1, 2, 9, 30]) {
      expect(tCentral(1, df)).toBeLessThan(tCentral(2, df));
      expect(tCentral(qt975(df), df)).toBeCloseTo(0.95, 14);
    }
    expect(() => qt975(2.5)).toThrow(RangeError);
  });
  it("lm rows use t with the row's df, logistic and cox rows Wald", () => {
    const row = (test: string, df: number): StatsRow => ({
      feature: "x",
      stratum: "",
      test,
      term: "t",
      n: 10,
      estimate: 1,
      std_error: 0.5,
      statistic: 2,
      df,
      df2: NaN,
      p_value: 0.1,
      q_value: 0.2,
    });
    expect(confidenceInterval(row("lm", 5))).toMatchObject({ lower: 1 - 0.5 * qt975(5), upper: 1 + 0.5 * qt975(5) });
    expect(confidenceInterval(row("cox", NaN))).toMatchObject({ lower: 1 - 0.5 * Z975, upper: 1 + 0.5 * Z975 });
  });
});
