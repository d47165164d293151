// HDF5 mixtures on Node (AnnData .h5ad, ARCHS4-style; the reading is src/core/formats/hdf5.ts): h5wasm's Node
// build opens the file on disk itself, so X is read block by block and never held whole; and the options
// that say how to read such a file (--transpose, --var-column, --samples-from) as the core's Hdf5Options.
import { gzippedHdf5, notHdf5 as notHdf5Error, parseSampleIds, readHdf5 } from "../core/formats/hdf5.js";
import { finishHdf5, keepFn, type ReadOptions } from "../core/formats/read.js";
import { loadHdf5 } from "./host.js";
import { readFileBytes } from "./read.js";
import type { StreamResult } from "./stream.js";

/** Read `path` (an HDF5 file, told by its first bytes) as streamMatrixFile reads a table. */
export async function streamHdf5(path: string, file: string, opts: ReadOptions, gzipped: boolean): Promise<StreamResult> {
  if (gzipped) throw gzippedHdf5(file);
  const lib = await loadHdf5();
  let o = opts.hdf5 ?? {};
  // The list is read with the mixture (a missing mixture is reported first).
  if (o.samplesFile !== undefined && o.samples === undefined) o = { ...o, samples: readSampleIds(o.samplesFile) };
  const r = readHdf5(lib, path, file, o, keepFn(opts.keepRows));
  return finishHdf5(r, { ...opts, name: file });
}

export { hdf5Options } from "../core/mixtures.js";

/** Sample IDs, one per line (the first tab- or comma-separated field; blank lines skipped). */
export function readSampleIds(path: string): string[] {
  return parseSampleIds(new TextDecoder("utf-8").decode(readFileBytes(path, "samples file")), path);
}

/** The HDF5 options given for a file that is not HDF5: refused rather than ignored. */
export function notHdf5(opts: ReadOptions, file: string): void {
  const e = notHdf5Error(opts.hdf5, file);
  if (e) throw e;
}
