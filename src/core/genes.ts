// Gene identifiers. Signatures, gene sets and mixtures meet on current HGNC symbols: rows named by Ensembl
// gene ID get their gene's current symbol (toSymbols), and a signature gene absent from the mixture under its
// own name finds the mixture row that names the same gene under another name (meetGenes: LM22's 2014
// HIST1H2BG is today's H2BC8). The bundled table, data/identifiers/human_genes.tsv.gz, lists every human gene
// of NCBI Gene (symbols from HGNC) with its Ensembl IDs and other names; what counts as ambiguous is decided
// here, not in the file. Symbols are otherwise matched as given, case-sensitively (CD4 and Cd4 are different
// genes in different species).
import { InputError } from "./errors.js";
import type { DuplicatePolicy } from "./formats/read.js";
import { isGzip } from "./formats/gzip.js";
import { GeneIndex, IndexedMap, IndexedSet } from "./gene-index.js";
import { gunzipSync, host } from "./host.js";
import { type Matrix, makeMatrix, mergeRowGroups, ROW_COMBINERS, rowGroups } from "./matrix.js";

/** The bundled gene table under data/ (gzip TSV: symbol, ensembl_gene_ids, other_names; lists comma-separated). */
export const GENE_TABLE_FILE = "identifiers/human_genes.tsv.gz";
/** Kept for the API: the Ensembl → symbol mapping now comes from the gene table. */
export const ENSEMBL_TABLE_FILE = GENE_TABLE_FILE;

/**
 * The gene table as the matching rules use it. A name is resolved to a current symbol only when that is
 * unambiguous: a current symbol is always itself (never read as another gene's alias); any other name
 * (previous symbol, alias) or Ensembl ID maps only when it belongs to exactly one gene — otherwise it is
 * listed in `ambiguous` and never mapped.
 */
export interface GeneTable {
  /** Every current symbol. */
  symbols: ReadonlySet<string>;
  /** Stable Ensembl gene ID → current symbol. */
  ensembl: ReadonlyMap<string, string>;
  /** Previous symbol or alias (not itself a current symbol) → current symbol. */
  other: ReadonlyMap<string, string>;
  /** Names and IDs that belong to several genes → those genes' symbols. */
  ambiguous: ReadonlyMap<string, readonly string[]>;
}

/**
 * Parse the gene table's text or UTF-8 bytes (header line first). The lookups are answered from an index over the text
 * (gene-index.ts: no string per name, so loading is cheap); iterating a member builds an ordinary Map once.
 */
export function parseGeneTable(text: string | Uint8Array): GeneTable {
  return tableOf(GeneIndex.of(typeof text === "string" ? new TextEncoder().encode(text) : text));
}

/** The index behind each table tableOf made (currentSymbolIn asks it directly). */
const indexes = new WeakMap<GeneTable, GeneIndex>();

function tableOf(ix: GeneIndex): GeneTable {
  const table: GeneTable = {
    symbols: new IndexedSet(
      (k) => ix.isSymbol(k),
      () => ix.symbols(),
    ),
    ensembl: new IndexedMap(
      (k) => ix.ensembl(k),
      () => ix.ensemblEntries(),
    ),
    other: new IndexedMap(
      (k) => ix.other(k),
      () => ix.otherEntries(),
    ),
    ambiguous: new IndexedMap(
      (k) => ix.ambiguous(k),
      () => ix.ambiguousEntries(),
    ),
  };
  indexes.set(table, ix);
  return table;
}

let bundledTable: GeneTable | undefined;

/**
 * The bundled gene table, read once through the host (Node maps the index `npm run build` made of it, or
 * inflates it; the page's worker hands over the inflated text with useGeneTable first).
 */
export function geneTable(): GeneTable {
  if (!bundledTable) {
    const bytes = host().dataFile(GENE_TABLE_FILE);
    // The index the package's build made of this very file (its gzip trailer tells), when the host has it:
    // nothing to inflate or hash. Otherwise the index is built here.
    const snap = isGzip(bytes) ? host().geneIndex?.() : undefined;
    const ix = snap && GeneIndex.fromSnapshot(snap, bytes.subarray(bytes.length - 8));
    bundledTable = ix ? tableOf(ix) : parseGeneTable(isGzip(bytes) ? gunzipSync(bytes) : bytes);
  }
  return bundledTable;
}

/** Install the bundled table from its inflated text or bytes: hosts without synchronous gunzip call this first. */
export function useGeneTable(text: string | Uint8Array): void {
  bundledTable = parseGeneTable(text);
}

/** Whether the bundled table is loaded (the page fetches it only when a run needs it). */
export function geneTableLoaded(): boolean {
  return bundledTable !== undefined;
}

/** The current symbol a name stands for (itself when current), or undefined when unknown or ambiguous. */
export function currentSymbol(name: string, table: GeneTable = geneTable()): string | undefined {
  if (table.symbols.has(name)) return name;
  const id = ensemblStableId(name);
  return id === undefined ? table.other.get(name) : table.ensembl.get(id);
}

