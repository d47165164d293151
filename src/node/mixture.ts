// The mixture file(s) as CIBERSORT needs them, streamed (src/node/stream.ts): the CLI and the Node API's
// cibersort(path) read them here, so both hold only the signature's rows of a large cohort in memory.
import { accessSync, constants } from "node:fs";
import type { CibersortOptions } from "../core/cibersort/types.js";
import type { DuplicatePolicy, ReadOptions } from "../core/formats/read.js";
import { currentSymbol, currentSymbolIn, symbolMapper, toSymbols } from "../core/genes.js";
import { type Matrix, makeMatrix, selectRows } from "../core/matrix.js";
import { ANTILOG_MAX } from "../core/rbase.js";
import { cannotRead, readMatrixFile } from "./read.js";
import { checkSampleNames, combineMixtures, dropMissingGenes, mergeByGene, renameSamples } from "../core/mixtures.js";
import { mergeDuplicates } from "../core/formats/read.js";
import { type ColumnPick, type StreamResult, streamMatrixFile, wholeAsStream } from "./stream.js";
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
  /** Several files: --genes all (default) or intersect (mergeByGene). */
  genes?: "all" | "intersect";
  /** Smaller files are read by one thread (default: stream.ts's; tests set 0). */
  minParallelBytes?: number;
  /** A plan's shard: only these sample columns are read (stream.ts); the plan has the file's maximum. One file, no na or sampleNames. */
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

/** A file as the readers open it (a pipe copied, see pipe.ts) and its name in messages. */
interface Seekable {
  path: string;
  name: string;
}

/**
 * The mixture as CIBERSORT needs it from one or more files, with the same result, messages and warnings as
 * reading every file whole (readMatrixFile, then combineMixtures: merged by gene, samples renamed, symbols,
 * --na drop-gene). QN and sig.score use every gene: each file is streamed whole (no text held). Otherwise
 * only the rows that map to a signature gene are kept, plus the first three genes (prepare names them when
 * nothing matches); which genes are dropped, the merge's checks and the warnings come from every row's name
 * and maximum (NaN: a missing value), and `mixtureMax` carries the maximum of the rows not kept. A large
 * TSV/CSV is scanned on `threads` workers (stream.ts), with the same result. A path may be "-" (standard
 * input) or a pipe (see pipe.ts).
 */
export async function readCibersortMixture(
  paths: string | readonly string[],
  signature: Matrix,
  o: CibersortMixtureOptions,
): Promise<CibersortMixture> {
  const list = typeof paths === "string" ? [paths] : paths;
  if (o.pick && (list.length > 1 || o.na === "drop-gene" || o.sampleNames !== undefined)) {
    throw new RangeError("readCibersortMixture: a pick reads one file's own columns");
  }
  // As the whole read: a missing file is named before any file is read.
  if (list.length > 1) for (const p of list) readable(p);
  const open = (i: number, files: Seekable[]): Promise<CibersortMixture> =>
    i === list.length
      ? o.pick
        ? readPicked(files[0], signature, o)
        : readSeekable(files, signature, o)
      : withSeekable(list[i], {}, (path, name) => open(i + 1, [...files, { path, name }]));
  return open(0, []);
}

