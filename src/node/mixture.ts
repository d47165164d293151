// The mixture file as CIBERSORT needs it, streamed (src/node/stream.ts): the CLI and the Node API's
// cibersort(path) read it here, so both hold only the signature's rows of a large cohort in memory.
import type { CibersortOptions } from "../core/cibersort/types.js";
import type { DuplicatePolicy, ReadOptions } from "../core/formats/read.js";
import { currentSymbol, symbolMapper, toSymbols } from "../core/genes.js";
import { type Matrix, makeMatrix, selectRows } from "../core/matrix.js";
import { ANTILOG_MAX } from "../core/rbase.js";
import { readMatrixFile } from "./read.js";
import { dropMissingGenes, renameSamples } from "../core/mixtures.js";
import { type ColumnPick, type StreamResult, streamMatrixFile } from "./stream.js";
import { withSeekable } from "./pipe.js";

/** What decides which rows are kept and how they are merged (as the run's options say). */
export interface CibersortMixtureOptions extends Pick<CibersortOptions, "qn" | "absolute" | "scale" | "onWarning" | "threads"> {
  duplicates?: DuplicatePolicy;
  layout?: ReadOptions["layout"];
  hdf5?: ReadOptions["hdf5"];
  /** "current" (the CLI's default): also keep rows naming a signature gene by another name; else exact names. */
  geneMatch?: "current" | "exact";
  /** --na drop-gene: genes with a missing value are dropped (and listed) as combineMixtures drops them. */
  na?: "error" | "drop-gene";
  /** --sample-names A,B,… (renameSamples; "title" names nothing in a table). */
  sampleNames?: string;
  /** Smaller files are read by one thread (default: stream.ts's; tests set 0). */
  minParallelBytes?: number;
  /** A plan's shard: only these sample columns are read (stream.ts); the plan has the file's maximum. Not with na or sampleNames. */
  pick?: ColumnPick;
}

/** The mixture read; with a pick, only the picked columns, and `mixtureMax` is not the file's. */
export interface CibersortMixture {
  mixture: Matrix;
  mixtureMax?: number;
  picked?: StreamResult["picked"];
  /** --na drop-gene: every gene dropped for a missing value (not only the kept rows'). */
  dropped?: string[];
}

/**
 * The mixture as CIBERSORT needs it, with the same result, messages and warnings as reading the whole file
 * (readMatrixFile, then combineMixtures' renaming, symbols and --na drop-gene). QN and sig.score use every
 * gene: the file is streamed whole (no text held). Otherwise only the rows that map to a signature gene are
 * kept, plus the first three genes (prepare names them when nothing matches) and (--na drop-gene) the rows
 * with a missing value, whose genes are dropped; `mixtureMax` carries the maximum of the file's other rows
 * after duplicate merging. A large TSV/CSV is scanned on `threads` workers (stream.ts), with the same result.
 * `path` may be "-" (standard input) or a pipe (see pipe.ts).
 */
export async function readCibersortMixture(path: string, signature: Matrix, o: CibersortMixtureOptions): Promise<CibersortMixture> {
  if (o.pick && (o.na === "drop-gene" || o.sampleNames !== undefined))
    throw new RangeError("readCibersortMixture: a pick reads raw columns");
  return withSeekable(path, {}, (p, file) => readSeekable(p, file, signature, o));
}

