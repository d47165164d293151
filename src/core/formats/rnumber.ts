// Decimal → double exactly as R's read.table does it (R_strtod, src/main/arithmetic.c on x86-64 Linux).
//
// R does not round correctly: it accumulates the digits in an 80-bit long double, scales by a power of ten
// built by repeated squaring in long double, divides (or multiplies), and only then rounds to double. That
// double rounding differs from the correctly rounded value (JS `Number`) in about 1 of 10⁴ cells (9 of
// 120,825 in the Linsley 2014 counts, which then differ by one ulp from R's `mixture_preprocessed`). To be
// bit-identical with R we reproduce it: a cheap test decides whether a token can be affected at all, and
// only those tokens are evaluated exactly with integer arithmetic emulating the 64-bit-mantissa steps.

/** 10^k is exact in a double for k ≤ 22 (5^22 < 2^53). */
const MAX_EXACT_POW10 = 22;
const POW10 = Array.from({ length: MAX_EXACT_POW10 + 1 }, (_, k) => 10 ** k);
/** Veltkamp splitter for Dekker's exact product: 2^27 + 1. */
const SPLITTER = 134217729;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Parse a token already validated as a decimal number (optional sign, digits, '.', exponent). */
export function rStrtod(tok: string): number {
  const d = parseFloat(tok);
  if (d === 0 || !Number.isFinite(d)) return d;
  // Locate digits, decimal point and exponent without allocating.
  let i = 0;
  const n = tok.length;
  const c0 = tok.charCodeAt(0);
  if (c0 === 43 || c0 === 45) i = 1; // + -
  let ndig = 0; // significant digits after skipping leading zeros
  let frac = 0; // digits after the point
  let dot = false;
  let lead = true;
  let expn = 0;
  for (; i < n; i++) {
    const c = tok.charCodeAt(i);
    if (c === 46) {
      dot = true;
      continue;
    }
    if (c === 101 || c === 69) {
      expn = parseInt(tok.slice(i + 1), 10);
      break;
    }
    if (dot) frac++;
    if (lead && c === 48) continue;
    lead = false;
    ndig++;
  }
  expn -= frac;
  // An integer below 2^64 is held exactly in long double and rounded once: R equals parseFloat.
  if (expn === 0 && ndig <= 19) return d;
  if (expn < 0 && -expn <= MAX_EXACT_POW10 && ndig <= 19 && !nearMidpoint(tok, d, -expn, ndig)) return d;
  return exactRStrtod(tok);
}

/**
 * True when x = N/10^k may lie within one long-double ulp of a midpoint between two doubles, the only case
 * where rounding to 64 bits and then to 53 can differ from rounding once. Uses an exact (Dekker) product
 * d·10^k and the identity |x − d| ≤ ulp(d)/2: x is near a midpoint iff |N − d·10^k| is near ulp(d)·10^k/2.
 */
function nearMidpoint(tok: string, d: number, k: number, ndig: number): boolean {
  f64[0] = d;
  if (u32[0] === 0 && (u32[1] & 0xfffff) === 0) return true; // power of two: neighbours' ulps differ
  const ad = Math.abs(d);
  // N as an exact sum nh + nl (+ B) of doubles.
  const digits = tok.replace(/[^0-9]/g, "").replace(/^0+/, "");
  let nh: number;
  let nl = 0;
  if (ndig <= 15) nh = Number(digits);
  else {
    const A = Number(digits.slice(0, ndig - 9));
    const B = Number(digits.slice(ndig - 9));
    nh = twoProduct(A, 1e9);
    nl = prodErr + B;
  }
  return nearMidpointN(ad, k, nh, nl);
}

/**
 * The same hazard test for a positive d already known to be the correctly rounded N/10^k with N = nh + nl
 * exact (used by the byte scanner in scan.ts, which has N as a number). True also for powers of two.
 */
export function nearMidpointN(ad: number, k: number, nh: number, nl: number): boolean {
  f64[0] = ad;
  if (u32[0] === 0 && (u32[1] & 0xfffff) === 0) return true;
  const F = POW10[k];
  const p = twoProduct(ad, F);
  const pe = prodErr;
  const r = Math.abs(nh - p + (nl - pe)); // nh − p is exact (Sterbenz): both ≈ N
  const ulp = ulpOf(ad);
  const half = (ulp * F) / 2;
  // A long-double ulp is ulp/2^11; 2^-9 leaves a wide margin for the rounding of the small terms.
  return r >= half * (1 - 2 ** -9);
}

/** Low part of the last twoProduct (kept in a variable: no allocation on the scanner's hot path). */
let prodErr = 0;

/** Dekker's exact product: returns a·b rounded, sets prodErr so that a·b = result + prodErr exactly. */
function twoProduct(a: number, b: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  prodErr = ah * bh - p + ah * bl + al * bh + al * bl;
  return p;
}

function ulpOf(x: number): number {
  f64[0] = x;
  const e = (u32[1] >>> 20) & 0x7ff;
  if (e <= 53) return e === 0 ? 2 ** -1074 : 2 ** (e - 1075);
  // 2^(e−1075) built from its bits (Math.pow here dominated the byte scanner's time)
  u32[0] = 0;
  u32[1] = (e - 52) << 20;
  return f64[0];
}

// ---- exact emulation with BigInt: a long double is m·2^e with m = 0 or 2^63 ≤ m < 2^64 ----

