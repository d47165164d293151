/** Crash-safe file writes (temp file + rename) and output errors as one-line messages. */
import { accessSync, closeSync, constants, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { nodeCrypto } from "./host.js";
import { dirname } from "node:path";
import { OutputError } from "../core/errors.js";

/** A system error on an output as the reader should see it: what went wrong, in words, and the errno code. */
export function outputError(path: string, e: unknown): OutputError {
  const err = e as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOENT: `directory ${dirname(path)} does not exist`,
    ENOTDIR: `a component of the path is not a directory`,
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    EFBIG: "file too large for the file system",
    EPIPE: "the reader closed the pipe",
    EISDIR: "is a directory",
    EIO: "input/output error",
  };
  const why = err?.code && words[err.code] ? `${words[err.code]} (${err.code})` : String(err?.message ?? e);
  return new OutputError(path, why);
}

/**
 * Fail before any work when `path` can certainly not be written: its directory is missing, not a directory
 * or not writable, or the path is a directory. (Disk space is only known when writing.)
 */
export function checkOutputPath(path: string | undefined): void {
  if (path === undefined || path === "-") return;
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw outputError(path, e);
  }
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    /* not there yet: fine */
  }
  if (isDir) throw outputError(path, Object.assign(new Error("is a directory"), { code: "EISDIR" }));
}

/**
 * Write via a temp file in the same directory + rename, so readers never see a half-written file and a
 * failed run leaves the old target untouched (two runs on one path: the last rename wins, whole). The temp
 * file is removed on any error, which is thrown as an OutputError naming `path`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  if (isSpecial(path)) return writeThrough(path, bytes);
  const tmp = `${path}.${process.pid}.${nodeCrypto().randomBytes(6).toString("hex")}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", 0o666);
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already gone */
    }
    throw outputError(path, e);
  }
  // Make the rename itself durable; not possible on every platform, and the data is already safe.
  try {
    const dfd = openSync(dirname(path), "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* best effort */
  }
}

/** An existing target that is not a regular file (a FIFO, /dev/stdout, /dev/null): renaming over it would replace the device. */
function isSpecial(path: string): boolean {
  try {
    const s = statSync(path);
    return !s.isFile() && !s.isDirectory();
  } catch {
    return false;
  }
}

/** Write straight into a pipe or device (no temp file: there is no old content to protect). */
function writeThrough(path: string, bytes: Uint8Array): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "w");
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
  } catch (e) {
    throw outputError(path, e);
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* the write's error is the one to report */
      }
    }
  }
}

/**
 * stdout for the CLI: writes go to `stream`; a failure (EPIPE from a closed pipe, ENOSPC on a full disk) is
 * caught instead of crashing the process, later writes are dropped, and `flush` resolves to the OutputError.
 */
export function stdoutSink(stream: NodeJS.WritableStream & { writableLength?: number }): {
  write: (s: string) => void;
  flush: () => Promise<OutputError | undefined>;
} {
  let failed: OutputError | undefined;
  const fail = (e: unknown) => (failed ??= outputError("stdout", e));
  stream.on("error", fail);
  return {
    write(s) {
      if (failed) return;
      try {
        stream.write(s, (e) => e && fail(e));
      } catch (e) {
        fail(e);
      }
    },
    flush: () =>
      new Promise((resolve) => {
        if (failed) return resolve(failed);
        stream.write("", (e) => {
          if (e) fail(e);
          // A pending 'error' event is emitted after the callback: let it land first.
          setImmediate(() => resolve(failed));
        });
      }),
  };
}
