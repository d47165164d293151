// The gene table parser as it was before the index (commit edcdda7): Sets and Maps of every name. The oracle of
// test/gene-index.test.ts and the baseline of bench/gene-table.ts.
import type { GeneTable } from "../../src/core/genes.js";

/** parseGeneTable as it was before the index (commit edcdda7): Sets and Maps of every name. */
export function formerParse(text: string): GeneTable {
  const symbols = new Set<string>();
  const ensembl = new Map<string, string>();
  const other = new Map<string, string>();
  const ambiguous = new Map<string, string[]>();
  const add = (m: Map<string, string>, key: string, symbol: string) => {
    const several = ambiguous.get(key);
    if (several) {
      if (!several.includes(symbol)) several.push(symbol);
      return;
    }
    const first = m.get(key);
    if (first === undefined) m.set(key, symbol);
    else if (first !== symbol) {
      m.delete(key);
      ambiguous.set(key, [first, symbol]);
    }
  };
  let start = text.indexOf("\n") + 1;
  while (start > 0 && start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const [symbol, ens, names] = text.slice(start, text[end - 1] === "\r" ? end - 1 : end).split("\t");
    start = end + 1;
    if (!symbol) continue;
    symbols.add(symbol);
    if (ens) for (const id of ens.split(",")) add(ensembl, id, symbol);
    if (names) for (const n of names.split(",")) add(other, n, symbol);
  }
  for (const s of symbols) {
    other.delete(s);
    ambiguous.delete(s);
  }
  return { symbols, ensembl, other, ambiguous };
}
