// Browser-side reading of a dropped or chosen file: gzip is undone with DecompressionStream (the core's
// parser inflates synchronously only where the host can: Node), then the shared parser reads the bytes
// with the same checks and messages: TSV/CSV, GCT, Arrow IPC and Parquet (whose GZIP pages are inflated
// here first, see parquetGzipInflater).
import { InputError } from "../core/errors.js";
import { isGzip } from "../core/host.js";
import { isArrow } from "../core/formats/arrow.js";
import { preloadArrow } from "./host.js";
import { isParquet, parquetGzipInflater } from "../core/formats/parquet.js";
import { parseMatrix, type ReadOptions } from "../core/formats/read.js";
import type { Matrix } from "../core/matrix.js";

export { isGzip };

/** Inflate gzip (RFC 1952, by its magic bytes) or zlib (RFC 1950) data with the browser's DecompressionStream. */
export async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(isGzip(bytes) ? "gzip" : "deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Decompress gzip bytes (by content, as the Node reader); other bytes are returned as they are. */
export async function gunzipIfNeeded(bytes: Uint8Array, file?: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await inflate(bytes);
  } catch (e) {
    throw new InputError(`corrupt gzip data: ${(e as Error).message}`, { file });
  }
}

/** Parse file bytes (TSV/CSV/GCT/Arrow/Parquet, plain or gzip) into a Matrix; `opts.name` names the file in messages. */
export async function parseMatrixBytes(bytes: Uint8Array, opts: ReadOptions = {}): Promise<Matrix> {
  const raw = await gunzipIfNeeded(bytes, opts.name);
  if (isParquet(raw)) return parseMatrix(raw, { ...opts, inflate: await parquetGzipInflater(raw, opts.name, inflate) });
  if (isArrow(raw)) await preloadArrow();
  return parseMatrix(raw, opts);
}
