// R base behaviour that CIBERSORT's preparation and the other methods share: the anti-log rule's
// threshold, C-locale string order and R's median.

/** CIBERSORT's anti-log rule: a mixture whose maximum is below this is taken as log2 (v1.04). */
export const ANTILOG_MAX = 50;

/** Compare strings by Unicode code point, i.e. UTF-8 byte order: R's order() under LC_COLLATE=C. */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // UTF-16 order differs from code-point order only when a surrogate meets a unit ≥ U+E000.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca - cb;
  }
  return a.length - b.length;
}

/** R `median` of a vector (sorted copy; even length: the mean of the two middle values). */
export function rMedian(v: Float64Array): number {
  return medianInPlace(Float64Array.from(v));
}

/** R `median`, sorting `s` in place (no copy of a large buffer). */
export function medianInPlace(s: Float64Array): number {
  s.sort();
  const n = s.length;
  const h = n >> 1;
  // For two doubles R's mean() is the correctly rounded (a + b) / 2, which is exactly this.
  return n % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}