/** readCibersortMixture of files that can be read more than once. */
async function readSeekable(files: Seekable[], signature: Matrix, o: CibersortMixtureOptions): Promise<CibersortMixture> {
  const duplicates = o.duplicates ?? "error";
  const naDrop = o.na === "drop-gene";
  const ro = (f: Seekable): ReadOptions => ({ ...readOptions(o), name: f.name });
  const par = { threads: o.threads, minBytes: o.minParallelBytes };
  if (o.qn || o.absolute === "sig.score") {
    const parts: { name: string; matrix: Matrix }[] = [];
    for (const f of files) {
      const matrix = (await streamMatrixFile(f.path, ro(f), undefined, par))?.matrix ?? readMatrixFile(f.path, ro(f));
      parts.push({ name: f.name, matrix });
    }
    const v = { genes: o.genes, sampleNames: o.sampleNames, na: o.na, duplicates };
    const { matrix, dropped } = combineMixtures(parts, v, new Set(), o.onWarning);
    return { mixture: matrix, dropped };
  }
  const { name, named, keep } = signatureRows(signature, o.geneMatch);
  const readKept = async (keepRows: (gene: string) => boolean, onWarning: ReadOptions["onWarning"]) => {
    const rs: StreamResult[] = [];
    for (const f of files) {
      const fo = { ...ro(f), keepRows, onWarning };
      rs.push((await streamMatrixFile(f.path, fo, undefined, par)) ?? wholeAsStream(f.path, f.name, fo));
    }
    return rs;
  };
  let rs = await readKept(keep, o.onWarning);

  // The whole read's steps on names: each file's rows as a one-column shadow (NaN: a missing value), merged
  // by the duplicate policy and by gene, then mapped to symbols. A row is dropped for a NaN in the shadow
  // exactly when the whole mixture's row has one (first keeps the first row's; mean and max any row's).
  const shadows = rs.map((r, k) => {
    const flags = new Float64Array(r.rowMax.length);
    for (let i = 0; i < flags.length; i++) if (Number.isNaN(r.rowMax[i])) flags[i] = NaN;
    const file = files[k].name;
    const shadow = makeMatrix(r.genes, [String(k)], flags);
    return { name: file, matrix: r.distinct ? shadow : mergeDuplicates(shadow, duplicates, { file: "mixture" }, file, undefined) };
  });
  const renamed = o.sampleNames !== undefined && o.sampleNames !== "title";
  if (files.length > 1 && !renamed) checkSampleNames(rs.map((r, k) => ({ name: files[k].name, cols: r.matrix.cols })));
  const byGene = mergeByGene(shadows, o.genes === "intersect", true);
  // As combineMixtures: samples renamed, then toSymbols' warnings and duplicate error (from the names alone).
  const kept = () => renameSamples(keptByGene(rs, files), o.sampleNames);
  let mixture = kept();
  const symbols = toSymbols(byGene, { duplicates, onWarning: o.onWarning });
  mixture = toSymbols(mixture, { duplicates });
  const gone = new Set(naDrop ? dropMissingGenes(symbols).dropped : []);

  // Each symbol's maximum: known from the rows' maxima where one row of each file makes it; a symbol merged
  // from several rows and not kept is read again when the anti-log rule needs it (prepare takes its max).
  let max = -Infinity;
  const mergedAway: string[] = [];
  if (rs.length === 1 && !naDrop && symbols === byGene && byGene.rows.length === rs[0].genes.length) {
    // One file whose every row is a distinct gene under its own name: what the general loop below takes
    // (per symbol, one row; Math.max in any order) is the maximum of the rows' maxima.
    const rowMax = rs[0].rowMax;
    for (let i = 0; i < rowMax.length; i++) max = Math.max(max, rowMax[i]);
  } else {
    const inMixture = new Set(byGene.rows);
    const rows = new Map<string, number>();
    const maxOf = new Map<string, number>();
    for (const r of rs) {
      r.genes.forEach((g, i) => {
        if (!inMixture.has(g)) return;
        const s = name(g);
        rows.set(s, (rows.get(s) ?? 0) + 1);
        maxOf.set(s, Math.max(maxOf.get(s) ?? -Infinity, r.rowMax[i]));
      });
    }
    for (const s of symbols.rows) {
      if (gone.has(s)) continue;
      if (rows.get(s) === rs.length) max = Math.max(max, maxOf.get(s)!);
      else if (!named(s)) mergedAway.push(s);
    }
  }
  const extra = new Set((o.scale ?? "auto") === "auto" && max < ANTILOG_MAX ? mergedAway : []);
  // With --na drop-gene the whole mixture's first three genes may be later ones (prepare names them).
  for (const s of symbols.rows.filter((s) => !gone.has(s)).slice(0, 3)) if (!named(s)) extra.add(s);
  if (extra.size > 0) {
    rs = await readKept((g) => keep(g) || extra.has(name(g)), undefined);
    mixture = toSymbols(kept(), { duplicates });
  }
  if (!naDrop) return { mixture, mixtureMax: max, dropped: [] };
  const { dropped } = dropMissingGenes(symbols, o.onWarning);
  const left = mixture.rows.flatMap((s, i) => (gone.has(s) ? [] : [i]));
  return { mixture: left.length === mixture.rows.length ? mixture : selectRows(mixture, left), mixtureMax: max, dropped };
}

