// Browser-side reading of a dropped or chosen file: gzip is undone with DecompressionStream (the core's
// parser inflates synchronously only where the host can: Node), then the shared parser reads the bytes
// with the same checks and messages: TSV/CSV, GCT, Arrow IPC and Parquet (every codec: hyparquet-compressors).
import { InputError } from "../core/errors.js";
import { isGzip } from "../core/formats/gzip.js";
import { isArrow } from "../core/formats/arrow.js";
import { preloadArrow, preloadHdf5, preloadParquet, readHdf5InPlace } from "./host.js";
import { gzippedHdf5, isHdf5, notHdf5 } from "../core/formats/hdf5.js";
import { isParquet } from "../core/formats/parquet.js";
import { StreamGuard } from "../core/limits.js";
import { finishHdf5, keepFn, parseMatrix, type ReadOptions, roleError } from "../core/formats/read.js";
import type { Matrix } from "../core/matrix.js";

export { isGzip };

/**
 * Inflate gzip (RFC 1952, by its magic bytes) or zlib (RFC 1950) data with the browser's DecompressionStream,
 * chunk by chunk under the input limits (src/core/limits.ts), so a gzip bomb is refused after at most a
 * line's or a file's limit instead of exhausting the tab: text is checked for its line length too (binary
 * Arrow/Parquet content, told by its first bytes, only for its size).
 */
export async function inflate(bytes: Uint8Array, file?: string, binary = false): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream(isGzip(bytes) ? "gzip" : "deflate"));
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let guard: StreamGuard | undefined;
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      guard ??= new StreamGuard(file, { total: true, lines: !binary && !isArrow(value) && !isParquet(value) });
      guard.push(value);
      parts.push(value);
      size += value.length;
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Decompress gzip bytes (by content, as the Node reader); other bytes are returned as they are. */
export async function gunzipIfNeeded(bytes: Uint8Array, file?: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await inflate(bytes, file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`corrupt gzip data: ${(e as Error).message}`, { file });
  }
}

/** Parse file bytes (TSV/CSV/GCT/Arrow/Parquet, plain or gzip) into a Matrix; `opts.name` names the file in messages. */
export async function parseMatrixBytes(bytes: Uint8Array, opts: ReadOptions = {}): Promise<Matrix> {
  const raw = await gunzipIfNeeded(bytes, opts.name);
  if (isArrow(raw)) await preloadArrow();
  if (isHdf5(raw)) await preloadHdf5();
  if (isParquet(raw)) await preloadParquet();
  return parseMatrix(raw, opts);
}

/**
 * Parse a chosen file (a worker's File or Blob) as parseMatrixBytes does, except HDF5: read in place from
 * the mounted File (host.ts readHdf5InPlace), never copied whole; a gzipped one is refused as the CLI does.
 */
export async function parseMatrixFile(file: Blob, opts: ReadOptions = {}): Promise<Matrix> {
  try {
    if (isHdf5(new Uint8Array(await file.slice(0, 8).arrayBuffer()))) {
      await preloadHdf5();
      return finishHdf5(readHdf5InPlace(file, opts.name, opts.hdf5 ?? {}, keepFn(opts.keepRows)), opts).matrix;
    }
    const raw = await gunzipIfNeeded(new Uint8Array(await file.arrayBuffer()), opts.name);
    if (isHdf5(raw)) throw gzippedHdf5(opts.name);
    const refused = notHdf5(opts.hdf5, opts.name);
    if (refused) throw refused;
    if (isArrow(raw)) await preloadArrow();
    if (isParquet(raw)) await preloadParquet();
    return parseMatrix(raw, opts);
  } catch (e) {
    throw roleError(e, opts);
  }
}