/** readCibersortMixture of a file that can be read more than once; messages name `file`. */
async function readSeekable(path: string, file: string, signature: Matrix, o: CibersortMixtureOptions): Promise<CibersortMixture> {
  const duplicates = o.duplicates ?? "error";
  const naDrop = o.na === "drop-gene";
  const ro: ReadOptions = { what: "mixture", name: file, duplicates, layout: o.layout, onWarning: o.onWarning, hdf5: o.hdf5, na: o.na };
  const sym = { duplicates, onWarning: o.onWarning };
  const par = { threads: o.threads, minBytes: o.minParallelBytes };
  // Every row read: named, mapped to symbols and dropped as combineMixtures does.
  const shaped = (m: Matrix): CibersortMixture => {
    const mixture = toSymbols(renameSamples(m, o.sampleNames), sym);
    if (!naDrop) return { mixture };
    const d = dropMissingGenes(mixture, o.onWarning);
    return { mixture: d.matrix, dropped: d.dropped };
  };
  // Read whole (gzipped Parquet, an odd GCT): then picked here.
  const whole = (): CibersortMixture => {
    const m = readMatrixFile(path, ro);
    if (!o.pick) return shaped(m);
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
    if (!all) return whole();
    return all.picked ? { mixture: toSymbols(all.matrix, sym), picked: all.picked } : shaped(all.matrix);
  }
  const name = symbolMapper();
  const sig = new Set(signature.rows);
  // The registry renames rows that name a signature gene by another name (meetGenes): they are kept too.
  const sigGenes = new Set(o.geneMatch === "current" ? signature.rows.map((g) => currentSymbol(g)).filter((c) => c !== undefined) : []);
  const firstGenes = new Set<string>();
  const named = (s: string) => sig.has(s) || firstGenes.has(s) || (sigGenes.size > 0 && sigGenes.has(currentSymbol(s) ?? ""));
  const keep = (gene: string): boolean => {
    const s = name(gene);
    if (named(s)) return true;
    if (firstGenes.size >= 3) return false;
    firstGenes.add(s);
    return true;
  };
  let r = await streamMatrixFile(path, { ...ro, keepRows: keep }, undefined, par, o.pick);
  if (!r) return whole();
  // As combineMixtures: samples renamed, then toSymbols' warnings and duplicate error for the whole file,
  // which come from the names alone.
  let mixture = renameSamples(r.matrix, o.sampleNames);
  toSymbols(makeMatrix([...new Set(r.genes)], [], new Float64Array(0)), sym);
  mixture = toSymbols(mixture, { duplicates });

  // Rows merged with others (same gene, or same symbol after mapping) change the maximum; every other row
  // enters the whole mixture unchanged (or, with a missing value, is dropped: its rowMax is NaN). A merged
  // symbol not kept by name is not stored, or (--na drop-gene) only its rows with a missing value are.
  const count = new Map<string, number>();
  for (const g of r.genes) {
    const s = name(g);
    count.set(s, (count.get(s) ?? 0) + 1);
  }
  let max = -Infinity;
  let mergedAway = false;
  let missingMerged = false;
  r.genes.forEach((g, i) => {
    const s = name(g);
    if (count.get(s)! > 1) {
      if (named(s)) return;
      mergedAway = true;
      missingMerged ||= Number.isNaN(r!.rowMax[i]);
    } else if (r!.rowMax[i] > max) max = r!.rowMax[i];
  });
  if (r.picked) return { mixture, picked: r.picked };
  // Rows read again too, when the rows read do not decide: merged rows when they decide the anti-log rule
  // (prepare takes their max) or a missing value in them (--duplicates first keeps only the first); and
  // with --na drop-gene the whole mixture's first three genes left (prepare names them).
  const merged = new Set([...count].filter(([, n]) => n > 1).map(([s]) => s));
  const needMerged = mergedAway && (((o.scale ?? "auto") === "auto" && max < ANTILOG_MAX) || missingMerged);
  const extra = new Set<string>(needMerged ? merged : []);
  const genes = naDrop ? [...new Set(r.genes.map(name))] : [];
  for (;;) {
    if (extra.size > 0) {
      const keepAlso = (g: string) => keep(g) || extra.has(name(g));
      r = (await streamMatrixFile(path, { ...ro, onWarning: undefined, keepRows: keepAlso }, undefined, par))!;
      mixture = toSymbols(renameSamples(r.matrix, o.sampleNames), { duplicates });
    }
    if (!naDrop) return { mixture, mixtureMax: max };
    const { dropped } = dropMissingGenes(mixture, undefined, genes.length);
    const gone = new Set(dropped);
    const has = new Set(mixture.rows);
    const first = genes.filter((g) => !gone.has(g)).slice(0, 3);
    if (first.every((g) => has.has(g))) {
      const d = dropMissingGenes(mixture, o.onWarning, genes.length);
      return { mixture: d.matrix, mixtureMax: max, dropped: d.dropped };
    }
    for (const g of first) extra.add(g);
  }
}
