/**
 * Gene sets for the score methods: GMT and long-format TSV readers, the bundled sets (ESTIMATE,
 * MCPcounter, Danaher) and the mapping of a set's genes onto a mixture's rows.
 *
 * A set's genes are unique: a gene listed twice counts once (with a warning). GSVA 1.46 counts such a
 * gene twice, which silently up-weights it (GSVA issue #250); none of the bundled sets has duplicates, so
 * this never changes a reference result.
 */
import { dataText } from "./host.js";
import { InputError, type InputLocation } from "./errors.js";
import { checkLineLengths, inputLimits, overLimit } from "./limits.js";
import type { Coverage } from "./methods/types.js";

export interface GeneSet {
  name: string;
  /** Unique gene symbols in file order. */
  genes: string[];
}

export interface GeneSetReadOptions {
  /** File name for error messages (defaults to the path). */
  name?: string;
  /** TSV only: header name of the set column (default: see pickColumns). */
  setColumn?: string;
  /** TSV only: header name of the gene column (default: see pickColumns). */
  geneColumn?: string;
  /** TSV only: the mixture's genes, by which the gene column is recognised. */
  genes?: ReadonlySet<string>;
  /** "gmt" or "tsv"; default from the name (.gmt / .gmt.gz → GMT, anything else TSV). */
  format?: "gmt" | "tsv";
  /** Told about genes listed twice in a set. */
  onWarning?: (message: string) => void;
}

/** Bundled gene-set files (data/genesets/, see data/README.md), selectable by name, case-insensitive. */
export const BUILTIN_GENE_SETS: Record<string, { file: string; setColumn: string; geneColumn: string }> = {
  ESTIMATE: { file: "ESTIMATE_signature_genesets.tsv", setColumn: "gene_set", geneColumn: "gene" },
  MCPcounter: { file: "MCPcounter_genes.tsv", setColumn: "cell_population", geneColumn: "gene" },
  Danaher: { file: "Danaher2017_immune_cell_markers.tsv", setColumn: "cell_type", geneColumn: "current_hgnc_symbol" },
};

/** Their folder under data/. */
export const GENESETS_FOLDER = "genesets/";

/** The built-in key matching `spec` (case-insensitive), or undefined. */
export function builtinGeneSetName(spec: string): string | undefined {
  return Object.keys(BUILTIN_GENE_SETS).find((k) => k.toLowerCase() === spec.toLowerCase());
}

/**
 * A bundled collection by name (ESTIMATE, MCPcounter, Danaher; any case) through the host, or undefined
 * when `spec` names none. The set and gene columns are the file's own unless given.
 */
export function bundledGeneSets(spec: string, opts: GeneSetReadOptions = {}): GeneSet[] | undefined {
  const key = builtinGeneSetName(spec);
  if (!key) return undefined;
  const b = BUILTIN_GENE_SETS[key];
  const setColumn = opts.setColumn ?? b.setColumn;
  const geneColumn = opts.geneColumn ?? b.geneColumn;
  return parseGeneSets(dataText(GENESETS_FOLDER + b.file), { ...opts, setColumn, geneColumn, name: key, format: "tsv" });
}

/** "gmt" for a .gmt / .gmt.gz name, else "tsv". */
export function geneSetFormat(name: string): "gmt" | "tsv" {
  return /\.gmt(\.gz)?$/i.test(name) ? "gmt" : "tsv";
}

export function parseGeneSets(text: string, opts: GeneSetReadOptions = {}): GeneSet[] {
  if (text.length > inputLimits().maxLineBytes) checkLineLengths(new TextEncoder().encode(text), opts.name, "a gene-set file");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  const sets = opts.format === "gmt" ? parseGmt(lines, opts) : parseTsv(lines, opts);
  if (sets.length === 0) throw new InputError("no gene sets in the file", { file: opts.name });
  return sets;
}

/** Collects genes per set, in order of first appearance, counting a repeated gene once. */
class SetCollector {
  private readonly bySet = new Map<string, { genes: string[]; seen: Set<string> }>();
  private readonly repeats = new Map<string, string[]>();

