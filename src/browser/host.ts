// The browser host of the core (see src/core/host.ts). Bundled data files are fetched (asynchronously)
// before a run needs them (preloadData) and then served from memory; gzip is inflated with
// DecompressionStream before parsing (parse.ts), so there is no synchronous gunzip; the Wasm core is
// compiled from its asset, build/cellfrac.wasm beside the package (or the page's copy: the page bundle
// keeps the same relative layout).
import { type CoreFlavor, installHost, type ParquetLibrary } from "../core/host.js";
import { type H5Lib, type Hdf5Options, type Hdf5Read, readHdf5 } from "../core/formats/hdf5.js";

/** data/ and build/ relative to this module (dist/browser/ in the package, app/browser/ in the page). */
const DATA_URL = new URL("../../data/", import.meta.url);
const WASM_URL = {
  release: new URL("../../build/cellfrac.wasm", import.meta.url),
  debug: new URL("../../build/cellfrac.debug.wasm", import.meta.url),
};

const files = new Map<string, Uint8Array>();
let arrow: typeof import("apache-arrow") | undefined;

/** Load apache-arrow (its own chunk in the page) before Arrow IPC is parsed or written. */
export async function preloadArrow(): Promise<void> {
  arrow ??= await import("apache-arrow");
}
let parquet: ParquetLibrary | undefined;

/** Load hyparquet and its codecs (their own chunk in the page) before Parquet is parsed. */
export async function preloadParquet(): Promise<void> {
  if (parquet) return;
  const [hp, column, convert, codecs] = await Promise.all([
    import("hyparquet"),
    import("hyparquet/src/column.js"),
    import("hyparquet/src/convert.js"),
    import("hyparquet-compressors"),
  ]);
  parquet = {
    parquetMetadata: hp.parquetMetadata,
    parquetSchema: hp.parquetSchema,
    parquetHeader: column.parquetHeader,
    readColumn: column.readColumn,
    DEFAULT_PARSERS: convert.DEFAULT_PARSERS,
    compressors: codecs.compressors,
  };
}
let h5: H5Lib | undefined;
/** Emscripten's file system as h5wasm's build exposes it; its WORKERFS reads a Blob in place (FileReaderSync: workers only). */
interface EmFs {
  mkdir(path: string): void;
  rmdir(path: string): void;
  mount(type: unknown, opts: { blobs: { name: string; data: Blob }[] }, dir: string): void;
  unmount(dir: string): void;
  filesystems: { WORKERFS?: unknown };
}
let fs: EmFs | undefined;

/** Load h5wasm (its own chunk in the page): HDF5 files are read from its file system. */
export async function preloadHdf5(): Promise<void> {
  if (h5) return;
  const lib = await import("h5wasm");
  const mod = await lib.ready;
  fs = mod.FS as unknown as EmFs;
  h5 = { File: lib.File, FS: mod.FS as unknown as H5Lib["FS"] };
}

let mounts = 0;

/**
 * Read a chosen HDF5 file in place: the File is mounted with WORKERFS (in h5wasm's Emscripten build), so
 * HDF5 reads the blocks it asks for through FileReaderSync and the file is never copied into memory whole
 * (an ARCHS4 file of many GB streams as on Node). Only in a worker (the run worker); needs preloadHdf5.
 */
export function readHdf5InPlace(
  file: Blob,
  name: string | undefined,
  o: Hdf5Options,
  keep: ((gene: string) => boolean) | undefined,
): Hdf5Read {
  if (!h5 || !fs?.filesystems.WORKERFS) throw new Error("cellfrac: h5wasm's WORKERFS is not loaded (preloadHdf5, in a worker)");
  const dir = `/cellfrac-in-${++mounts}`;
  fs.mkdir(dir);
  fs.mount(fs.filesystems.WORKERFS, { blobs: [{ name: "input.h5", data: file }] }, dir);
  try {
    return readHdf5(h5, `${dir}/input.h5`, name, o, keep);
  } finally {
    fs.unmount(dir);
    fs.rmdir(dir);
  }
}
const modules = new Map<CoreFlavor, Promise<WebAssembly.Module>>();

/** Fetch bundled data files (paths under data/) once, so that the core's loaders can read them. */
export async function preloadData(paths: readonly string[]): Promise<void> {
  await Promise.all(
    paths
      .filter((p) => !files.has(p))
      .map(async (p) => {
        const res = await fetch(new URL(p, DATA_URL));
        if (!res.ok) throw new Error(`the bundled ${p} could not be loaded (${res.status} ${res.statusText})`);
        files.set(p, new Uint8Array(await res.arrayBuffer()));
      }),
  );
}

function wasmModule(flavor: CoreFlavor): Promise<WebAssembly.Module> {
  let m = modules.get(flavor);
  if (!m) {
    m = WebAssembly.compileStreaming(fetch(WASM_URL[flavor]));
    modules.set(flavor, m);
  }
  return m;
}

installHost({
  dataFile(path) {
    const f = files.get(path);
    if (!f) throw new Error(`cellfrac: the bundled ${path} was not preloaded (preloadData)`);
    return f;
  },
  arrow() {
    if (!arrow) throw new Error("cellfrac: apache-arrow was not preloaded (preloadArrow)");
    return arrow;
  },
  parquet() {
    if (!parquet) throw new Error("cellfrac: hyparquet was not preloaded (preloadParquet)");
    return parquet;
  },
  hdf5: () => h5,
  wasmModule,
});
