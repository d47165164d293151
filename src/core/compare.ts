// `compare`: agreement of a result table (samples × cell types) with a reference or ground truth, per
// cell type (Pearson r, Spearman ρ, RMSE, max |Δ|, bias) and overall. Cell types match by name when one
// side's columns are a subset of the other's; otherwise both sides are summed into shared lineages
// (data/lineages.tsv).
import type { OptionSpec } from "./registry.js";
import { InputError } from "./errors.js";
import { dataText } from "./host.js";
import { rank } from "./stats/rank.js";
import type { MethodTable } from "./methods/types.js";

/** The bundled cell-type → lineage mapping and lineage tree (under data/). */
export const LINEAGES_FILE = "lineages.tsv";

/** Fit statistics cellfrac and CIBERSORT write after the estimates; never compared. */
const FIT_COLUMNS = new Set(["P-value", "Correlation", "RMSE", "convergeCode"]);
const isFitColumn = (c: string) => FIT_COLUMNS.has(c) || c.startsWith("Absolute score");

/** Values read as missing in a table (R, pandas and spreadsheet spellings). */
const MISSING = /^(?:NA|NaN|nan|N\/A|#N\/A|null|)$/;

/**
 * Rows summing to 100 ± this many points are percentages (flow-cytometry tables); fractions sum to at
 * most about 1, so the two cannot be confused.
 */
const PERCENT_SLACK = 10;

/** Rounding a fraction may leave it this far outside [0, 1]; further out, the values are scores. */
const FRACTION_SLACK = 1e-6;

/** A numeric table with names; data row-major (rows are samples after orientation). */
export interface NamedTable {
  name: string;
  rowHeader: string;
  rows: string[];
  cols: string[];
  /** rows.length × cols.length, row-major; NaN = missing. */
  data: Float64Array;
}

/** A TSV/CSV table or a cellfrac JSON result (text; Node reads files with readTable). Non-numeric columns are dropped. */
export function parseTable(text: string, name: string): NamedTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trimStart().startsWith("{")) return parseJsonResult(text, name);
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== "");
  if (lines.length < 2) throw new InputError("table has no data rows", { file: name });
  const delim = lines[0].includes("\t") ? "\t" : ",";
  const split = (l: string) => l.split(delim).map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
  const header = split(lines[0]);
  const body = lines.slice(1).map(split);
  // R's write.table(row.names = TRUE) leaves out the row-name header cell.
  const cols = body[0].length === header.length + 1 ? header : header.slice(1);
  const rowHeader = body[0].length === header.length + 1 ? "" : header[0];
  body.forEach((f, i) => {
    if (f.length !== cols.length + 1)
      throw new InputError(`expected ${cols.length + 1} fields, found ${f.length}`, { file: name, line: i + 2 });
  });
  const numeric = cols.map((_, c) => body.every((f) => MISSING.test(f[c + 1]) || Number.isFinite(Number(f[c + 1]))));
  const keep = cols.flatMap((_, c) => (numeric[c] ? [c] : []));
  const data = new Float64Array(body.length * keep.length);
  body.forEach((f, r) => keep.forEach((c, k) => (data[r * keep.length + k] = MISSING.test(f[c + 1]) ? NaN : Number(f[c + 1]))));
  return { name, rowHeader, rows: body.map((f) => f[0]), cols: keep.map((c) => cols[c]), data };
}