/**
 * The test "currentSymbol(name) is one of `symbols`", asked of every row of a mixture. The names that pass are
 * listed once: the symbols that are current, and the other names that belong to their genes alone (one pass
 * over the table's index, where currentSymbol of every row is a random probe of a 9 MB index per row); a row
 * then costs a Set lookup. Ensembl IDs still ask currentSymbol.
 */
export function currentSymbolIn(symbols: Iterable<string>, table: GeneTable = geneTable()): (name: string) => boolean {
  const current = new Set([...symbols].filter((s) => table.symbols.has(s)));
  const names = new Set(current);
  const ix = indexes.get(table);
  if (ix) for (const n of ix.otherNamesOf(current)) names.add(n);
  else for (const [n, s] of table.other) if (current.has(s)) names.add(n);
  return (name) => (ensemblStableId(name) === undefined ? names.has(name) : current.has(currentSymbol(name, table) ?? ""));
}

/**
 * A human Ensembl gene ID: ENSG + 11 digits, optionally ".version" (GENCODE, GTEx, TCGA) and GENCODE's
 * "_PAR_Y" suffix for the copy of a pseudo-autosomal gene on chromosome Y.
 */
const ENSEMBL_ID = /^(ENSG\d{11})(?:\.\d+)?(?:_PAR_Y)?$/;

/** How many unmapped IDs a warning lists before "…". */
const SHOWN = 10;

/** The stable ID (no version, no _PAR_Y), or undefined when `name` is not an Ensembl gene ID. */
export function ensemblStableId(name: string): string | undefined {
  // Asked of every row of a mixture: the regular expression only for names that can match it.
  return name.startsWith("ENSG") ? ENSEMBL_ID.exec(name)?.[1] : undefined;
}

/**
 * The row name `name` gets from toSymbols: an Ensembl ID becomes its symbol (or, when the table lacks it,
 * its stable ID); any other name stays. The table is loaded on the first ID only.
 */
export function symbolMapper(table?: ReadonlyMap<string, string>): (name: string) => string {
  return (name) => {
    const id = ensemblStableId(name);
    if (id === undefined) return name;
    table ??= ensemblSymbols();
    return table.get(id) ?? id;
  };
}

/** Stable Ensembl gene ID → current symbol (IDs of one gene only), from the bundled table. */
export function ensemblSymbols(): ReadonlyMap<string, string> {
  return geneTable().ensembl;
}

export interface ToSymbolsOptions {
  /** What to do when two rows get the same symbol (the reader's policy; default "error"). */
  duplicates?: DuplicatePolicy;
  /** Told how many rows were mapped and which were not. */
  onWarning?: (message: string) => void;
  /** Stable ID → symbol; default: the bundled table. */
  table?: ReadonlyMap<string, string>;
}

/**
 * Renames Ensembl-ID rows to symbols. A matrix without Ensembl IDs is returned as it is. Unmapped IDs
 * keep their stable ID (they match no signature gene but still count for whole-mixture steps such as
 * quantile normalisation); rows that end up with the same name are merged by `duplicates`.
 */
export function toSymbols(m: Matrix, opts: ToSymbolsOptions = {}): Matrix {
  const ids = m.rows.map(ensemblStableId);
  const nIds = ids.filter((x) => x !== undefined).length;
  if (nIds === 0) return m;
  const table = opts.table ?? ensemblSymbols();
  const symbol = symbolMapper(table);
  const unmapped = m.rows.filter((_, r) => ids[r] !== undefined && !table.has(ids[r]!));
  const rows = m.rows.map(symbol);
  const shown = unmapped.slice(0, SHOWN).join(", ") + (unmapped.length > SHOWN ? ", …" : "");
  // Only the bundled table knows which IDs were left out for belonging to several genes.
  const several = opts.table ? 0 : unmapped.filter((r) => geneTable().ambiguous.has(ensemblStableId(r)!)).length;
  opts.onWarning?.(
    `${nIds} rows named by Ensembl gene ID: ${nIds - unmapped.length} mapped to symbols with the bundled table` +
      (unmapped.length ? `, ${unmapped.length} not mapped (kept as IDs; they match no signature gene): ${shown}` : "") +
      (several ? ` (${several} of them belong to several genes and are never mapped)` : ""),
  );
  return mergeByName(makeMatrix(rows, m.cols, m.data, m.rowHeader), opts.duplicates ?? "error", opts.onWarning);
}

/** A mixture whose rows were renamed to a gene list's names (meetGenes). */
export interface GeneMeeting {
  mixture: Matrix;
  /** Every rename, "list's name ← mixture's name" (e.g. "HIST1H2BG ← H2BC8"), in list order. */
  renamed: string[];
  /** Absent list genes whose name belongs to several genes, "name (symbol, symbol)": never mapped. */
  ambiguous: string[];
}

