// Seeded uniform numbers for tests that sample inputs: a failure reproduces with the same values.
/** Doubles in [0, 1) with 53 random bits (two mulberry32 outputs), like Math.random but from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  const next32 = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => ((next32() >>> 11) * 2 ** 32 + next32()) / 2 ** 53;
}
