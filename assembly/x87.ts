// Software x87 extended precision ("long double", 64-bit significand, round-to-nearest-even).
//
// R accumulates sum(), mean(), var(), cor(), rowSums() in LDOUBLE on x86-64. Our reference outputs come
// from such a build, and the standardised signature and mixture feed an SVM whose trajectory changes
// with the last bit (docs/r-arithmetic.md, docs/svr-libsvm.md). A double-double accumulator is *almost* the same;
// this emulation is exact: every operation rounds its exact result to 64 significand bits.
//
// A value is (sign, exponent, significand) = (-1)^s · m · 2^(e-63) with bit 63 of m set, or m = 0.
// Functions return their result in the "register" globals rS, rE, rM (AssemblyScript has no tuples).

export let rS: u32 = 0;
export let rE: i32 = 0;
export let rM: u64 = 0;

const TOP: u64 = 0x8000000000000000;

@inline function setR(s: u32, e: i32, m: u64): void {
  rS = s;
  rE = e;
  rM = m;
}

/** Exact conversion of a double into the register. */
export function x87FromD(x: f64): void {
  const bits = reinterpret<u64>(x);
  const s = <u32>(bits >> 63);
  const be = <i32>((bits >> 52) & 0x7ff);
  const frac = bits & 0xfffffffffffff;
  if (be == 0) {
    if (frac == 0) {
      setR(s, 0, 0);
      return;
    }
    const sh = <i32>clz<u64>(frac);
    setR(s, -1011 - sh, frac << sh); // subnormal: frac · 2^-1074
    return;
  }
  setR(s, be - 1023, (frac | 0x10000000000000) << 11);
}

/** Round a normalised 128-bit significand (hi has bit 63 set) to 64 bits, nearest-even, into the register. */
@inline function round128(s: u32, e: i32, hi: u64, lo: u64): void {
  if (lo > TOP || (lo == TOP && (hi & 1) != 0)) {
    hi += 1;
    if (hi == 0) {
      hi = TOP;
      e += 1;
    }
  }
  setR(s, e, hi);
}

/** (s1,e1,m1) + (s2,e2,m2), rounded once to 64 bits. */
export function x87Add(s1: u32, e1: i32, m1: u64, s2: u32, e2: i32, m2: u64): void {
  if (m2 == 0) {
    setR(s1, e1, m1);
    return;
  }
  if (m1 == 0) {
    setR(s2, e2, m2);
    return;
  }
  // Make operand 1 the larger in magnitude.
  if (e2 > e1 || (e2 == e1 && m2 > m1)) {
    const ts = s1, te = e1, tm = m1;
    s1 = s2; e1 = e2; m1 = m2;
    s2 = ts; e2 = te; m2 = tm;
  }
  const d = e1 - e2;
  // Operand 2 aligned into a 128-bit window (bh:bl); bits shifted out are jammed into bl's lowest bit,
  // which keeps rounding exact because the window has 64 guard bits (see the module comment).
  let bh: u64 = 0, bl: u64 = 0;
  if (d == 0) {
    bh = m2;
  } else if (d < 64) {
    bh = m2 >> <u64>d;
    bl = m2 << <u64>(64 - d);
  } else if (d == 64) {
    bl = m2;
  } else if (d < 128) {
    bl = m2 >> <u64>(d - 64);
    if ((m2 << <u64>(128 - d)) != 0) bl |= 1;
  } else {
    bl = 1;
  }
  let hi: u64, lo: u64;
  if (s1 == s2) {
    lo = bl; // al = 0
    const h1 = m1 + bh;
    const carry = h1 < m1;
    hi = h1;
    if (carry) {
      const dropped = lo & 1;
      lo = (lo >> 1) | (hi << 63) | dropped;
      hi = (hi >> 1) | TOP;
      e1 += 1;
    }
  } else {
    lo = 0 - bl;
    const borrow: u64 = bl != 0 ? 1 : 0;
    hi = m1 - bh - borrow;
    if (hi == 0 && lo == 0) {
      setR(0, 0, 0);
      return;
    }
    if (hi == 0) {
      hi = lo;
      lo = 0;
      e1 -= 64;
    }
    const sh = <i32>clz<u64>(hi);
    if (sh > 0) {
      hi = (hi << <u64>sh) | (lo >> <u64>(64 - sh));
      lo = lo << <u64>sh;
      e1 -= sh;
    }
  }
  round128(s1, e1, hi, lo);
}

/** (s1,e1,m1) × (s2,e2,m2), rounded once to 64 bits. */
export function x87Mul(s1: u32, e1: i32, m1: u64, s2: u32, e2: i32, m2: u64): void {
  const s = s1 ^ s2;
  if (m1 == 0 || m2 == 0) {
    setR(s, 0, 0);
    return;
  }
  const a0 = m1 & 0xffffffff, a1 = m1 >> 32;
  const b0 = m2 & 0xffffffff, b1 = m2 >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  let lo = (p00 & 0xffffffff) | (mid << 32);
  let hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  let e = e1 + e2 + 1;
  if ((hi & TOP) == 0) {
    hi = (hi << 1) | (lo >> 63);
    lo = lo << 1;
    e -= 1;
  }
  round128(s, e, hi, lo);
}