/** `cellfrac cibersort -o x.json` (samples[].fractions) or a method table's JSON (columns + rows). */
function parseJsonResult(text: string, name: string): NamedTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file: name });
  }
  const doc = parsed as {
    cellTypes?: string[];
    samples?: { sample: string; fractions: Record<string, number | null> }[];
    columns?: string[];
    rows?: Record<string, string | number | null>[];
  };
  const num = (x: unknown) => (typeof x === "number" ? x : NaN);
  if (doc.cellTypes && doc.samples) {
    const cols = doc.cellTypes;
    const data = Float64Array.from(doc.samples.flatMap((s) => cols.map((c) => num(s.fractions[c]))));
    return { name, rowHeader: "Mixture", rows: doc.samples.map((s) => s.sample), cols, data };
  }
  if (doc.columns && doc.rows) {
    const cols = doc.columns;
    const rowHeader = Object.keys(doc.rows[0] ?? {}).find((k) => !cols.includes(k)) ?? "sample";
    const data = Float64Array.from(doc.rows.flatMap((r) => cols.map((c) => num(r[c]))));
    return { name, rowHeader, rows: doc.rows.map((r) => String(r[rowHeader])), cols, data };
  }
  throw new InputError("JSON is not a cellfrac result (no cellTypes/samples or columns/rows)", { file: name });
}

/** A method's result (samples × columns, column-major) as a named table. */
export function methodTableToNamed(t: MethodTable, name = t.method): NamedTable {
  const { rows, cols, data } = t.values;
  const out = new Float64Array(rows.length * cols.length);
  for (let r = 0; r < rows.length; r++) for (let c = 0; c < cols.length; c++) out[r * cols.length + c] = data[r + c * rows.length];
  return { name, rowHeader: t.rowHeader, rows, cols, data: out };
}

export function transpose(t: NamedTable): NamedTable {
  const R = t.rows.length;
  const C = t.cols.length;
  const data = new Float64Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) data[c * R + r] = t.data[r * C + c];
  return { ...t, rowHeader: "", rows: t.cols, cols: t.rows, data };
}

/** Lineage tree (node → parent) and cell-type name → lineage node. */
export interface Lineages {
  parent: Map<string, string | undefined>;
  alias: Map<string, string>;
  /** Normalised name (cellTypeKey) of every alias and node → its lineage; names of two lineages are left out. */
  keys?: Map<string, string>;
}

let bundledLineages: Lineages | undefined;

/** The bundled lineages (data/lineages.tsv, through the host), parsed once. */
export function loadLineages(): Lineages {
  bundledLineages ??= parseLineages(dataText(LINEAGES_FILE), LINEAGES_FILE);
  return bundledLineages;
}

/** A lineages table: `lineage <name> <parent>` and `cell_type <name> <lineage>` lines after a header. */
export function parseLineages(text: string, name: string): Lineages {
  const parent = new Map<string, string | undefined>();
  const alias = new Map<string, string>();
  for (const line of text.split("\n").slice(1)) {
    const [kind, node, to] = line.split("\t");
    if (kind === "lineage") parent.set(node, to || undefined);
    else if (kind === "cell_type") alias.set(node, to);
  }
  for (const [n, to] of alias) if (!parent.has(to)) throw new Error(`${name}: cell type "${n}" maps to unknown lineage "${to}"`);
  return { parent, alias };
}

/**
 * A cell-type name reduced to what tells cell types apart, so that the spellings of different tools meet:
 * "CD8+ T cells", "T.cells.CD8", "CD8Tcells", "CD8_Tcells" and "T_cells_CD8" all become "cd8 t". Glued words
 * are split before "cell(s)" and between a digit and a letter, "+" is dropped, case and punctuation are
 * ignored, a plural "s" is dropped, the word "cell" is dropped and the words are sorted (word order differs
 * between tools).
 */
export function cellTypeKey(name: string): string {
  const words = name
    .replace(/\+/g, "")
    .replace(/([A-Za-z0-9])(cells?)\b/g, "$1 $2")
    .replace(/([0-9])([A-Za-z])/g, "$1 $2")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((w) => (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w))
    .filter((w) => w !== "" && w !== "cell");
  return words.sort().join(" ");
}