  add(set: string, gene: string, where: InputLocation): void {
    let s = this.bySet.get(set);
    if (!s) this.bySet.set(set, (s = { genes: [], seen: new Set() }));
    if (s.genes.length >= inputLimits().maxSetGenes) throw overLimit(`gene set "${set}"'s size`, "maxSetGenes", where, " genes");
    if (s.seen.has(gene)) {
      const r = this.repeats.get(set) ?? [];
      r.push(gene);
      this.repeats.set(set, r);
      return;
    }
    s.seen.add(gene);
    s.genes.push(gene);
  }

  has(set: string): boolean {
    return this.bySet.has(set);
  }

  finish(opts: GeneSetReadOptions): GeneSet[] {
    for (const [set, genes] of this.repeats) {
      opts.onWarning?.(`${opts.name ?? "gene sets"}: set "${set}" lists ${genes.join(", ")} more than once; each gene counts once`);
    }
    return [...this.bySet].map(([name, s]) => ({ name, genes: s.genes }));
  }
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
}

/** GMT: one set per line, `name<TAB>description<TAB>gene…`; empty gene fields are ignored. */
function parseGmt(lines: string[], opts: GeneSetReadOptions): GeneSet[] {
  const file = opts.name;
  const c = new SetCollector();
  lines.forEach((raw, i) => {
    if (raw.trim() === "") return;
    const f = raw.split("\t").map(unquote);
    const name = f[0];
    if (name === "") throw new InputError("empty gene-set name", { file, line: i + 1, column: 1 });
    if (f.length < 3)
      throw new InputError(`gene set "${name}": a GMT line needs a name, a description and genes (tab-separated)`, { file, line: i + 1 });
    if (c.has(name)) throw new InputError(`gene set "${name}" is defined twice`, { file, line: i + 1 });
    const genes = f.slice(2).filter((g) => g !== "");
    if (genes.length === 0) throw new InputError(`gene set "${name}" lists no genes`, { file, line: i + 1 });
    for (const g of genes) c.add(name, g, { file, line: i + 1 });
  });
  return c.finish(opts);
}

/** Long-format TSV with a header: one (set, gene) pair per row; sets in order of first appearance. */
function parseTsv(lines: string[], opts: GeneSetReadOptions): GeneSet[] {
  const file = opts.name;
  let end = lines.length;
  while (end > 0 && lines[end - 1].trim() === "") end--;
  if (end === 0) throw new InputError("empty gene-set file", { file });
  const delim = lines[0].includes("\t") ? "\t" : ",";
  const header = lines[0].split(delim).map(unquote);
  if (header.length < 2) {
    throw new InputError("a gene-set table needs a header with a set column and a gene column (or use a .gmt file)", { file, line: 1 });
  }
  const pick = (want: string, what: string): number => {
    const i = header.indexOf(want);
    if (i < 0) throw new InputError(`no ${what} column "${want}" in the header (columns: ${header.join(", ")})`, { file, line: 1 });
    return i;
  };
  const rows: string[][] = [];
  for (let i = 1; i < end; i++) {
    if (lines[i].trim() === "") {
      rows.push([]);
      continue;
    }
    const f = lines[i].split(delim).map(unquote);
    if (f.length !== header.length) {
      // A GMT file under another name fails here: its lines have different lengths.
      throw new InputError(`expected ${header.length} fields, found ${f.length} (if this is a GMT file, give it the .gmt extension)`, {
        file,
        line: i + 1,
      });
    }
    rows.push(f);
  }
  const given = {
    set: opts.setColumn === undefined ? undefined : pick(opts.setColumn, "set"),
    gene: opts.geneColumn === undefined ? undefined : pick(opts.geneColumn, "gene"),
  };
  const { si, gi } = pickColumns(header.length, rows, given, opts.genes);
  if (si === gi) throw new InputError(`the set and gene columns are the same column "${header[si]}"`, { file, line: 1 });
  const c = new SetCollector();
  for (let i = 1; i < end; i++) {
    const f = rows[i - 1];
    if (f.length === 0) continue;
    const set = f[si];
    const gene = f[gi];
    if (set === "") throw new InputError("empty gene-set name", { file, line: i + 1, column: si + 1 });
    if (gene === "" || gene === "NA") continue; // an unmapped symbol, not a gene
    c.add(set, gene, { file, line: i + 1 });
  }
  return c.finish(opts);
}