/** (s1,e1,m1) / (s2,e2,m2), rounded once to 64 bits (restoring long division). */
export function x87Div(s1: u32, e1: i32, m1: u64, s2: u32, e2: i32, m2: u64): void {
  const s = s1 ^ s2;
  if (m1 == 0) {
    setR(s, 0, 0);
    return;
  }
  if (m2 == 0) {
    // Only reachable with an empty vector; give ±Inf like the hardware would.
    setR(s, 0x7fffffff, TOP);
    return;
  }
  let e = e1 - e2;
  // Dividend D with m2 <= D < 2·m2; the first quotient bit is 1 and r = D - m2 (fits in 64 bits).
  let r: u64;
  if (m1 >= m2) {
    r = m1 - m2;
  } else {
    r = m1 - m2 + m1; // 2·m1 - m2 computed modulo 2^64, exact because 0 <= 2·m1 - m2 < 2^64
    e -= 1;
  }
  let q: u64 = 1;
  for (let i = 0; i < 63; i++) {
    const carry = r >> 63;
    r = r << 1;
    q = q << 1;
    if (carry != 0 || r >= m2) {
      r -= m2;
      q |= 1;
    }
  }
  const carry = r >> 63;
  r = r << 1;
  const roundBit = carry != 0 || r >= m2;
  if (roundBit) r -= m2;
  if (roundBit && (r != 0 || (q & 1) != 0)) {
    q += 1;
    if (q == 0) {
      q = TOP;
      e += 1;
    }
  }
  setR(s, e, q);
}

/** sqrt of a non-negative extended value, rounded once to 64 bits (digit-by-digit on 128 bits). */
export function x87Sqrt(s: u32, e: i32, m: u64): void {
  if (m == 0) {
    setR(s, 0, 0);
    return;
  }
  const ex = e - 63; // value = m · 2^ex
  // N = m · 2^64 (ex even) or m · 2^63 (ex odd), so that isqrt(N) has exactly 64 bits.
  const odd = (ex & 1) != 0;
  let nh: u64 = odd ? m >> 1 : m;
  let nl: u64 = odd ? m << 63 : 0;
  let root: u64 = 0, rh: u64 = 0, rl: u64 = 0;
  for (let i = 0; i < 64; i++) {
    const two = nh >> 62;
    nh = (nh << 2) | (nl >> 62);
    nl = nl << 2;
    rh = (rh << 2) | (rl >> 62);
    rl = (rl << 2) | two;
    const th = root >> 62, tl = (root << 2) | 1; // trial 4·root + 1
    if (rh > th || (rh == th && rl >= tl)) {
      const borrow: u64 = rl < tl ? 1 : 0;
      rl -= tl;
      rh = rh - th - borrow;
      root = (root << 1) | 1;
    } else {
      root = root << 1;
    }
  }
  let er = ((odd ? ex - 63 : ex - 64) >> 1) + 63;
  // The exact root lies in [root, root + 1); it is past the midpoint iff N - root² > root (never equal).
  if (rh != 0 || rl > root) {
    root += 1;
    if (root == 0) {
      root = TOP;
      er += 1;
    }
  }
  setR(s, er, root);
}

/** Nearest double (ties to even) of an extended value. Subnormal results are not expected here. */
export function x87ToD(s: u32, e: i32, m: u64): f64 {
  if (m == 0) return s ? -0.0 : 0.0;
  let mant = m >> 11;
  const rem = m & 0x7ff;
  if (rem > 0x400 || (rem == 0x400 && (mant & 1) != 0)) {
    mant += 1;
    if (mant == 0x20000000000000) {
      mant = 0x10000000000000;
      e += 1;
    }
  }
  const be = e + 1023;
  if (be >= 2047) return s ? -Infinity : Infinity;
  if (be <= 0) {
    // Subnormal result (not reached by our data): exact scaling, then one more rounding.
    const v = <f64>mant * pow2(e - 52 + 600) * pow2(-600);
    return s ? -v : v;
  }
  const bits = (<u64>s << 63) | (<u64>be << 52) | (mant & 0xfffffffffffff);
  return reinterpret<f64>(bits);
}

@inline function pow2(k: i32): f64 {
  return reinterpret<f64>(<u64>(k + 1023) << 52);
}

// ---- An accumulator API over the register, for the common "x87 sum of doubles" pattern. ----

export let aS: u32 = 0;
export let aE: i32 = 0;
export let aM: u64 = 0;

@inline export function accZero(): void {
  aS = 0;
  aE = 0;
  aM = 0;
}

/** acc += x (x double). */
@inline export function accAddD(x: f64): void {
  x87FromD(x);
  x87Add(aS, aE, aM, rS, rE, rM);
  aS = rS;
  aE = rE;
  aM = rM;
}

/** acc += register. */
@inline export function accAddR(): void {
  x87Add(aS, aE, aM, rS, rE, rM);
  aS = rS;
  aE = rE;
  aM = rM;
}

@inline export function accToD(): f64 {
  return x87ToD(aS, aE, aM);
}
