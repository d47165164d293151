// The mixture of a run from one or more files (src/core/mixtures.ts has the rules): one plain table with
// the default options is streamed as before (stream.ts, mixture.ts); with several files, --sample-names or
// --na drop-gene every file's rows are read, a plain table still through the stream (no text held, cells
// scanned on workers), quantifier outputs and GEO series matrices whole (they are small or need every line).
import { accessSync, closeSync, constants as fs, openSync, readFileSync, readSync, statSync } from "node:fs";
import { constants, gunzipSync } from "node:zlib";
import { gunzipBounded, parseMatrix, type ReadOptions, roleError } from "../core/formats/read.js";
import { isGzip } from "../core/formats/gzip.js";
import { isQuantLike, parseIdMap } from "../core/formats/quant.js";
import type { Matrix } from "../core/matrix.js";
import { combineMixtures, mixtureReadOptions, quantOptions, wantsWholeRead } from "../core/mixtures.js";
import { checkValue, type FileRef, keyOf, type OptionValues } from "../core/registry.js";
import { MIXTURE_OPTIONS } from "../core/mixtures.js";
import { InputError } from "../core/errors.js";
import type { Hdf5Options } from "../core/formats/hdf5.js";
import { host } from "../core/host.js";
import { toSymbols } from "../core/genes.js";
import { cannotRead, readFileBytes } from "./read.js";
import { hdf5Options, isHdf5Path, notHdf5, readHdf5Path } from "./hdf5.js";
import { loadHdf5 } from "./host.js";
import { readMatrixStreamed, streamMatrixFile } from "./stream.js";

export interface MixtureRead {
  /** Genes (symbols) × samples. */
  matrix: Matrix;
  /** --na drop-gene: the genes dropped for a missing value. */
  dropped: string[];
}

const HEAD = 1 << 16;

