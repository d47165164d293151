// The Node host of the core (see src/core/host.ts): bundled data from the package's data/ folder, gzip
// and zlib from node:zlib, apache-arrow when first needed, the Wasm core compiled from build/*.wasm (once per
// build and thread).
// Installed when this module loads; every Node entry point (API, CLI, fit worker) imports it first.
import { Buffer } from "node:buffer";
import { closeSync, fstatSync, openSync, read, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { gunzipSync, inflateSync } from "node:zlib";
import { type CoreFlavor, installHost, type ParquetLibrary } from "../core/host.js";
import type { H5Lib } from "../core/formats/hdf5.js";

/**
 * The package's root folder: this module is in src/node/ or dist/node/, and so is every chunk of the bundled
 * CLI (scripts/build-cli.mjs), so paths into the package are taken from here, never from a module's own depth.
 */
export const PACKAGE_ROOT = new URL("../../", import.meta.url);

/** The package's data/ folder (with a trailing separator). */
export const DATA = fileURLToPath(new URL("data/", PACKAGE_ROOT));

let version: string | undefined;

/** The package's version (package.json), read once. */
export function packageVersion(): string {
  version ??= JSON.parse(readFileSync(new URL("package.json", PACKAGE_ROOT), "utf8")).version as string;
  return version;
}

/** apache-arrow's CommonJS build, required on first use (synchronous, as the core's parsers are). */
let arrow: typeof import("apache-arrow") | undefined;
let required: NodeJS.Require | undefined;
/** require() from this module, made on first use: createRequire takes ≈ 1 ms, which a text table read to stdout never needs. */
function require(id: string): unknown {
  required ??= createRequire(import.meta.url);
  return required(id);
}

/** node:crypto, loaded by its first user (a file written, a plan's hash), not by every run (start-up). */
export const nodeCrypto = (): typeof import("node:crypto") => require("node:crypto") as typeof import("node:crypto");

const modules = new Map<CoreFlavor, Promise<WebAssembly.Module>>();

/** The compiled Wasm core of a build: the release build (SIMD) or the debug build (assertions). */
export function wasmModule(flavor: CoreFlavor): Promise<WebAssembly.Module> {
  let m = modules.get(flavor);
  if (!m) {
    const url = new URL(flavor === "debug" ? "build/cellfrac.debug.wasm" : "build/cellfrac.wasm", PACKAGE_ROOT);
    // Compiled synchronously: V8 compiles a module's functions lazily, so this takes about a millisecond, where
    // the asynchronous read and compile left a short run waiting ≈ 4 ms for their round trips.
    m = Promise.resolve().then(() => new WebAssembly.Module(readFileSync(url)));
    modules.set(flavor, m);
  }
  return m;
}

let parquet: ParquetLibrary | undefined;

/**
 * hyparquet and its codecs, required on first use: synchronous, as the core's parsers are (they are ES
 * modules: require() of ES modules needs Node 20.19 or 22.12).
 */
function parquetLibrary(): ParquetLibrary {
  if (!parquet) {
    try {
      const { parquetMetadata, parquetSchema } = require("hyparquet") as typeof import("hyparquet");
      const { parquetHeader, readColumn } = require("hyparquet/src/column.js") as typeof import("hyparquet/src/column.js");
      const { DEFAULT_PARSERS } = require("hyparquet/src/convert.js") as typeof import("hyparquet/src/convert.js");
      const { compressors } = require("hyparquet-compressors") as typeof import("hyparquet-compressors");
      parquet = { parquetMetadata, parquetSchema, parquetHeader, readColumn, DEFAULT_PARSERS, compressors };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ERR_REQUIRE_ESM") throw e;
      throw new Error(`cellfrac: reading Parquet needs Node 20.19 or later (this is ${process.version})`);
    }
  }
  return parquet;
}

let h5: H5Lib | undefined;

/** h5wasm's Node build (its file system is the disk), loaded and initialised on first use: HDF5 input. */
export async function loadHdf5(): Promise<H5Lib> {
  if (!h5) {
    const lib = await import("h5wasm/node");
    await lib.ready;
    h5 = { File: lib.File };
  }
  return h5;
}

const GENE_INDEX = new URL("build/human_genes.index", PACKAGE_ROOT);
let geneIndexRead: Buffer | undefined;

/**
 * Starts reading the gene index on libuv's thread pool (one read of the whole file), so that a command that
 * maps gene names finds it read while its own modules were loading (≈ 10 ms of a short run's main thread).
 * Resolves (never rejects) once the read has settled: the CLI waits for it after loading the command, since
 * the read's callback runs only when the event loop turns, and until then geneIndex() would read the file
 * again itself (as it does when the read failed).
 */
export function prefetchGeneIndex(): Promise<void> {
  if (geneIndexRead) return Promise.resolve();
  let fd: number;
  let b: Buffer;
  try {
    fd = openSync(GENE_INDEX, "r");
    b = Buffer.allocUnsafe(fstatSync(fd).size);
  } catch {
    return Promise.resolve();
  }
  return new Promise((settled) =>
    read(fd, b, 0, b.length, 0, (err, n) => {
      closeSync(fd);
      if (!err && n === b.length) geneIndexRead ??= b;
      settled();
    }),
  );
}

/** build/human_genes.index (scripts/gene-index.mjs), or undefined when the build has none. */
function geneIndex(): Uint8Array | undefined {
  if (geneIndexRead) return geneIndexRead;
  try {
    return readFileSync(GENE_INDEX);
  } catch {
    return undefined;
  }
}

installHost({
  dataFile: (path) => readFileSync(DATA + path),
  geneIndex,
  gunzip: (bytes, max) => gunzipSync(bytes, max === undefined ? {} : { maxOutputLength: max }),
  inflate: (bytes, max) => inflateSync(bytes, max === undefined ? {} : { maxOutputLength: max }),
  arrow: () => (arrow ??= require("apache-arrow") as typeof import("apache-arrow")),
  parquet: parquetLibrary,
  hdf5: () => h5,
  wasmModule,
  instantiate: (module, imports) => new WebAssembly.Instance(module, imports),
});