/** The normalised names of a lineage table's aliases and nodes (built once per table). */
function lineageKeys(lin: Lineages): Map<string, string> {
  if (lin.keys) return lin.keys;
  const keys = new Map<string, string>();
  const clash = new Set<string>();
  const add = (name: string, node: string) => {
    const k = cellTypeKey(name);
    if (keys.has(k) && keys.get(k) !== node) clash.add(k);
    else keys.set(k, node);
  };
  for (const node of lin.parent.keys()) keys.set(cellTypeKey(node), node);
  const nodeKeys = new Set(keys.keys());
  // A lineage's own name wins over a cell type's spelling ("CD4 T cells" is CD4 T, not TIL10's CD4 T conv).
  for (const [a, node] of lin.alias) if (!nodeKeys.has(cellTypeKey(a))) add(a, node);
  for (const k of clash) keys.delete(k);
  lin.keys = keys;
  return keys;
}

/** The lineage of a column name: the user's map, the alias table, a lineage named the same, else by normalised name. */
function lineageOf(col: string, lin: Lineages, map?: ReadonlyMap<string, string>): string | undefined {
  const mapped = map?.get(col);
  if (mapped !== undefined) return lin.parent.has(mapped) ? mapped : lineageOf(mapped, lin);
  const a = lin.alias.get(col);
  if (a !== undefined) return a;
  return lineageKeys(lin).get(cellTypeKey(col));
}

/** The known name (alias or lineage) closest to `col` by edit distance of the normalised names. */
export function closestCellType(col: string, lin: Lineages): string {
  const k = cellTypeKey(col);
  let best = "";
  let bestD = Infinity;
  for (const name of [...lin.parent.keys(), ...lin.alias.keys()]) {
    const d = editDistance(k, cellTypeKey(name));
    if (d < bestD) [best, bestD] = [name, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * A user's mapping for --map: a two-column TSV/CSV (column name, then a lineage or a known cell-type
 * name of data/lineages.tsv); a header line is allowed. Unknown targets are an InputError naming the line.
 */
export function parseCellTypeMap(text: string, name: string, lin: Lineages = loadLineages()): Map<string, string> {
  const map = new Map<string, string>();
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const f = line.split(line.includes("\t") ? "\t" : ",").map((x) => x.trim().replace(/^"(.*)"$/, "$1"));
    if (f.length < 2 || f[1] === "") throw new InputError("expected two columns: a column name and a lineage", { file: name, line: i + 1 });
    if (lineageOf(f[1], lin) === undefined) {
      if (i === 0) return; // a header line
      const closest = closestCellType(f[1], lin);
      throw new InputError(`unknown lineage "${f[1]}" (closest known: ${closest})`, { file: name, line: i + 1, column: 2 });
    }
    map.set(f[0], f[1]);
  });
  return map;
}

function ancestors(node: string, lin: Lineages): string[] {
  const out: string[] = [];
  for (let p = lin.parent.get(node); p !== undefined; p = lin.parent.get(p)) out.push(p);
  return out;
}

export interface CellTypeStats {
  /** Cell type (exact mode) or lineage. */
  cellType: string;
  resultColumns: string[];
  referenceColumns: string[];
  /** Samples with a value on both sides. */
  n: number;
  pearson: number;
  spearman: number;
  rmse: number;
  maxAbsDiff: number;
  /** mean(result − reference). */
  bias: number;
}

export interface CompareReport {
  /** scale: "fractions" when every compared result value lies in [0, 1] (up to rounding), else "scores". */
  result: { name: string; samples: number; cellTypes: string[]; ignored: string[]; scale: "fractions" | "scores" };
  reference: { name: string; orientation: "samples × cell types" | "cell types × samples"; cellTypes: string[]; percent: boolean };
  samples: string[];
  onlyInResult: string[];
  onlyInReference: string[];
  matching: "exact" | "lineage";
  notCompared: { result: string[]; reference: string[] };
  /** Lineage matching: columns of no known lineage, with the closest known name (state one with --map). */
  unknown: { side: "result" | "reference"; column: string; closest: string }[];
  cellTypes: CellTypeStats[];
  overall: {
    n: number;
    pooledPearson: number;
    pooledSpearman: number;
    meanPearson: number;
    meanRmse: number;
    maxAbsDiff: number;
    bias: number;
  };
}

