/**
 * What the core needs from the program it runs in and cannot do with plain JavaScript alone: the bytes of
 * the bundled data files (data/), gzip inflation, apache-arrow (loaded on first use) and the compiled Wasm
 * module. The core reads no file, no environment and no URL itself; a host installs these once
 * (src/node/host.ts reads data/ with fs and inflates with node:zlib; src/browser/host.ts serves files it
 * fetched beforehand and compiles the Wasm asset). Functions that take the data as an argument (gene
 * sets, a TIL10, a Wasm instance) never touch the host.
 */
import { InputError } from "./errors.js";
import { isGzip } from "./formats/gzip.js";
import type { H5Lib } from "./formats/hdf5.js";

/** The apache-arrow module (a type only: the core never loads it itself). */
export type ArrowLibrary = typeof import("apache-arrow");

/**
 * hyparquet and its codecs (types only: the core never loads them itself). Loading them takes ~100–150 ms, so
 * a host loads them when Parquet is first read, not with the core.
 */
export interface ParquetLibrary {
  parquetMetadata: typeof import("hyparquet").parquetMetadata;
  parquetSchema: typeof import("hyparquet").parquetSchema;
  parquetHeader: typeof import("hyparquet/src/column.js").parquetHeader;
  readColumn: typeof import("hyparquet/src/column.js").readColumn;
  DEFAULT_PARSERS: typeof import("hyparquet/src/convert.js").DEFAULT_PARSERS;
  compressors: typeof import("hyparquet-compressors").compressors;
}

/** Which Wasm build to load: the release build (SIMD) by default, the debug build (assertions) on request. */
export type CoreFlavor = "release" | "debug";

export interface Host {
  /** A bundled data file by its path under data/ (e.g. "til10/TIL10_signature.tsv"). */
  dataFile(path: string): Uint8Array;
  /**
   * Inflate gzip members (RFC 1952), throwing a RangeError past `maxOutputLength` bytes; absent where only
   * asynchronous inflation exists (the browser).
   */
  gunzip?(bytes: Uint8Array, maxOutputLength?: number): Uint8Array;
  /** Inflate a zlib stream (RFC 1950), at most `maxOutputLength` bytes. */
  inflate?(bytes: Uint8Array, maxOutputLength?: number): Uint8Array;
  /** apache-arrow, loaded on first use (Arrow IPC input and output); absent until the host has it. */
  arrow?(): ArrowLibrary;
  /** hyparquet and its codecs, loaded on first use (Parquet input); absent until the host has them. */
  parquet?(): ParquetLibrary;
  /** h5wasm, ready (HDF5 input); absent until the host has loaded it (asynchronously). */
  hdf5?(): H5Lib | undefined;
  /**
   * The gene table's index as the build wrote it (build/human_genes.index, scripts/gene-index.mjs), if the
   * host has it; genes.ts uses it only when it was made from the bundled table's very bytes.
   */
  geneIndex?(): Uint8Array | undefined;
  /** The compiled Wasm core of the given build. */
  wasmModule(flavor: CoreFlavor): Promise<WebAssembly.Module>;
  /**
   * A Wasm instance made synchronously, where the host allows it (Node; a browser's main thread may refuse a
   * large module): a short run then does not wait for the asynchronous instantiation's round trip.
   */
  instantiate?(module: WebAssembly.Module, imports: WebAssembly.Imports): WebAssembly.Instance;
}

let installed: Host | undefined;

/** Install the host (a later call replaces it: the last host wins). */
export function installHost(h: Host): void {
  installed = h;
}

/** The installed host's synchronous Wasm instantiation, if it has one (none when no host is installed). */
export function hostInstantiate(): Host["instantiate"] {
  return installed?.instantiate;
}

/** The installed host; importing "cellfrac" (Node) or "cellfrac/browser" installs one. */
export function host(): Host {
  if (!installed) throw new Error("cellfrac: no host installed (import cellfrac, cellfrac/browser or src/node/host.js first)");
  return installed;
}

/** The host's apache-arrow. */
export function arrowLibrary(): ArrowLibrary {
  const a = host().arrow;
  if (!a) throw new Error("cellfrac: this host has no apache-arrow loaded (the browser loads it in parseMatrixBytes: preloadArrow)");
  return a();
}

/** The host's hyparquet. */
export function parquetLibrary(): ParquetLibrary {
  const p = host().parquet;
  if (!p) throw new Error("cellfrac: this host has no Parquet reader loaded (the browser loads it in parseMatrixBytes: preloadParquet)");
  return p();
}

/** A bundled data file as UTF-8 text. */
export function dataText(path: string): string {
  return new TextDecoder("utf-8").decode(host().dataFile(path));
}

function syncGunzip(): (bytes: Uint8Array, maxOutputLength?: number) => Uint8Array {
  const g = host().gunzip;
  if (!g) throw new Error("cellfrac: this host has no synchronous gunzip: inflate the bytes before parsing");
  return g;
}

/** The host's synchronous gunzip (an Error where the host has none: the browser inflates before parsing). */
export function gunzipSync(bytes: Uint8Array, maxOutputLength?: number): Uint8Array {
  return syncGunzip()(bytes, maxOutputLength);
}

/** Gzip bytes inflated (corrupt data: an InputError naming `file`); other bytes as they are. */
export function gunzipIfGzip(bytes: Uint8Array, file?: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const gunzip = syncGunzip();
  try {
    return gunzip(bytes);
  } catch (e) {
    throw new InputError(`corrupt gzip data: ${(e as Error).message}`, { file });
  }
}
