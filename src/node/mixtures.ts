// The mixture of a run from one or more files (src/core/mixtures.ts has the rules): one plain table with
// the default options is streamed as before (stream.ts, mixture.ts); quantifier outputs, GEO series
// matrices, several files, --sample-names and --na drop-gene read each file whole (quantifier files are
// one sample each; a merge needs every file's genes).
import { accessSync, closeSync, constants as fs, openSync, readFileSync, readSync } from "node:fs";
import { constants, gunzipSync } from "node:zlib";
import { gunzipBounded, parseMatrix } from "../core/formats/read.js";
import { isGzip } from "../core/formats/gzip.js";
import { isQuantLike, parseIdMap } from "../core/formats/quant.js";
import type { Matrix } from "../core/matrix.js";
import { combineMixtures, mixtureReadOptions, quantOptions, wantsWholeRead } from "../core/mixtures.js";
import { checkValue, type FileRef, keyOf, type OptionValues } from "../core/registry.js";
import { MIXTURE_OPTIONS } from "../core/mixtures.js";
import { cannotRead, readFileBytes } from "./read.js";

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
  return !isQuantLike(headText(paths[0]), paths[0]);
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
 * Every file read whole and merged by gene, samples renamed, Ensembl IDs mapped to symbols, and (--na
 * drop-gene) genes with a missing value dropped. `onNote` gets what the reading did (TPM computed, …).
 */
export function readMixtureFiles(
  paths: readonly string[],
  v: OptionValues,
  onWarning?: (m: string) => void,
  onNote: ((m: string) => void) | undefined = onWarning,
): MixtureRead {
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
  const ro = mixtureReadOptions(v, { ...quantOptions(v, maps, onNote), onUse: (o) => used.add(o) }, onWarning);
  const parts = paths.map((p) => ({ name: p, matrix: parseMatrix(bytes(p), { ...ro, name: p }) }));
  return combineMixtures(parts, v, used, onWarning);
}