/** `cellfrac compare --by` (checked with the registry's checkValue by the CLI and the page alike). */
export const COMPARE_BY = {
  name: "by",
  type: "choice",
  choices: ["auto", "exact", "lineage"],
  help: "",
  hosts: ["cli", "page"],
} as const satisfies OptionSpec;

export interface CompareOptions {
  /** "auto" (default): exact names when one side's cell types are a subset of the other's, else lineages. */
  by?: "auto" | "exact" | "lineage";
  lineages?: Lineages;
  /** Column name → lineage or known cell-type name (--map); implies lineage matching under "auto". */
  map?: ReadonlyMap<string, string>;
}

const list = (xs: readonly string[], max = 12) =>
  xs.length ? xs.slice(0, max).join(", ") + (xs.length > max ? `, … (${xs.length})` : "") : "none";

/** Compare a samples × cell types result with a reference in either orientation. */
export function compareTables(result: NamedTable, reference: NamedTable, opts: CompareOptions = {}): CompareReport {
  const ignored = result.cols.filter(isFitColumn);
  const res = dropColumns(result, ignored);
  const samples = new Set(res.rows);
  const overlap = (names: string[]) => names.filter((n) => samples.has(n)).length;
  // The reference's sample axis is the one sharing more names with the result's samples.
  const transposed = overlap(reference.cols) > overlap(reference.rows);
  let ref = transposed ? transpose(reference) : reference;
  ref = dropColumns(ref, ref.cols.filter(isFitColumn));
  const shared = ref.rows.filter((s) => samples.has(s));
  if (shared.length === 0) {
    throw new InputError(
      `no shared samples: the result has ${list(res.rows)}; ` +
        `the reference has rows ${list(reference.rows)} and columns ${list(reference.cols)}`,
      { file: reference.name },
    );
  }
  const lin = opts.lineages ?? loadLineages();
  // A nested table's rows sum to more than 100: its parent columns are left out of the test.
  const percent = looksLikePercent(ref) || looksLikePercent(dropColumns(ref, [...lineageSide(ref, lin, opts.map).nested]));
  if (percent) ref = { ...ref, data: ref.data.map((v) => v / 100) };

  const by = opts.by ?? "auto";
  const resSet = new Set(res.cols);
  const refSet = new Set(ref.cols);
  const subset = res.cols.every((c) => refSet.has(c)) || ref.cols.every((c) => resSet.has(c));
  const exact = by === "exact" || (by === "auto" && subset && !opts.map?.size);
  const groups = exact ? exactGroups(res.cols, ref.cols) : lineageGroups(res, ref, lin, opts.map);
  if (groups.length === 0) {
    throw new InputError(
      `no shared cell types${exact ? "" : " or lineages (data/lineages.tsv)"}: ` +
        `the result has ${list(res.cols)}; the reference has ${list(ref.cols)}`,
      { file: reference.name },
    );
  }
  const usedRes = new Set(groups.flatMap((g) => g.res));
  const usedRef = new Set(groups.flatMap((g) => g.ref));

  const resAt = rowIndex(res);
  const refAt = rowIndex(ref);
  const all: [number[], number[]] = [[], []];
  const stats = groups.map((g) => {
    const x: number[] = [];
    const y: number[] = [];
    for (const s of shared) {
      const a = sumColumns(res, resAt.get(s)!, g.res);
      const b = sumColumns(ref, refAt.get(s)!, g.ref);
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      x.push(a);
      y.push(b);
    }
    all[0].push(...x);
    all[1].push(...y);
    return { cellType: g.name, resultColumns: g.res, referenceColumns: g.ref, ...agreement(x, y) };
  });
  const pooled = agreement(all[0], all[1]);
  const finite = (xs: number[]) => xs.filter((v) => !Number.isNaN(v));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : NaN);
  return {
    result: {
      name: result.name,
      samples: res.rows.length,
      cellTypes: res.cols,
      ignored,
      scale: res.data.every((v) => Number.isNaN(v) || (v >= -FRACTION_SLACK && v <= 1 + FRACTION_SLACK)) ? "fractions" : "scores",
    },
    reference: {
      name: reference.name,
      orientation: transposed ? "cell types × samples" : "samples × cell types",
      cellTypes: ref.cols,
      percent,
    },
    samples: shared,
    onlyInResult: res.rows.filter((s) => !refAt.has(s)),
    onlyInReference: ref.rows.filter((s) => !samples.has(s)),
    matching: exact ? "exact" : "lineage",
    notCompared: { result: res.cols.filter((c) => !usedRes.has(c)), reference: ref.cols.filter((c) => !usedRef.has(c)) },
    unknown: exact ? [] : unknownColumns(res, ref, lin, opts.map),
    cellTypes: stats,
    overall: {
      n: pooled.n,
      pooledPearson: pooled.pearson,
      pooledSpearman: pooled.spearman,
      meanPearson: mean(finite(stats.map((s) => s.pearson))),
      meanRmse: mean(finite(stats.map((s) => s.rmse))),
      maxAbsDiff: pooled.maxAbsDiff,
      bias: pooled.bias,
    },
  };
}

