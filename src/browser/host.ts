// The browser host of the core (see src/core/host.ts). Bundled data files are fetched (asynchronously)
// before a run needs them (preloadData) and then served from memory; gzip is inflated with
// DecompressionStream before parsing (parse.ts), so there is no synchronous gunzip; the Wasm core is
// compiled from its asset, build/cellfrac.wasm beside the package (or the page's copy: the page bundle
// keeps the same relative layout).
import { type CoreFlavor, installHost, type ParquetLibrary } from "../core/host.js";
import type { H5Lib } from "../core/formats/hdf5.js";

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

/** Load h5wasm (its own chunk in the page; HDF5 files are read from its in-memory file system). */
export async function preloadHdf5(): Promise<void> {
  if (h5) return;
  const lib = await import("h5wasm");
  const mod = await lib.ready;
  h5 = { File: lib.File, FS: mod.FS as unknown as H5Lib["FS"] };
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