interface LD {
  m: bigint;
  e: number;
}

const TWO63 = 1n << 63n;
/** R_strtod: exponents below −(DBL_MAX_10_EXP + 5) are applied by repeated division by 10. */
const LOOP_BELOW = -(308 + 5);
const TWO64 = 1n << 64n;

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Round num/den · 2^e to a 64-bit mantissa, ties to even (x87 extended precision, round to nearest). */
function ldRound(num: bigint, den: bigint, e: number): LD {
  if (num === 0n) return { m: 0n, e: 0 };
  let s = 64 - (bitLength(num) - bitLength(den));
  let q: bigint, r: bigint, dd: bigint;
  for (;;) {
    const nn = s >= 0 ? num << BigInt(s) : num;
    dd = s >= 0 ? den : den << BigInt(-s);
    q = nn / dd;
    r = nn % dd;
    if (q >= TWO64) s--;
    else if (q < TWO63) s++;
    else break;
  }
  const twoR = 2n * r;
  if (twoR > dd || (twoR === dd && (q & 1n) === 1n)) q += 1n;
  if (q === TWO64) {
    q >>= 1n;
    s--;
  }
  return { m: q, e: e - s };
}

const ldInt = (v: bigint): LD => ldRound(v, 1n, 0);
const ldMul = (a: LD, b: LD): LD => ldRound(a.m * b.m, 1n, a.e + b.e);
const ldDiv = (a: LD, b: LD): LD => ldRound(a.m, b.m, a.e - b.e);
function ldAddInt(a: LD, v: number): LD {
  if (a.m === 0n) return ldInt(BigInt(v));
  // a.m·2^a.e + v, exact as a rational over 2^-min(e, 0), then rounded
  if (a.e >= 0) return ldInt((a.m << BigInt(a.e)) + BigInt(v));
  return ldRound(a.m + (BigInt(v) << BigInt(-a.e)), 1n, a.e);
}

const DBL_MAX_LD = { m: ((1n << 53n) - 1n) << 11n, e: 1024 - 64 }; // DBL_MAX as m·2^e

/** Long double → double, round to nearest even, including subnormal results. */
function ldToDouble(a: LD): number {
  if (a.m === 0n) return 0;
  // bits to drop: 11 for a normal double; more when the value is below 2^-1022 (fewer mantissa bits left)
  const top = a.e + 63; // exponent of the leading bit
  const drop = top >= -1022 ? 11n : BigInt(11 + (-1022 - top));
  if (drop >= 66n) return 0; // below half the smallest subnormal
  let h = a.m >> drop;
  const low = a.m & ((1n << drop) - 1n);
  const half = 1n << (drop - 1n);
  if (low > half || (low === half && (h & 1n) === 1n)) h += 1n;
  // h·2^(e+drop) is exact in a double; split the power so that it cannot underflow before the product
  const e2 = a.e + Number(drop);
  return e2 < -1000 ? Number(h) * 2 ** (e2 + 200) * 2 ** -200 : Number(h) * 2 ** e2;
}

/** R_strtod's decimal branch step by step (digits accumulated as ans = 10·ans + digit, then scaled). */
export function exactRStrtod(tok: string): number {
  let i = 0;
  let sign = 1;
  if (tok[0] === "-") {
    sign = -1;
    i = 1;
  } else if (tok[0] === "+") i = 1;
  const TEN: LD = ldInt(10n);
  let ans: LD = { m: 0n, e: 0 };
  let expn = 0;
  let dot = false;
  for (; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c === 46) {
      dot = true;
      continue;
    }
    if (c === 101 || c === 69) {
      expn += parseInt(tok.slice(i + 1), 10);
      break;
    }
    ans = ldAddInt(ans.m === 0n ? ans : ldMul(TEN, ans), c - 48);
    if (dot) expn--;
  }
  if (ans.m === 0n) return sign * 0;
  if (expn < LOOP_BELOW) {
    // Far below the double range R divides by ten one step at a time (long double has the range for it).
    for (let k = 0; k < -expn; k++) ans = ldDiv(ans, TEN);
  } else {
    // fac = 10^|expn| by repeated squaring, every product rounded to long double
    let fac: LD = ldInt(1n);
    let p10: LD = TEN;
    for (let k = Math.abs(expn); k; k >>= 1, p10 = ldMul(p10, p10)) if (k & 1) fac = ldMul(fac, p10);
    ans = expn < 0 ? ldDiv(ans, fac) : ldMul(ans, fac);
  }
  // R returns Inf for anything above DBL_MAX, even below the rounding midpoint (measured: 1.7976931348623158e308).
  if (ans.e > DBL_MAX_LD.e || (ans.e === DBL_MAX_LD.e && ans.m > DBL_MAX_LD.m)) return sign * Infinity;
  return sign * ldToDouble(ans);
}

const POW10N = Array.from({ length: MAX_EXACT_POW10 + 1 }, (_, k) => 10n ** BigInt(k));

/**
 * rStrtod of a token N/10^k with N < 2^53 and k ≤ 22, for the byte scanner's hazard cases. In R_strtod the
 * digits accumulate exactly and 10^k by squaring is exact too (5^k < 2^64), so the value is one long-double
 * division rounded to 64 bits and then to 53: exactly what exactRStrtod computes, in one step.
 */
export function rDivPow10(n: number, k: number): number {
  return ldToDouble(ldRound(BigInt(n), POW10N[k], 0));
}