/** The kept rows of every file merged by gene (the rows every file kept, in the first file's order). */
function keptByGene(rs: StreamResult[], files: Seekable[]): Matrix {
  if (rs.length === 1) return rs[0].matrix;
  const has = rs.map((r) => new Set(r.matrix.rows));
  const first = rs[0].matrix;
  if (!first.rows.some((g) => has.every((h) => h.has(g)))) {
    return makeMatrix(
      [],
      rs.flatMap((r) => r.matrix.cols),
      new Float64Array(0),
      first.rowHeader,
    );
  }
  return mergeByGene(
    rs.map((r, k) => ({ name: files[k].name, matrix: r.matrix })),
    true,
    true,
  );
}

/**
 * The rows CIBERSORT needs, by symbol (`name`): the signature's genes, rows naming one of them by another
 * name (the registry renames those, meetGenes), and the first three genes seen (`keep` is called in file order).
 */
function signatureRows(signature: Matrix, geneMatch: CibersortMixtureOptions["geneMatch"]) {
  const name = symbolMapper();
  const sig = new Set(signature.rows);
  const sigGenes = new Set(geneMatch === "current" ? signature.rows.map((g) => currentSymbol(g)).filter((c) => c !== undefined) : []);
  const namesSigGene = sigGenes.size > 0 ? currentSymbolIn(sigGenes) : () => false;
  const firstGenes = new Set<string>();
  const named = (s: string) => sig.has(s) || firstGenes.has(s) || namesSigGene(s);
  const keep = (gene: string): boolean => {
    const s = name(gene);
    if (named(s)) return true;
    if (firstGenes.size >= 3) return false;
    firstGenes.add(s);
    return true;
  };
  return { name, named, keep };
}

function readOptions(o: CibersortMixtureOptions): ReadOptions {
  return { what: "mixture", duplicates: o.duplicates ?? "error", layout: o.layout, onWarning: o.onWarning, hdf5: o.hdf5, na: o.na };
}

/** A plan's shard of one file: only the picked columns are converted (QN and sig.score: of every row). */
async function readPicked(f: Seekable, signature: Matrix, o: CibersortMixtureOptions): Promise<CibersortMixture> {
  const ro: ReadOptions = { ...readOptions(o), name: f.name };
  const duplicates = o.duplicates ?? "error";
  const sym = { duplicates, onWarning: o.onWarning };
  const par = { threads: o.threads, minBytes: o.minParallelBytes };
  const every = o.qn || o.absolute === "sig.score";
  const r = await streamMatrixFile(
    f.path,
    every ? ro : { ...ro, keepRows: signatureRows(signature, o.geneMatch).keep },
    undefined,
    par,
    o.pick,
  );
  if (!r) {
    // Read whole (gzipped Parquet, an odd GCT), then picked.
    const m = readMatrixFile(f.path, ro);
    const columns = o.pick!(m.cols);
    const mixture = selectRows(
      m,
      m.rows.map((_, i) => i),
      columns,
    );
    return { mixture: toSymbols(mixture, sym), picked: { samples: m.cols.length, columns } };
  }
  if (every) return { mixture: toSymbols(r.matrix, sym), picked: r.picked };
  // toSymbols' warnings and duplicate error for the whole file come from the names alone.
  toSymbols(makeMatrix([...new Set(r.genes)], [], new Float64Array(0)), sym);
  return { mixture: toSymbols(r.matrix, { duplicates }), picked: r.picked };
}

/** A mixture file that cannot be read, named as readMixtureFiles names it. */
function readable(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    throw cannotRead(e, { what: "mixture" }, path);
  }
}
