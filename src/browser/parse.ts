// Browser-side reading of a dropped or chosen file: gzip is undone with DecompressionStream (the pure
// parser's gunzip is Node's), then the shared parser reads the text with the same checks and messages.
import { InputError } from "../errors.js";
import { parseMatrix, type ReadOptions } from "../io/read.js";
import type { Matrix } from "../matrix.js";

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompress gzip bytes (by content, as the Node reader); other bytes are returned as they are. */
export async function gunzipIfNeeded(bytes: Uint8Array, file?: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new InputError(`corrupt gzip data: ${(e as Error).message}`, { file });
  }
}

/** Parse file bytes (TSV/CSV, plain or gzip) into a Matrix; `opts.name` names the file in messages. */
export async function parseMatrixBytes(bytes: Uint8Array, opts: ReadOptions = {}): Promise<Matrix> {
  return parseMatrix(await gunzipIfNeeded(bytes, opts.name), opts);
}