function unknownColumns(res: NamedTable, ref: NamedTable, lin: Lineages, map?: ReadonlyMap<string, string>): CompareReport["unknown"] {
  const of = (side: "result" | "reference", t: NamedTable) =>
    t.cols.filter((c) => lineageOf(c, lin, map) === undefined).map((column) => ({ side, column, closest: closestCellType(column, lin) }));
  return [...of("result", res), ...of("reference", ref)];
}

function dropColumns(t: NamedTable, drop: string[]): NamedTable {
  if (drop.length === 0) return t;
  const keep = t.cols.flatMap((c, i) => (drop.includes(c) ? [] : [i]));
  const C = t.cols.length;
  const data = new Float64Array(t.rows.length * keep.length);
  for (let r = 0; r < t.rows.length; r++) keep.forEach((c, k) => (data[r * keep.length + k] = t.data[r * C + c]));
  return { ...t, cols: keep.map((c) => t.cols[c]), data };
}

function rowIndex(t: NamedTable): Map<string, number> {
  const at = new Map<string, number>();
  t.rows.forEach((s, i) => {
    if (!at.has(s)) at.set(s, i);
  });
  return at;
}

function sumColumns(t: NamedTable, row: number, cols: string[]): number {
  let s = 0;
  for (const c of cols) s += t.data[row * t.cols.length + t.cols.indexOf(c)];
  return s;
}

/** Every row sums to 100 ± PERCENT_SLACK and no value is negative. */
function looksLikePercent(t: NamedTable): boolean {
  const C = t.cols.length;
  for (let r = 0; r < t.rows.length; r++) {
    let s = 0;
    for (let c = 0; c < C; c++) {
      const v = t.data[r * C + c];
      if (v < 0) return false;
      if (!Number.isNaN(v)) s += v;
    }
    if (Math.abs(s - 100) > PERCENT_SLACK) return false;
  }
  return true;
}

interface Group {
  name: string;
  res: string[];
  ref: string[];
}

function exactGroups(res: string[], ref: string[]): Group[] {
  const refSet = new Set(ref);
  return res.filter((c) => refSet.has(c)).map((c) => ({ name: c, res: [c], ref: [c] }));
}

/** Sub-populations may exceed their parent by rounding this much (fractions; ×100 for percentages). */
const NESTED_SLACK = 0.005;

/** A table's columns by lineage, and which are parents of other columns (nested, not disjoint). */
interface LineageSide {
  of: Map<string, string | undefined>;
  nested: Set<string>;
}