/**
 * Rename mixture rows to the names a gene list (signature, gene sets) uses, where both name the same gene.
 * The two meet on current symbols: a listed previous name (LM22's HIST1H2BG) takes the row named by its
 * gene's current symbol (H2BC8), and a listed current symbol takes the one row named by a previous name of
 * that gene; two old names never meet (aliases such as "pk" are too loose for that). Only unambiguous
 * names count (currentSymbol). Rows named by another listed gene are never taken, and two listed names of
 * one gene are both left unmatched (no row can serve both). The table is read only when a listed gene is
 * absent.
 */
export function meetGenes(mixture: Matrix, wanted: Iterable<string>, table?: GeneTable): GeneMeeting {
  const listed = new Set(wanted);
  const at = new Map<string, number>();
  mixture.rows.forEach((r, i) => {
    if (!at.has(r)) at.set(r, i);
  });
  const absent = [...listed].filter((g) => !at.has(g));
  if (absent.length === 0) return { mixture, renamed: [], ambiguous: [] };
  const t = table ?? geneTable();
  const ambiguous = absent.filter((g) => !t.symbols.has(g) && t.ambiguous.has(g)).map((g) => `${g} (${t.ambiguous.get(g)!.join(", ")})`);
  const byCurrent = new Map<string, string[]>();
  const currentOf = new Map<string, string | undefined>();
  for (const g of absent) {
    const c = currentSymbol(g, t);
    currentOf.set(g, c);
    if (c !== undefined) byCurrent.set(c, [...(byCurrent.get(c) ?? []), g]);
  }
  // Rows named by a previous name of a gene that a listed current symbol wants.
  const oldNamed = new Map<string, number[]>();
  mixture.rows.forEach((r, i) => {
    if (listed.has(r) || t.symbols.has(r)) return;
    const c = currentSymbol(r, t);
    if (c !== undefined && byCurrent.has(c)) oldNamed.set(c, [...(oldNamed.get(c) ?? []), i]);
  });
  const rows = mixture.rows.slice();
  const renamed: string[] = [];
  for (const g of absent) {
    const c = currentOf.get(g);
    if (c === undefined || byCurrent.get(c)!.length > 1) continue;
    const candidates = g === c ? (oldNamed.get(c) ?? []) : at.has(c) && !listed.has(c) ? [at.get(c)!] : [];
    if (candidates.length !== 1) continue;
    const i = candidates[0];
    renamed.push(`${g} ← ${mixture.rows[i]}`);
    rows[i] = g;
  }
  if (renamed.length === 0) return { mixture, renamed, ambiguous };
  return { mixture: makeMatrix(rows, mixture.cols, mixture.data, mixture.rowHeader), renamed, ambiguous };
}

/** Merge rows with the same name (first occurrence keeps its place) by the reader's duplicate policies. */
function mergeByName(m: Matrix, policy: DuplicatePolicy, onWarning?: (message: string) => void): Matrix {
  const groups = rowGroups(m.rows);
  if (!groups) return m;
  const dups = [...groups].filter(([, rs]) => rs.length > 1);
  const list = dups
    .slice(0, SHOWN)
    .map(([g, rs]) => `${g} (${rs.length} rows)`)
    .join(", ");
  const what = `${dups.length} symbols occur more than once after Ensembl mapping: ${list}${dups.length > SHOWN ? ", …" : ""}`;
  if (policy === "error") throw new InputError(`${what}; merge them with --duplicates first|mean|max`);
  onWarning?.(`${what}; merged (${policy})`);
  return mergeRowGroups(m, groups, ROW_COMBINERS[policy]);
}

/** Where wanted genes are among a matrix's rows (first occurrence of a repeated row name). */
export interface GeneMatch {
  /** Per wanted gene, its row, or −1 when absent. */
  at: Int32Array;
  /** The wanted genes present, in wanted order. */
  found: string[];
  /** Their positions in `wanted`. */
  from: number[];
  /** Their rows. */
  rows: number[];
  /** The wanted genes absent, in wanted order: the basis of a method's coverage report. */
  missing: string[];
}

/** Match `wanted` genes (a signature's, a gene set's) against `rows` (a mixture's). */
export function matchGenes(wanted: readonly string[], rows: readonly string[]): GeneMatch {
  const first = new Map<string, number>();
  rows.forEach((g, i) => {
    if (!first.has(g)) first.set(g, i);
  });
  const m: GeneMatch = { at: new Int32Array(wanted.length), found: [], from: [], rows: [], missing: [] };
  wanted.forEach((g, k) => {
    const i = first.get(g);
    m.at[k] = i ?? -1;
    if (i === undefined) m.missing.push(g);
    else {
      m.found.push(g);
      m.from.push(k);
      m.rows.push(i);
    }
  });
  return m;
}
