// Colours for the charts. Cell types get a fixed colour by name, so one cell type looks the same in every
// chart, report and run: a lineage hue from the Okabe–Ito palette (distinguishable with the common colour
// vision deficiencies) and, within a lineage, steps in lightness (which those readers still see).
// Names we do not know get a colour from a hash of the name, moved on when a chart already uses it.

/** Okabe & Ito (2008), "Color Universal Design": eight colours safe for colour-blind readers. */
export const OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"] as const;

/** Lineage → base colour. */
const LINEAGE: Record<string, string> = {
  B: "#0072B2",
  T4: "#009E73",
  T8: "#56B4E9",
  NK: "#CC79A7",
  mono: "#D55E00",
  DC: "#E69F00",
  gran: "#F0E442",
  stroma: "#999999",
  other: "#444444",
};

/** Known names (LM22, LM6, TIL10/quanTIseq, EPIC, MCP-counter, ABIS spellings): lineage and lightness step. */
const KNOWN: Record<string, [string, number]> = {};
function known(lineage: string, ...names: string[][]): void {
  names.forEach((same, step) => same.forEach((n) => (KNOWN[n] = [lineage, step])));
}
known(
  "B",
  ["B cells naive", "B.naive"],
  ["B cells memory", "B.memory"],
  ["Plasma cells", "Plasmablasts"],
  ["B cells", "B.cells", "Bcells", "B lineage", "B"],
);
known(
  "T4",
  ["T cells CD4 naive", "T.CD4.naive"],
  ["T cells CD4 memory resting", "T.CD4.memory"],
  ["T cells CD4 memory activated"],
  ["T cells follicular helper"],
  ["T cells regulatory (Tregs)", "Tregs", "Treg"],
  ["T cells CD4", "T.cells.CD4", "CD4_Tcells", "CD4", "T cells"],
);
known(
  "T8",
  ["T cells CD8", "T.cells.CD8", "CD8_Tcells", "CD8 T cells", "CD8", "T.CD8.naive"],
  ["T cells gamma delta", "T.gd.Vd2", "T.gd.non.Vd2"],
  ["Cytotoxic lymphocytes", "T.CD8.memory", "MAIT"],
);
known("NK", ["NK cells resting", "NK cells", "NK.cells", "NKcells", "NK"], ["NK cells activated"]);
known(
  "mono",
  ["Monocytes", "Monocytic lineage", "Monocytes C", "Monocytes NC.I"],
  ["Macrophages M0", "Macrophages"],
  ["Macrophages M1", "Macrophages.M1"],
  ["Macrophages M2", "Macrophages.M2"],
);
known("DC", ["Dendritic cells resting", "mDCs"], ["Dendritic cells activated", "Dendritic.cells", "Myeloid dendritic cells", "pDCs"]);
known("gran", ["Mast cells resting"], ["Mast cells activated"], ["Eosinophils", "Basophils LD"], ["Neutrophils", "Neutrophils LD"]);
known("stroma", ["CAFs", "Fibroblasts"], ["Endothelial", "Endothelial cells"]);
known("other", ["Other", "otherCells", "Uncharacterized", "uncharacterized cell"]);

/** Fallback palette for unknown names: Paul Tol's "muted" scheme (colour-blind safe). */
const FALLBACK = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499", "#DDDDDD"];

/** Mixes a #RRGGBB colour with white (t > 0) or black (t < 0) by |t|. */
function shade(hex: string, t: number): string {
  const target = t > 0 ? 255 : 0;
  const a = Math.abs(t);
  const ch = (i: number) => Math.round(parseInt(hex.slice(i, i + 2), 16) * (1 - a) + target * a);
  return (
    "#" +
    [1, 3, 5]
      .map((i) => ch(i).toString(16).padStart(2, "0"))
      .join("")
      .toUpperCase()
  );
}

/** Lightness steps within a lineage: base, lighter, darker, lighter still, darker still, … */
const STEPS = [0, 0.45, -0.4, 0.7, -0.65, 0.25];

/** The colour of one known cell type, or undefined. */
export function knownColour(name: string): string | undefined {
  const k = KNOWN[name];
  return k && shade(LINEAGE[k[0]], STEPS[k[1] % STEPS.length]);
}

/** 32-bit FNV-1a of a string: a stable hash for the fallback colours. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Colours for a chart's cell types, in the given order. Known names keep their fixed colour; unknown ones
 * (taken in code-point order, so the result does not depend on the order given) get their hash colour or
 * the next one not yet used in this chart.
 */
export function cellTypeColours(names: readonly string[]): string[] {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const n of names) {
    const c = knownColour(n);
    if (c) {
      out.set(n, c);
      used.add(c);
    }
  }
  const unknown = [...new Set(names.filter((n) => !out.has(n)))].sort();
  const all = [...FALLBACK, ...OKABE_ITO, ...FALLBACK.map((c) => shade(c, 0.5)), ...FALLBACK.map((c) => shade(c, -0.45))];
  for (const n of unknown) {
    const start = fnv1a(n) % FALLBACK.length;
    let c = all[start];
    for (let i = 0; i < all.length && used.has(c); i++) c = all[(start + i) % all.length];
    out.set(n, c);
    used.add(c);
  }
  return names.map((n) => out.get(n)!);
}

/** Colours for the levels of a grouping variable (Okabe–Ito order; Tol's muted after eight levels). */
export function levelColours(n: number): string[] {
  const all = [...OKABE_ITO.slice(0, 7), ...FALLBACK, "#999999"];
  return Array.from({ length: n }, (_, i) => all[i % all.length]);
}