/**
 * A column whose lineage is above other columns' is a parent (its cells include theirs: "T cells" beside
 * "CD4 T cells") when in every sample it holds at least the sum of its highest sub-columns; otherwise it is
 * a disjoint rest (GSE93722's other_cells beside Cancer_cells) and is summed with them as before.
 */
function lineageSide(t: NamedTable, lin: Lineages, map?: ReadonlyMap<string, string>): LineageSide {
  const of = new Map(t.cols.map((c) => [c, lineageOf(c, lin, map)]));
  const below = (c: string) => {
    const l = of.get(c);
    return l === undefined ? [] : t.cols.filter((d) => d !== c && of.get(d) !== undefined && ancestors(of.get(d)!, lin).includes(l));
  };
  const nested = new Set<string>();
  const slack = NESTED_SLACK * (t.data.some((v) => v > 1 + NESTED_SLACK) ? 100 : 1); // percentages not yet divided
  for (const c of t.cols) {
    const sub = below(c);
    const top = sub.filter((d) => !sub.some((e) => e !== d && ancestors(of.get(d)!, lin).includes(of.get(e)!)));
    if (top.length === 0) continue;
    const ci = t.cols.indexOf(c);
    const idx = top.map((d) => t.cols.indexOf(d));
    const holds = t.rows.every((_, r) => {
      const p = t.data[r * t.cols.length + ci];
      const sum = idx.reduce((acc, j) => acc + t.data[r * t.cols.length + j], 0);
      return Number.isNaN(p) || Number.isNaN(sum) || p >= sum - slack;
    });
    if (holds) nested.add(c);
  }
  return { of, nested };
}

/**
 * The columns that measure lineage `node` on one side: its parent column alone when the side has one;
 * otherwise the columns at and below it, a nested parent standing for its sub-columns. None when a
 * disjoint column above `node` holds some of its cells unsplit.
 */
function measure(side: LineageSide, node: string, lin: Lineages): string[] {
  const l = (c: string) => side.of.get(c);
  const up = ancestors(node, lin);
  const cols = [...side.of.keys()];
  if (cols.some((c) => l(c) !== undefined && up.includes(l(c)!) && !side.nested.has(c))) return [];
  const under = cols.filter((c) => l(c) !== undefined && (l(c) === node || ancestors(l(c)!, lin).includes(node)));
  const coveredBy = (c: string, q: string) => q !== c && side.nested.has(q) && l(q) !== l(c) && ancestors(l(c)!, lin).includes(l(q)!);
  return under.filter((c) => !under.some((q) => coveredBy(c, q)));
}

/**
 * Lineages named by a column on either side and measurable on both (see measure). Result order: the
 * lineage tree's order.
 */
function lineageGroups(res: NamedTable, ref: NamedTable, lin: Lineages, map?: ReadonlyMap<string, string>): Group[] {
  const a = lineageSide(res, lin, map);
  const b = lineageSide(ref, lin, map);
  const named = new Set([...a.of.values(), ...b.of.values()].filter((l) => l !== undefined));
  const groups: Group[] = [];
  for (const node of lin.parent.keys()) {
    if (!named.has(node)) continue;
    const x = measure(a, node, lin);
    const y = measure(b, node, lin);
    if (x.length && y.length) groups.push({ name: node, res: x, ref: y });
  }
  return groups;
}

/** Pearson r, Spearman ρ (average ranks for ties), RMSE, max |x − y|, mean(x − y). */
export function agreement(
  x: readonly number[],
  y: readonly number[],
): Omit<CellTypeStats, "cellType" | "resultColumns" | "referenceColumns"> {
  const n = x.length;
  let sq = 0;
  let maxAbs = n ? 0 : NaN;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const e = x[i] - y[i];
    sq += e * e;
    d += e;
    maxAbs = Math.max(maxAbs, Math.abs(e));
  }
  return { n, pearson: pearson(x, y), spearman: pearson(ranks(x), ranks(y)), rmse: Math.sqrt(sq / n), maxAbsDiff: maxAbs, bias: d / n };
}