/**
 * The set and gene columns of a long table, where not given. The gene column is the one whose values meet
 * the mixture's genes most often (leftmost on a tie; without a mixture or without any meeting, the second
 * column, or the first when the set column is the second). The set column is the other column with the
 * fewest distinct values (sets group genes; leftmost on a tie), so MCP-counter's own table (gene,
 * cell_population, entrez_id, ensembl_id) needs no option and `--gene-column gene` alone finds
 * cell_population.
 */
function pickColumns(
  width: number,
  rows: readonly string[][],
  given: { set?: number; gene?: number },
  genes?: ReadonlySet<string>,
): { si: number; gi: number } {
  const cols = Array.from({ length: width }, (_, j) => j);
  let gi = given.gene;
  if (gi === undefined) {
    const hits = cols.map((j) => (j === given.set || !genes ? 0 : rows.reduce((n, f) => n + (f.length && genes.has(f[j]) ? 1 : 0), 0)));
    const best = hits.indexOf(Math.max(...hits));
    gi = hits[best] > 0 ? best : given.set === 1 ? 0 : 1;
  }
  let si = given.set;
  if (si === undefined) {
    const distinct = cols.map((j) => (j === gi ? Infinity : new Set(rows.filter((f) => f.length).map((f) => f[j])).size));
    si = distinct.indexOf(Math.min(...distinct));
  }
  return { si, gi };
}

/** A gene set mapped onto a mixture: the rows of its genes present (first row of a repeated symbol). */
export interface MappedSet {
  name: string;
  rows: number[];
  coverage: Coverage;
}

/**
 * Map sets onto mixture row names. A gene listed twice in a set counts once (with a warning). Sets with
 * no gene present are dropped with a warning (as GSVA and MCP-counter drop them); if every set is empty
 * that is an InputError naming them.
 * @returns the non-empty sets in input order and the coverage of every set (empty ones included).
 */
export function mapGeneSets(
  sets: readonly GeneSet[],
  rowNames: readonly string[],
  onWarning?: (message: string) => void,
): { mapped: MappedSet[]; coverage: Coverage[] } {
  const rowOf = new Map<string, number>();
  rowNames.forEach((g, i) => {
    if (!rowOf.has(g)) rowOf.set(g, i);
  });
  const coverage: Coverage[] = [];
  const mapped: MappedSet[] = [];
  for (const s of sets) {
    const rows: number[] = [];
    const missing: string[] = [];
    // Sets from the readers are unique already; sets built in code may repeat a gene: it counts once.
    const genes = [...new Set(s.genes)];
    if (genes.length < s.genes.length) {
      const repeated = [...new Set(s.genes.filter((g, i) => s.genes.indexOf(g) !== i))];
      onWarning?.(`gene set "${s.name}" lists ${repeated.join(", ")} more than once; each gene counts once`);
    }
    for (const g of genes) {
      const r = rowOf.get(g);
      if (r === undefined) missing.push(g);
      else rows.push(r);
    }
    const cov: Coverage = { name: s.name, found: rows.length, total: genes.length, missing };
    coverage.push(cov);
    if (rows.length) mapped.push({ name: s.name, rows, coverage: cov });
  }
  const empty = coverage.filter((c) => c.found === 0).map((c) => `"${c.name}"`);
  if (mapped.length === 0) {
    throw new InputError(`no gene of any gene set is in the mixture (sets ${empty.join(", ")}); are the gene symbols of the same kind?`);
  }
  if (empty.length)
    onWarning?.(
      `gene set${empty.length > 1 ? "s" : ""} ${empty.join(", ")} ${empty.length > 1 ? "have" : "has"} no gene in the mixture ` +
        `and ${empty.length > 1 ? "are" : "is"} left out`,
    );
  return { mapped, coverage };
}

/** The sets as one CSR list (rows of set s at rows[off[s] .. off[s+1])) for the Wasm kernels. */
export function packSets(sets: readonly MappedSet[]): { rows: Int32Array; off: Int32Array; maxSize: number } {
  const off = new Int32Array(sets.length + 1);
  sets.forEach((s, i) => (off[i + 1] = off[i] + s.rows.length));
  const rows = new Int32Array(off[sets.length]);
  sets.forEach((s, i) => rows.set(s.rows, off[i]));
  return { rows, off, maxSize: Math.max(1, ...sets.map((s) => s.rows.length)) };
}
