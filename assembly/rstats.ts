// R's summary statistics, bit for bit (docs/r-arithmetic.md): sum, mean, var/sd, cor on flat f64 vectors.
// All accumulations are in emulated x87 long double (ld.ts), as R does on x86-64.
import { ldFromD, ldAdd, ldMul, ldDiv, ldSqrt, ldToD, rS, rE, rM, aS, aE, aM, accZero, accAddD, accAddR, accToD } from "./ld";

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/** R `sum(x)` for doubles: LD accumulation in index order, rounded once. Stride in elements. */
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
  ldFromD(<f64>n);
  const nS = rS, nE = rE, nM = rM;
  ldDiv(aS, aE, aM, nS, nE, nM);
  mS = rS; mE = rE; mM = rM;
  if (isFinite(ldToD(mS, mE, mM))) {
    accZero();
    for (let i = 0; i < n; i++) {
      ldFromD(at(p, i));
      ldAdd(rS, rE, rM, mS ^ 1, mE, mM); // x_i - s in LD
      accAddR();
    }
    ldDiv(aS, aE, aM, nS, nE, nM);
    ldAdd(mS, mE, mM, rS, rE, rM);
    mS = rS; mE = rE; mM = rM;
  }
}

/** R `mean(x)`. */
export function rMean(p: usize, n: i32): f64 {
  meanLD(p, n);
  return ldToD(mS, mE, mM);
}

/** LD Σ (x_i - mx)(y_i - my) with the differences and product in LD (cov.c), left in the accumulator. */
function crossLD(px: usize, mx: f64, py: usize, my: f64, n: i32): void {
  ldFromD(mx);
  const xS = rS ^ 1, xE = rE, xM = rM;
  ldFromD(my);
  const yS = rS ^ 1, yE = rE, yM = rM;
  accZero();
  for (let i = 0; i < n; i++) {
    ldFromD(at(px, i));
    ldAdd(rS, rE, rM, xS, xE, xM);
    const dS = rS, dE = rE, dM = rM;
    ldFromD(at(py, i));
    ldAdd(rS, rE, rM, yS, yE, yM);
    ldMul(dS, dE, dM, rS, rE, rM);
    accAddR();
  }
}

/** R `var(x)` (n - 1 denominator). */
export function rVar(p: usize, n: i32): f64 {
  const m = rMean(p, n);
  crossLD(p, m, p, m, n);
  ldFromD(<f64>(n - 1));
  ldDiv(aS, aE, aM, rS, rE, rM);
  return ldToD(rS, rE, rM);
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
  ldFromD(<f64>(n - 1));
  const nS = rS, nE = rE, nM = rM;
  crossLD(px, mx, py, my, n);
  ldDiv(aS, aE, aM, nS, nE, nM);
  const cov = ldToD(rS, rE, rM);
  crossLD(px, mx, px, mx, n);
  const zeroX = aM == 0;
  ldDiv(aS, aE, aM, nS, nE, nM);
  ldSqrt(rS, rE, rM);
  const sx = ldToD(rS, rE, rM);
  crossLD(py, my, py, my, n);
  const zeroY = aM == 0;
  ldDiv(aS, aE, aM, nS, nE, nM);
  ldSqrt(rS, rE, rM);
  const sy = ldToD(rS, rE, rM);
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