/** Two-pass Pearson correlation; NaN when either side is constant or n < 2. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i] - mx;
    const b = y[i] - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** 1-based ranks, ties given their average rank (R's rank(ties.method = "average")). */
export function ranks(x: readonly number[]): number[] {
  return Array.from(rank(x));
}

const fmt = (v: number, digits = 4) => (Number.isNaN(v) ? "NA" : v.toFixed(digits));

/** Human-readable report. */
export function formatCompareText(rep: CompareReport): string {
  const lines = [
    `result:    ${rep.result.name}: ${rep.result.samples} samples, ${rep.result.cellTypes.length} cell types` +
      (rep.result.ignored.length ? ` (not compared: ${rep.result.ignored.join(", ")})` : "") +
      (rep.result.scale === "scores" ? "; values outside [0, 1]: scores, not fractions (only r and ρ are comparable)" : ""),
    `reference: ${rep.reference.name}: ${rep.reference.orientation}` +
      `${rep.reference.orientation === "cell types × samples" ? " (transposed)" : ""}, ` +
      `${rep.reference.cellTypes.length} cell types${rep.reference.percent ? "; rows sum to about 100: percentages, divided by 100" : ""}`,
    `samples:   ${rep.samples.length} shared; only in result: ${list(rep.onlyInResult)}; only in reference: ${list(rep.onlyInReference)}`,
    `matching:  ${rep.matching === "exact" ? "cell-type names, 1:1" : "lineages (data/lineages.tsv): columns summed per lineage"}; ` +
      `not compared: result ${list(rep.notCompared.result)}; reference ${list(rep.notCompared.reference)}`,
    ...rep.unknown.map(
      (u) => `unknown:   ${u.side} column "${u.column}" is no known cell type (closest known: "${u.closest}"; state it with --map)`,
    ),
    "",
  ];
  const head = ["cell type", "n", "pearson", "spearman", "RMSE", "max|Δ|", "bias", "result columns", "reference columns"];
  const rows = rep.cellTypes.map((s) => statRow(s, fmt, " + "));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) lines.push(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  "));
  const o = rep.overall;
  lines.push(
    "",
    `overall:   ${o.n} pairs; pooled r ${fmt(o.pooledPearson)}, pooled ρ ${fmt(o.pooledSpearman)}, mean r ${fmt(o.meanPearson)}, ` +
      `mean RMSE ${fmt(o.meanRmse)}, max |Δ| ${fmt(o.maxAbsDiff)}, bias ${fmt(o.bias)}`,
  );
  return `${lines.join("\n")}\n`;
}

/** A cell type's row of the text and TSV reports: statistics through `show`, each side's columns joined by `plus`. */
function statRow(s: CellTypeStats, show: (v: number) => string, plus: string): string[] {
  const stats = [s.pearson, s.spearman, s.rmse, s.maxAbsDiff, s.bias].map((v) => show(v));
  return [s.cellType, String(s.n), ...stats, s.resultColumns.join(plus), s.referenceColumns.join(plus)];
}

/** TSV: one row per cell type, then "(overall)" with pooled r/ρ, mean RMSE, max |Δ| and pooled bias. */
export function formatCompareTsv(rep: CompareReport): string {
  const num = (v: number) => (Number.isNaN(v) ? "NA" : String(v));
  const lines = [
    ["cell_type", "n", "pearson", "spearman", "rmse", "max_abs_diff", "bias", "result_columns", "reference_columns"].join("\t"),
  ];
  for (const s of rep.cellTypes) lines.push(statRow(s, num, "+").join("\t"));
  const o = rep.overall;
  lines.push(
    ["(overall)", o.n, num(o.pooledPearson), num(o.pooledSpearman), num(o.meanRmse), num(o.maxAbsDiff), num(o.bias), "", ""].join("\t"),
  );
  return `${lines.join("\n")}\n`;
}

export function formatCompareJson(rep: CompareReport): string {
  return `${JSON.stringify(rep, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2)}\n`;
}