/** The first 64 KiB of a file as text (inflated when gzipped); "" when it cannot be read (the reader says why). */
function headText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return "";
  }
  try {
    const buf = new Uint8Array(HEAD);
    const n = readSync(fd, buf, 0, HEAD, 0);
    let b = buf.subarray(0, n);
    if (isGzip(b)) {
      try {
        b = gunzipSync(b, { finishFlush: constants.Z_SYNC_FLUSH });
      } catch {
        return "";
      }
    }
    return new TextDecoder("utf-8").decode(b.subarray(0, HEAD));
  } catch {
    return "";
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `paths` with options `v` can take the streamed path of one plain table: one file, default mixture
 * options, and a file that is no quantifier output or GEO series matrix (a table with an annotation column
 * such as Length is refused here).
 */
export function streamable(paths: readonly string[], v: Readonly<Record<string, unknown>>): boolean {
  if (paths.length !== 1 || wantsWholeRead(v)) return false;
  try {
    return !isQuantLike(headText(paths[0]), paths[0]);
  } catch (e) {
    throw roleError(e, { what: "mixture" }); // named as every other mixture error
  }
}

/**
 * streamable for each of one or more files, --na and --sample-names allowed: CIBERSORT's reader merges the
 * files and applies those as it streams (readCibersortMixture).
 */
export function streamableRows(paths: readonly string[], v: Readonly<Record<string, unknown>>): boolean {
  const rest = { ...v, na: undefined, sampleNames: undefined };
  return paths.length > 0 && paths.every((p) => streamable([p], rest));
}

/** Whether one file of several is a plain table that the stream reads as parseMatrix does (else it is read whole). */
function plainTable(path: string): boolean {
  try {
    return statSync(path).isFile() && !isHdf5Path(path) && !isQuantLike(headText(path), path);
  } catch {
    return false; // the whole-file read says what is wrong
  }
}

/** The API's mixture options checked as the CLI's (UsageError for a bad one), with defaults; duplicates kept. */
export function mixtureValues(raw: Readonly<Record<string, unknown>>): OptionValues {
  const v: OptionValues = { duplicates: (raw.duplicates as string | undefined) ?? "error" };
  for (const o of MIXTURE_OPTIONS) {
    const key = keyOf(o.name);
    v[key] = checkValue(o, raw[key]) ?? o.default;
  }
  return v;
}

/** An ID table option (--tx2gene, --probe-map): a path or the page's/API's bytes. */
function idMap(ref: FileRef | undefined, what: string): Map<string, string> | undefined {
  if (ref === undefined) return undefined;
  const name = typeof ref === "string" ? ref : ref.name;
  let bytes = typeof ref === "string" ? readFileBytes(ref, `${what} file`) : ref.bytes;
  if (isGzip(bytes)) bytes = gunzipBounded(bytes, name);
  return parseIdMap(new TextDecoder("utf-8").decode(bytes), name);
}

/**
 * The mixture of a run from its paths, as every command reads it: one plain table or HDF5 file streamed
 * (readMatrixStreamed: a gzip bomb or an endless line is refused within a line's memory, HDF5 read block by
 * block), else every file read and merged (loadMixtureFiles). `hdf5`: default the options' --transpose, ….
 */
export async function readMixturePaths(
  paths: readonly string[],
  v: OptionValues,
  onWarning?: (m: string) => void,
  onNote: ((m: string) => void) | undefined = onWarning,
  hdf5: Hdf5Options | undefined = hdf5Options(v),
): Promise<MixtureRead> {
  if (!streamable(paths, v)) return loadMixtureFiles(paths, v, onWarning, onNote, hdf5);
  const duplicates = v.duplicates as ReadOptions["duplicates"];
  const layout = v.layout as ReadOptions["layout"];
  const whole = await readMatrixStreamed(paths[0], { what: "mixture", duplicates, layout, onWarning, hdf5 });
  return { matrix: toSymbols(whole, { duplicates, onWarning }), dropped: [] };
}

/**
 * readMixtureFiles, h5wasm loaded first when a file is HDF5 (it loads asynchronously), and each plain table
 * (TSV/CSV/GCT/Arrow/Parquet, plain or gzipped) read through the stream: its cells scanned on workers, its text
 * never held; same matrix, messages and warnings.
 */
export async function loadMixtureFiles(
  paths: readonly string[],
  v: OptionValues,
  onWarning?: (m: string) => void,
  onNote: ((m: string) => void) | undefined = onWarning,
  hdf5: Hdf5Options | undefined = hdf5Options(v),
): Promise<MixtureRead> {
  if (paths.some(isHdf5Path)) await loadHdf5();
  const r = mixtureReader(paths, v, onWarning, onNote, hdf5);
  const parts: { name: string; matrix: Matrix }[] = [];
  for (const p of paths) {
    const streamed = plainTable(p) ? await streamMatrixFile(p, { ...r.ro, name: p }) : null;
    parts.push({ name: p, matrix: streamed ? streamed.matrix : r.read(p) });
  }
  return r.combine(parts);
}

/**
 * Every file read whole (HDF5: block by block, once h5wasm is loaded) and merged by gene, samples renamed,
 * Ensembl IDs mapped to symbols, and (--na drop-gene) genes with a missing value dropped. `onNote` gets what
 * the reading did (TPM computed, …).
 */
export function readMixtureFiles(
  paths: readonly string[],
  v: OptionValues,
  onWarning?: (m: string) => void,
  onNote: ((m: string) => void) | undefined = onWarning,
  hdf5: Hdf5Options | undefined = hdf5Options(v),
): MixtureRead {
  const r = mixtureReader(paths, v, onWarning, onNote, hdf5);
  return r.combine(paths.map((p) => ({ name: p, matrix: r.read(p) })));
}

/**
 * What reading the files of a run takes, checked in the order messages name problems: the mixtures exist,
 * then the ID tables are read. `read` reads one file whole, `combine` merges the files read.
 */
function mixtureReader(
  paths: readonly string[],
  v: OptionValues,
  onWarning: ((m: string) => void) | undefined,
  onNote: ((m: string) => void) | undefined,
  hdf5: Hdf5Options | undefined,
) {
  // The mixtures first: a missing mixture is named before any option's file (then read one at a time).
  const bytes = (p: string) => {
    try {
      return readFileSync(p);
    } catch (e) {
      throw cannotRead(e, { what: "mixture" }, p);
    }
  };
  for (const p of paths) {
    try {
      accessSync(p, fs.R_OK);
    } catch (e) {
      throw cannotRead(e, { what: "mixture" }, p);
    }
  }
  const maps = {
    tx2gene: idMap(v.tx2gene as FileRef | undefined, "--tx2gene"),
    probeMap: idMap(v.probeMap as FileRef | undefined, "--probe-map"),
  };
  const used = new Set<string>();
  const quant = { ...quantOptions(v, maps, onNote), onUse: (o: "value" | "tx2gene" | "probe-map") => used.add(o) };
  const ro: ReadOptions = mixtureReadOptions(v, quant, onWarning, hdf5);
  const read = (p: string): Matrix => {
    if (!isHdf5Path(p)) {
      notHdf5(ro, p);
      return parseMatrix(bytes(p), { ...ro, name: p });
    }
    const lib = host().hdf5?.();
    if (!lib) throw new InputError(`an HDF5 file: h5wasm is not loaded; read it with loadMixture (asynchronous)`, { file: p });
    try {
      return readHdf5Path(lib, p, p, { ...ro, name: p }).matrix;
    } catch (e) {
      throw roleError(e, ro);
    }
  };
  const combine = (parts: { name: string; matrix: Matrix }[]) => combineMixtures(parts, v, used, onWarning);
  return { ro, read, combine };
}
