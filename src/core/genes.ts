// Gene identifiers: rows named by Ensembl gene ID are mapped to the symbols our signatures and gene sets
// use (bundled table data/identifiers/ensembl_symbols.tsv); symbols are otherwise matched as given,
// case-sensitively (CD4 and Cd4 are different genes in different species).
import { InputError } from "./errors.js";
import type { DuplicatePolicy } from "./formats/read.js";
import { dataText } from "./host.js";
import { type Matrix, makeMatrix, mergeRowGroups, ROW_COMBINERS, rowGroups } from "./matrix.js";

/** The bundled Ensembl → symbol table under data/ (two columns with a header: ensembl_gene_id, symbol). */
export const ENSEMBL_TABLE_FILE = "identifiers/ensembl_symbols.tsv";

/**
 * A human Ensembl gene ID: ENSG + 11 digits, optionally ".version" (GENCODE, GTEx, TCGA) and GENCODE's
 * "_PAR_Y" suffix for the copy of a pseudo-autosomal gene on chromosome Y.
 */
const ENSEMBL_ID = /^(ENSG\d{11})(?:\.\d+)?(?:_PAR_Y)?$/;

/** How many unmapped IDs a warning lists before "…". */
const SHOWN = 10;

/** The stable ID (no version, no _PAR_Y), or undefined when `name` is not an Ensembl gene ID. */
export function ensemblStableId(name: string): string | undefined {
  return ENSEMBL_ID.exec(name)?.[1];
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

let bundled: Map<string, string> | undefined;

/** Stable Ensembl gene ID → symbol, read once from the bundled table (through the host). */
export function ensemblSymbols(): Map<string, string> {
  bundled ??= parseIdTable(dataText(ENSEMBL_TABLE_FILE));
  return bundled;
}

export function parseIdTable(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split("\n").slice(1)) {
    const [id, symbol] = line.split("\t");
    if (id && symbol) map.set(id, symbol.trim());
  }
  return map;
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
  opts.onWarning?.(
    `${nIds} rows named by Ensembl gene ID: ${nIds - unmapped.length} mapped to symbols with the bundled table` +
      (unmapped.length ? `, ${unmapped.length} not in it (kept as IDs; they match no signature gene): ${shown}` : ""),
  );
  return mergeByName(makeMatrix(rows, m.cols, m.data, m.rowHeader), opts.duplicates ?? "error", opts.onWarning);
}

/** Merge rows with the same name (first occurrence keeps its place) by the reader's duplicate policies. */
function mergeByName(m: Matrix, policy: DuplicatePolicy, onWarning?: (message: string) => void): Matrix {
  const groups = rowGroups(m.rows);
  if (!groups) return m;
  const dups = [...groups].filter(([, rs]) => rs.length > 1);
  const list = dups.slice(0, SHOWN).map(([g, rs]) => `${g} (${rs.length} rows)`).join(", ");
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
