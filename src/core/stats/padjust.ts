// p.adjust as R (BH, holm, bonferroni, none): NA p-values are left out and do not count towards n (R's lazy
// default n = length(p) is evaluated after the NAs are dropped). Hand-written in a few lines to follow that
// rule and R's stable ordering; checked against R in test/stats-core.test.ts (padjust.tsv) and the goldens.

export const ADJUST_METHODS = ["BH", "holm", "bonferroni", "none"] as const;
export type AdjustMethod = (typeof ADJUST_METHODS)[number];

export function pAdjust(p: readonly number[], method: AdjustMethod): number[] {
  const idx = p.flatMap((v, i) => (Number.isNaN(v) ? [] : [i]));
  const out = p.map(() => NaN);
  const n = idx.length;
  if (method === "none") return p.slice();
  if (method === "bonferroni") {
    for (const i of idx) out[i] = Math.min(1, n * p[i]);
    return out;
  }
  // Stable orders, as R's order(): BH by decreasing p with cummin of n/i·p; holm by increasing p with
  // cummax of (n − i + 1)·p.
  if (method === "BH") {
    const o = idx.slice().sort((a, b) => p[b] - p[a]);
    let m = Infinity;
    o.forEach((i, k) => {
      m = Math.min(m, (n / (n - k)) * p[i]);
      out[i] = Math.min(1, m);
    });
    return out;
  }
  const o = idx.slice().sort((a, b) => p[a] - p[b]);
  let m = -Infinity;
  o.forEach((i, k) => {
    m = Math.max(m, (n - k) * p[i]);
    out[i] = Math.min(1, m);
  });
  return out;
}
