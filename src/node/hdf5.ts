// HDF5 mixtures on Node (AnnData .h5ad, ARCHS4-style; the reading is src/core/formats/hdf5.ts): h5wasm's Node
// build opens the file on disk itself, so X is read block by block and never held whole; and the options
// that say how to read such a file (--transpose, --var-column, --samples-from) as the core's Hdf5Options.
import { closeSync, openSync, readSync } from "node:fs";
import { gzippedHdf5, type H5Lib, isHdf5, notHdf5 as notHdf5Error, parseSampleIds, readHdf5 } from "../core/formats/hdf5.js";
import { finishHdf5, keepFn, type ReadOptions } from "../core/formats/read.js";
import { loadHdf5 } from "./host.js";
import { readFileBytes } from "./read.js";
import type { StreamResult } from "./stream.js";

/** Read `path` (an HDF5 file, told by its first bytes) as streamMatrixFile reads a table. */
export async function streamHdf5(path: string, file: string, opts: ReadOptions, gzipped: boolean): Promise<StreamResult> {
  if (gzipped) throw gzippedHdf5(file);
  return readHdf5Path(await loadHdf5(), path, file, opts);
}

/** readHdf5 of a path with the mixture's read options, h5wasm loaded (streamHdf5, and the merge of several files). */
export function readHdf5Path(lib: H5Lib, path: string, file: string, opts: ReadOptions): StreamResult {
  let o = opts.hdf5 ?? {};
  // The list is read with the mixture (a missing mixture is reported first).
  if (o.samplesFile !== undefined && o.samples === undefined) o = { ...o, samples: readSampleIds(o.samplesFile) };
  const r = readHdf5(lib, path, file, o, keepFn(opts.keepRows));
  return finishHdf5(r, { ...opts, name: file });
}

export { hdf5Options } from "../core/mixtures.js";

/** Whether the file at `path` begins with HDF5's signature (false when it cannot be read: its reader says why). */
export function isHdf5Path(path: string): boolean {
  try {
    const fd = openSync(path, "r");
    try {
      const b = new Uint8Array(8);
      return isHdf5(b.subarray(0, readSync(fd, b, 0, 8, 0)));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Sample IDs, one per line (the first tab- or comma-separated field; blank lines skipped). */
export function readSampleIds(path: string): string[] {
  return parseSampleIds(new TextDecoder("utf-8").decode(readFileBytes(path, "samples file")), path);
}

/** The HDF5 options given for a file that is not HDF5: refused rather than ignored. */
export function notHdf5(opts: ReadOptions, file: string): void {
  const e = notHdf5Error(opts.hdf5, file);
  if (e) throw e;
}
