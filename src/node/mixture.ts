// The mixture file as CIBERSORT needs it, streamed (src/node/stream.ts): the CLI and the Node API's
// cibersort(path) read it here, so both hold only the signature's rows of a large cohort in memory.
import type { CibersortOptions } from "../core/cibersort/types.js";
import type { DuplicatePolicy, ReadOptions } from "../core/formats/read.js";
import { currentSymbol, currentSymbolIn, symbolMapper, toSymbols } from "../core/genes.js";
import { type Matrix, makeMatrix, selectRows } from "../core/matrix.js";
import { ANTILOG_MAX } from "../core/rbase.js";
import { readMatrixFile } from "./read.js";
import { type ColumnPick, type StreamResult, streamMatrixFile } from "./stream.js";
import { withSeekable } from "./pipe.js";

/** What decides which rows are kept and how they are merged (as the run's options say). */
export interface CibersortMixtureOptions extends Pick<CibersortOptions, "qn" | "absolute" | "scale" | "onWarning" | "threads"> {
  duplicates?: DuplicatePolicy;
  layout?: ReadOptions["layout"];
  hdf5?: ReadOptions["hdf5"];
  /** "current" (the CLI's default): also keep rows naming a signature gene by another name; else exact names. */
  geneMatch?: "current" | "exact";
  /** Smaller files are read by one thread (default: stream.ts's; tests set 0). */
  minParallelBytes?: number;
  /** A plan's shard: only these sample columns are read (stream.ts); the plan has the file's maximum. */
  pick?: ColumnPick;
}

/** The mixture read; with a pick, only the picked columns, and `mixtureMax` is not the file's. */
export interface CibersortMixture {
  mixture: Matrix;
  mixtureMax?: number;
  picked?: StreamResult["picked"];
}

/**
 * The mixture as CIBERSORT needs it, with the same result, messages and warnings as reading the whole file
 * (readMatrixFile + toSymbols). QN and sig.score use every gene: the file is streamed whole (no text held).
 * Otherwise only the rows that map to a signature gene are kept, plus the first three genes (prepare names
 * them when nothing matches), and `mixtureMax` carries the file's maximum after duplicate merging.
 * A large TSV/CSV is scanned on `threads` workers (stream.ts), with the same result.
 * `path` may be "-" (standard input) or a pipe (see pipe.ts).
 */
export async function readCibersortMixture(path: string, signature: Matrix, o: CibersortMixtureOptions): Promise<CibersortMixture> {
  return withSeekable(path, {}, (p, file) => readSeekable(p, file, signature, o));
}

/** readCibersortMixture of a file that can be read more than once; messages name `file`. */
async function readSeekable(path: string, file: string, signature: Matrix, o: CibersortMixtureOptions): Promise<CibersortMixture> {
  const duplicates = o.duplicates ?? "error";
  const ro: ReadOptions = { what: "mixture", name: file, duplicates, layout: o.layout, onWarning: o.onWarning, hdf5: o.hdf5 };
  const sym = { duplicates, onWarning: o.onWarning };
  const par = { threads: o.threads, minBytes: o.minParallelBytes };
  // Read whole (gzipped Parquet, an odd GCT): then picked here.
  const whole = (): CibersortMixture => {
    const m = readMatrixFile(path, ro);
    if (!o.pick) return { mixture: toSymbols(m, sym) };
    const columns = o.pick(m.cols);
    const mixture = selectRows(
      m,
      m.rows.map((_, i) => i),
      columns,
    );
    return { mixture: toSymbols(mixture, sym), picked: { samples: m.cols.length, columns } };
  };
  if (o.qn || o.absolute === "sig.score") {
    const all = await streamMatrixFile(path, ro, undefined, par, o.pick);
    return all ? { mixture: toSymbols(all.matrix, sym), picked: all.picked } : whole();
  }
  const name = symbolMapper();
  const sig = new Set(signature.rows);
  // The registry renames rows that name a signature gene by another name (meetGenes): they are kept too.
  const sigGenes = new Set(o.geneMatch === "current" ? signature.rows.map((g) => currentSymbol(g)).filter((c) => c !== undefined) : []);
  const namesSigGene = sigGenes.size > 0 ? currentSymbolIn(sigGenes) : () => false;
  const firstGenes = new Set<string>();
  const keep = (gene: string): boolean => {
    const s = name(gene);
    if (sig.has(s) || firstGenes.has(s) || namesSigGene(s)) return true;
    if (firstGenes.size >= 3) return false;
    firstGenes.add(s);
    return true;
  };
  const r = await streamMatrixFile(path, { ...ro, keepRows: keep }, undefined, par, o.pick);
  if (!r) return whole();
  // toSymbols' warnings and duplicate error for the whole file come from the names alone.
  toSymbols(makeMatrix([...new Set(r.genes)], [], new Float64Array(0)), sym);
  let mixture = toSymbols(r.matrix, { duplicates });

  // Rows merged with others (same gene, or same symbol after mapping) change the maximum; every other row
  // enters the whole mixture unchanged.
  const count = new Map<string, number>();
  for (const g of r.genes) {
    const s = name(g);
    count.set(s, (count.get(s) ?? 0) + 1);
  }
  const stored = new Set(r.matrix.rows);
  let max = -Infinity;
  let mergedAway = false;
  r.genes.forEach((g, i) => {
    if (count.get(name(g))! > 1) mergedAway ||= !stored.has(g);
    else if (r.rowMax[i] > max) max = r.rowMax[i];
  });
  if (r.picked) return { mixture, picked: r.picked };
  if (mergedAway && (o.scale ?? "auto") === "auto" && max < ANTILOG_MAX) {
    // The merged rows decide the anti-log rule: read again keeping them too (prepare takes their max).
    const merged = new Set([...count].filter(([, n]) => n > 1).map(([s]) => s));
    const keepMerged = (g: string) => keep(g) || merged.has(name(g));
    const again = await streamMatrixFile(
      path,
      { what: "mixture", name: file, duplicates, layout: o.layout, hdf5: o.hdf5, keepRows: keepMerged },
      undefined,
      par,
    );
    mixture = toSymbols(again!.matrix, { duplicates });
  }
  return { mixture, mixtureMax: max };
}
