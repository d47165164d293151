// Reading files for the core's parsers: a path's bytes with the messages the CLI prints when a file cannot
// be read (missing, a directory, …); parsing (and gzip by content) is the core's (core/formats/read.ts).
import { readFileSync } from "node:fs";
import { InputError } from "../core/errors.js";
import { noun, parseMatrix, type ReadOptions } from "../core/formats/read.js";
import type { Matrix } from "../core/matrix.js";
import "./host.js";

/** Why a file could not be read, in a user's words. */
function why(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.message;
}

/** The InputError for a matrix file that cannot be opened or read. */
export function cannotRead(e: unknown, opts: ReadOptions, name: string): InputError {
  return new InputError(`cannot read ${noun(opts).file} file: ${why(e)}`, { file: name });
}

/** A file's bytes; `what` words the error ("cannot read <what>: no such file"), `name` is the file in it. */
export function readFileBytes(path: string, what: string, name = path): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${what}: ${why(e)}`, { file: name });
  }
}

/** A matrix file (TSV/CSV/GCT/Arrow/Parquet, plain or gzipped); messages name `opts.name` or the path. */
export function readMatrixFile(path: string, opts: ReadOptions = {}): Matrix {
  const name = opts.name ?? path;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw cannotRead(e, opts, name);
  }
  return parseMatrix(bytes, { ...opts, name });
}

/** A string containing a line break is table text; any other string is a path. */
export function readMatrix(source: string | Uint8Array, opts: ReadOptions = {}): Matrix {
  if (typeof source === "string" && !/[\r\n]/.test(source)) return readMatrixFile(source, opts);
  return parseMatrix(source, opts);
}
