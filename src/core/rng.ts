// R's random numbers, bit for bit (R >= 3.6 defaults: Mersenne-Twister, Rejection sampling); see
// docs/r-random.md. Sources: r-source src/main/RNG.c, src/main/random.c (do_sample),
// src/main/unique.c (do_sample2), src/library/base/R/sample.R.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_M32 = 2.3283064365386963e-10; // 2^-32
const I2_32M1 = 2.328306437080797e-10; // 1/(2^32 - 1), R's fixup of 0 and 1
const TWO_32 = 4294967296;
const MAX_INDEX_DN = 2 ** 48;
const MAX_ARRAY_N = 2 ** 31 - 1;

/** R's RNG state after set.seed(seed) (Mersenne-Twister), with unif_rand, R_unif_index and sample.int. */
export class RRandom {
  private readonly mt = new Uint32Array(N);
  private mti = N;
  /** Scratch for the standard sample path; always [0, 1, 2, ...] between calls. */
  private ident = new Int32Array(0);
  /** Scratch: the position drawn at each step of the standard path, to undo the swaps. */
  private swaps = new Int32Array(0);

  /** R's set.seed(seed): integer seed in ±(2^31 − 1), wrapped to uint32, 50 LCG scrambles, 625-entry fill. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || Math.abs(seed) > 2 ** 31 - 1) throw new RangeError(`seed must be an integer in ±(2^31-1), got ${seed}`);
    let s = seed >>> 0;
    for (let j = 0; j < 50; j++) s = (Math.imul(69069, s) + 1) >>> 0;
    s = (Math.imul(69069, s) + 1) >>> 0; // table entry 0, overwritten by the position 624
    for (let k = 0; k < N; k++) {
      s = (Math.imul(69069, s) + 1) >>> 0;
      this.mt[k] = s;
    }
    this.mti = N;
  }

  /** The 625 words of R's .Random.seed[-1] (position, then the 624 MT words) as uint32. */
  getState(): Uint32Array {
    const st = new Uint32Array(N + 1);
    st[0] = this.mti;
    st.set(this.mt, 1);
    return st;
  }

  /** Restore a state from getState() or R's .Random.seed[-1] (signed or unsigned words); position <= 0 becomes 624 as in R. */
  setState(state: ArrayLike<number>): void {
    if (state.length !== N + 1) throw new RangeError(`state must have ${N + 1} words, got ${state.length}`);
    const pos = state[0] | 0;
    if (pos > N) throw new RangeError(`state position must be <= ${N}, got ${pos}`);
    let any = 0;
    for (let k = 0; k < N; k++) any |= this.mt[k] = state[k + 1] >>> 0;
    if (any === 0) throw new RangeError("state words are all zero");
    this.mti = pos <= 0 ? N : pos;
  }

  /** Regenerate all 624 words in place (MT19937). */
  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    let y: number;
    for (; kk < N - M; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.mti = 0;
  }

  /** R's unif_rand(): the tempered MT word times 2^-32, kept strictly inside (0, 1). */
  unifRand(): number {
    if (this.mti >= N) this.twist();
    let y = this.mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    const u = (y >>> 0) * TWO_M32;
    if (u <= 0) return 0.5 * I2_32M1;
    if (1 - u <= 0) return 1 - 0.5 * I2_32M1;
    return u;
  }

  /**
   * R's R_unif_index(dn), Rejection kind: a uniform integer in [0, dn) for integer dn (0 if dn <= 0).
   * bits = ceil(log2(dn)); draw rbits(bits) (16-bit chunks from unif_rand, low `bits` bits kept) until < dn.
   * dn > 2^48 throws RangeError: R would need bits >= 49 (a 64-bit accumulator whose signed overflow we do
   * not model), which no caller here needs (sample() limits n far below).
   */
  unifIndex(dn: number): number {
    if (!(dn > 0)) return 0;
    if (dn > MAX_INDEX_DN) throw new RangeError(`unifIndex supports dn <= 2^48, got ${dn}`);
    const d1 = Math.ceil(dn) - 1; // bits = ceil(log2(dn)) = bit length of ceil(dn) - 1
    const bits = d1 < TWO_32 ? 32 - Math.clz32(d1) : 64 - Math.clz32(Math.floor(d1 / TWO_32));
    let v: number;
    if (bits < 16) {
      const mask = (1 << bits) - 1;
      do v = ((this.unifRand() * 65536) | 0) & mask;
      while (v >= dn);
    } else if (bits < 32) {
      const mask = 2 ** bits - 1;
      do v = ((((this.unifRand() * 65536) | 0) << 16) | ((this.unifRand() * 65536) | 0)) & mask;
      while (v >= dn);
    } else {
      // Exact in doubles: reduce mod 2^(bits-16) before each shift, so every value stays < 2^bits <= 2^48.
      const lowMod = 2 ** (bits - 16);
      const mod = 2 ** bits;
      do {
        v = 0;
        for (let n = 0; n <= bits; n += 16) v = (v % lowMod) * 65536 + Math.floor(this.unifRand() * 65536);
        v %= mod;
      } while (v >= dn);
    }
    return v;
  }

  /** R's sample.int(n, k) without replacement: k distinct 1-based indices in draw order (new array). */
  sample(n: number, k: number): Float64Array {
    return this.sampleInto(n, k, new Float64Array(k));
  }

  /**
   * sample(n, k) written into out[0..k-1] (returns out). Standard path (identity array, swap-with-last,
   * k < 2 drawn directly) or, when n > 1e7 and k <= n/2, R's hash path (sample2: each draw
   * unifIndex(n) + 1, redrawn up to 100 times while it repeats an earlier draw). The identity scratch is
   * kept between calls and restored in O(k) by undoing the writes, so repeated calls allocate nothing.
   */
  sampleInto<T extends Float64Array | Int32Array>(n: number, k: number, out: T): T {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`invalid population size ${n}`);
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`invalid sample size ${k}`);
    if (k > n) throw new RangeError(`cannot take a sample larger than the population (${k} > ${n}) without replacement`);
    if (out.length < k) throw new RangeError(`output holds ${out.length} values, need ${k}`);
    if (out instanceof Int32Array && n > MAX_ARRAY_N) throw new RangeError(`indices up to ${n} do not fit an Int32Array`);
    if (n > 1e7 && k <= n / 2) {
      const seen = new Set<number>();
      for (let i = 0; i < k; i++) {
        let v = 0;
        for (let t = 0; t < 100; t++) {
          v = this.unifIndex(n) + 1;
          if (!seen.has(v)) {
            seen.add(v);
            break;
          }
        }
        out[i] = v;
      }
      return out;
    }
    if (k < 2) {
      if (k === 1) out[0] = this.unifIndex(n) + 1;
      return out;
    }
    if (n > MAX_ARRAY_N) throw new RangeError(`population ${n} too large for the standard sample path`);
    if (this.ident.length < n) {
      const x = new Int32Array(n);
      for (let i = 0; i < n; i++) x[i] = i;
      this.ident = x;
    }
    if (this.swaps.length < k) this.swaps = new Int32Array(k);
    const x = this.ident;
    const js = this.swaps;
    let m = n;
    for (let i = 0; i < k; i++) {
      const j = this.unifIndex(m);
      js[i] = j;
      out[i] = x[j] + 1;
      x[j] = x[--m];
    }
    // Each step wrote only x[js[i]], whose previous value was out[i] - 1: undo in reverse order.
    for (let i = k - 1; i >= 0; i--) x[js[i]] = out[i] - 1;
    return out;
  }
}
