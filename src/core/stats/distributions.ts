// Upper tails of the t, F, chi-squared and normal distributions, computed directly (never 1 − cdf, which
// loses every digit of a small p-value) from @stdlib's regularized incomplete beta / gamma and erfc.
// Each follows the branch R's nmath takes (pt.c, pf.c, pgamma.c, pnorm.c) so the same incomplete-function
// argument is evaluated; checked against R 4.2.2 by the stats goldens (test/golden/stats/make.R) to 1e-10
// relative, and point-wise in test/stats-core.test.ts.
import betainc from "@stdlib/math-base-special-betainc";
import erfc from "@stdlib/math-base-special-erfc";
import gammainc from "@stdlib/math-base-special-gammainc";

/** Two-sided P(|T| ≥ |t|) for Student's t with df degrees of freedom: 2 * pt(|t|, df, lower.tail = FALSE). */
export function tTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  const x2 = t * t;
  // R's pt: pbeta(x²/(n+x²), 1/2, n/2, upper) when n > x², else pbeta(1/(1+x²/n), n/2, 1/2, lower).
  if (df > x2) return betainc(x2 / (df + x2), 0.5, df / 2, true, true);
  return betainc(1 / (1 + (Math.abs(t) / df) * Math.abs(t)), df / 2, 0.5, true, false);
}

/** P(F ≥ f) for the F(df1, df2) distribution: pf(f, df1, df2, lower.tail = FALSE). */
export function fUpper(f: number, df1: number, df2: number): number {
  if (Number.isNaN(f) || !(df1 > 0) || !(df2 > 0)) return NaN;
  if (f <= 0) return 1;
  if (df1 * f > df2) return betainc(df2 / (df2 + df1 * f), df2 / 2, df1 / 2, true, false);
  return betainc((df1 * f) / (df2 + df1 * f), df1 / 2, df2 / 2, true, true);
}

/** P(X² ≥ x) for chi-squared with df degrees of freedom: pchisq(x, df, lower.tail = FALSE). */
export function chisqUpper(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/** P(Z ≥ z) for the standard normal: pnorm(z, lower.tail = FALSE). */
export function normUpper(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Two-sided normal p-value 2 * pnorm(-|z|). */
export function normTwoSided(z: number): number {
  return Number.isNaN(z) ? NaN : erfc(Math.abs(z) / Math.SQRT2);
}
