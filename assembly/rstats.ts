// R's summary statistics, bit for bit (docs/r-arithmetic.md): sum, mean, var/sd, cor on flat f64 vectors.
// All accumulations are in emulated x87 long double (x87.ts), as R does on x86-64.
import { x87FromD, x87Add, x87Mul, x87Div, x87Sqrt, x87ToD, rS, rE, rM, aS, aE, aM, accZero, accAddD, accAddR, accToD } from "./x87";

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/** R `sum(x)` for doubles: x87 accumulation in index order, rounded once. Stride in elements. */
export function rSum(p: usize, n: i32, stride: i32): f64 {
  accZero();
  for (let i = 0; i < n; i++) accAddD(at(p, i * stride));
  return accToD();
}

// Mean kept in extended precision, as R's real_mean / cov.c MEAN: s = Σx/n; s += Σ(x - s)/n.
let mS: u32 = 0;
let mE: i32 = 0;
let mM: u64 = 0;

function meanLD(p: usize, n: i32): void {
  accZero();
  for (let i = 0; i < n; i++) accAddD(at(p, i));
  x87FromD(<f64>n);
  const nS = rS, nE = rE, nM = rM;
  x87Div(aS, aE, aM, nS, nE, nM);
  mS = rS; mE = rE; mM = rM;
  if (isFinite(x87ToD(mS, mE, mM))) {
    accZero();
    for (let i = 0; i < n; i++) {
      x87FromD(at(p, i));
      x87Add(rS, rE, rM, mS ^ 1, mE, mM); // x_i - s in x87
      accAddR();
    }
    x87Div(aS, aE, aM, nS, nE, nM);
    x87Add(mS, mE, mM, rS, rE, rM);
    mS = rS; mE = rE; mM = rM;
  }
}

/** R `mean(x)`. */
export function rMean(p: usize, n: i32): f64 {
  meanLD(p, n);
  return x87ToD(mS, mE, mM);
}

/** x87 Σ (x_i - mx)(y_i - my) with the differences and product in x87 (cov.c), left in the accumulator. */
function crossLD(px: usize, mx: f64, py: usize, my: f64, n: i32): void {
  x87FromD(mx);
  const xS = rS ^ 1, xE = rE, xM = rM;
  x87FromD(my);
  const yS = rS ^ 1, yE = rE, yM = rM;
  accZero();
  for (let i = 0; i < n; i++) {
    x87FromD(at(px, i));
    x87Add(rS, rE, rM, xS, xE, xM);
    const dS = rS, dE = rE, dM = rM;
    x87FromD(at(py, i));
    x87Add(rS, rE, rM, yS, yE, yM);
    x87Mul(dS, dE, dM, rS, rE, rM);
    accAddR();
  }
}

/** R `var(x)` (n - 1 denominator). */
export function rVar(p: usize, n: i32): f64 {
  const m = rMean(p, n);
  crossLD(p, m, p, m, n);
  x87FromD(<f64>(n - 1));
  x87Div(aS, aE, aM, rS, rE, rM);
  return x87ToD(rS, rE, rM);
}

/** R `sd(x)` = sqrt(var(x)) in double. */
export function rSd(p: usize, n: i32): f64 {
  return Math.sqrt(rVar(p, n));
}

/**
 * R `cor(x, y)` (Pearson, use = "everything"): cov rounded to double, sd = double(sqrtl(var)) from the
 * extended variance, r = cov / (sd_x·sd_y) clamped to [-1, 1]. NaN when either vector is constant (R: NA).
 */
export function rCor(px: usize, py: usize, n: i32): f64 {
  const mx = rMean(px, n);
  const my = rMean(py, n);
  x87FromD(<f64>(n - 1));
  const nS = rS, nE = rE, nM = rM;
  crossLD(px, mx, py, my, n);
  x87Div(aS, aE, aM, nS, nE, nM);
  const cov = x87ToD(rS, rE, rM);
  crossLD(px, mx, px, mx, n);
  const zeroX = aM == 0;
  x87Div(aS, aE, aM, nS, nE, nM);
  x87Sqrt(rS, rE, rM);
  const sx = x87ToD(rS, rE, rM);
  crossLD(py, my, py, my, n);
  const zeroY = aM == 0;
  x87Div(aS, aE, aM, nS, nE, nM);
  x87Sqrt(rS, rE, rM);
  const sy = x87ToD(rS, rE, rM);
  if (zeroX || zeroY) return NaN;
  let r = cov / (sx * sy);
  if (r >= 1.0) r = 1.0;
  else if (r <= -1.0) r = -1.0;
  return r;
}

/** out_i = (x_i - mean(x)) / sd(x), R's elementwise order. Returns sd (0 means a constant vector). */
export function rStandardize(p: usize, n: i32, out: usize): f64 {
  const m = rMean(p, n);
  const s = rSd(p, n);
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), (at(p, i) - m) / s);
  return s;
}
