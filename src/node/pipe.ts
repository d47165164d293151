// Mixtures from pipes: `-` (standard input) and non-seekable files such as bash's process substitution
// (`cellfrac cibersort <(zcat x.tsv.gz)`, a /dev/fd/N pipe). The readers need a file they can open again and
// read at offsets (the format sniff, Parquet's footer-first reads, CIBERSORT's second pass over merged rows),
// so a pipe is copied once, chunk by chunk in bounded memory, into a private temporary file that is removed
// afterwards; messages keep naming the argument ("-" as "standard input").
import { createReadStream, createWriteStream, fstatSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { InputError } from "../core/errors.js";
import { inputLimits, overLimit } from "../core/limits.js";
import type { ReadOptions } from "../core/formats/read.js";
import { cannotRead } from "./read.js";

/** The name messages give standard input. */
export const STDIN_NAME = "standard input";

/** Whether `path` must be copied before reading: "-", or a pipe, socket or character device. */
export function isPipe(path: string): boolean {
  if (path === "-") return !fstatSync(0).isFile();
  try {
    const s = statSync(path);
    return s.isFIFO() || s.isSocket() || s.isCharacterDevice();
  } catch {
    return false; // the reader reports the missing file
  }
}

/**
 * Calls `read` with a path the readers can open as often as they need and the name for messages: `path`
 * itself for a regular file, else the pipe's bytes copied to a temporary file (removed when `read` ends).
 */
export async function withSeekable<T>(path: string, opts: ReadOptions, read: (path: string, name: string) => Promise<T>): Promise<T> {
  const name = opts.name ?? (path === "-" ? STDIN_NAME : path);
  if (!isPipe(path)) return read(path === "-" ? "/dev/stdin" : path, name);
  const dir = mkdtempSync(join(tmpdir(), "cellfrac-pipe-"));
  try {
    const copy = join(dir, "input");
    const src: Readable = path === "-" ? process.stdin : createReadStream(path);
    const max = inputLimits().maxFileBytes;
    let size = 0;
    try {
      await pipeline(
        src,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const c of chunks) {
            size += c.length;
            if (size > max) throw overLimit("the piped data", "maxFileBytes", { file: name });
            yield c;
          }
        },
        createWriteStream(copy),
      );
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw cannotRead(e, { ...opts, name }, name);
    }
    return await read(copy, name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
