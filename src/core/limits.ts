/**
 * Input limits: the most any reader accepts, so a hostile or broken file (a gzip bomb, a 1 GiB line, a
 * Parquet footer declaring a billion rows, a GMT with a billion genes) is refused early, in bounded memory,
 * with a located message. The defaults are far above real expression data (the largest bulk cohorts are
 * ~10^5 samples × ~6·10^4 genes, lines of a few MB) and each can be raised: hosts call setInputLimits (the
 * CLI from CELLFRAC_MAX_* environment variables via limitsFromEnv, the page from its own settings).
 * Pure: no `node:` imports, usable in web workers.
 */
import { InputError, type InputLocation } from "./errors.js";

export interface InputLimits {
  /** Longest line of a text table, GCT or gene-set file, in bytes. */
  maxLineBytes: number;
  /** Most bytes one file may hold after decompression (gzip) — or declare (Parquet pages, Arrow buffers). */
  maxFileBytes: number;
  /** Longest single cell (gene symbol, sample name, number token, Parquet string), in bytes. */
  maxCellBytes: number;
  /** Most data rows (genes) in one table, read or declared. */
  maxRows: number;
  /** Most columns (samples, cell types) in one table, read or declared. */
  maxColumns: number;
  /** Most genes in one gene set (GMT line or TSV set). */
  maxSetGenes: number;
}

export const DEFAULT_LIMITS: Readonly<InputLimits> = Object.freeze({
  maxLineBytes: 64 * 2 ** 20,
  maxFileBytes: 64 * 2 ** 30,
  maxCellBytes: 2 ** 20,
  maxRows: 10_000_000,
  maxColumns: 10_000_000,
  maxSetGenes: 1_000_000,
});

/** The environment variable that raises each limit (the README's "Limits" section lists them). */
export const LIMIT_ENV: Readonly<Record<keyof InputLimits, string>> = Object.freeze({
  maxLineBytes: "CELLFRAC_MAX_LINE",
  maxFileBytes: "CELLFRAC_MAX_FILE",
  maxCellBytes: "CELLFRAC_MAX_CELL",
  maxRows: "CELLFRAC_MAX_ROWS",
  maxColumns: "CELLFRAC_MAX_COLUMNS",
  maxSetGenes: "CELLFRAC_MAX_SET_GENES",
});

let current: InputLimits = { ...DEFAULT_LIMITS };

/** The limits in force. */
export function inputLimits(): Readonly<InputLimits> {
  return current;
}

/** Change some limits (the rest keep their value); returns the previous limits, for tests to restore. */
export function setInputLimits(l: Partial<InputLimits>): InputLimits {
  const prev = current;
  current = { ...current, ...l };
  return prev;
}

/** A size with an optional binary suffix: "64M", "2G", "1.5T", "1000" (no suffix: a plain count). */
export function parseSize(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)i?[bB]?\s*$/.exec(s);
  if (!m) return undefined;
  const mult = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase() as "" | "k" | "m" | "g" | "t"];
  const v = Math.floor(Number(m[1]) * mult);
  return Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

/** Limits from CELLFRAC_MAX_* variables in `env`; a malformed value is named in the thrown message. */
export function limitsFromEnv(env: Record<string, string | undefined>): Partial<InputLimits> {
  const out: Partial<InputLimits> = {};
  for (const [key, name] of Object.entries(LIMIT_ENV) as [keyof InputLimits, string][]) {
    const v = env[name];
    if (v === undefined || v === "") continue;
    const n = parseSize(v);
    if (n === undefined) throw new RangeError(`${name}="${v}" is not a positive size (e.g. 1000, 64M, 2G)`);
    out[key] = n;
  }
  return out;
}

/** Bytes in words: 67108864 → "64 MiB". */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : Number(n.toPrecision(3))} ${units[i]}`;
}

/** The refusal: what exceeded which limit, and how to raise it. */
export function overLimit(what: string, key: keyof InputLimits, where: InputLocation, hint = ""): InputError {
  const v = current[key];
  const shown = key.endsWith("Bytes") ? formatBytes(v) : v.toLocaleString("en-US");
  return new InputError(`${what} exceeds the limit of ${shown}${hint} (raise it with ${LIMIT_ENV[key]})`, where);
}

/** Rows and columns a table may have or declare. */
export function checkDims(rows: number, cols: number, file: string | undefined): void {
  if (rows > current.maxRows) throw overLimit(`${rows.toLocaleString("en-US")} data rows`, "maxRows", { file });
  if (cols > current.maxColumns) throw overLimit(`${cols.toLocaleString("en-US")} columns`, "maxColumns", { file });
}

/** A text line longer than the limit: "line N is longer than 64 MiB — not an expression table". */
export function lineTooLong(file: string | undefined, line: number, kind = "an expression table"): InputError {
  const v = formatBytes(current.maxLineBytes);
  return new InputError(`line ${line} is longer than ${v} — not ${kind} (raise the limit with ${LIMIT_ENV.maxLineBytes})`, { file });
}

/** Throws lineTooLong for the first line of `b` longer than the limit (lines end at LF or CR). */
export function checkLineLengths(b: Uint8Array, file: string | undefined, kind?: string): void {
  const max = current.maxLineBytes;
  if (b.length <= max) return;
  let s = 0;
  let line = 1;
  while (s < b.length) {
    let lf = b.indexOf(10, s);
    if (lf < 0) lf = b.length;
    // a lone CR also ends a line: only look for one when the LF-line is too long
    if (lf - s > max) {
      const cr = b.subarray(s, lf).indexOf(13);
      if (cr < 0 || cr > max) throw lineTooLong(file, line, kind);
      s += cr + 1;
      if (b[s] === 10) s++;
    } else s = lf + 1;
    line++;
  }
}

/** A line at least this long makes the next search for a line end go through the chunk's own indexOf (findByte). */
export const FAR_LINE = 2048;

/**
 * Where `byte` next occurs in `b` from `from` (b.length when it does not). A search expected to go far (after a long
 * line, or the first one for a byte that seldom occurs) uses `own`'s indexOf: `own` holds the same bytes, and a Node
 * Buffer's indexOf is memchr, ≈ 20× a typed array's over megabytes (4 MB: 0.08 vs 1.4–2.4 ms). Near ones use the
 * typed array's, which costs less per call while a short run's code is still cold. Both give the same index.
 */
export function findByte(b: Uint8Array, own: Uint8Array, byte: number, from: number, far: boolean): number {
  const k = far ? own.indexOf(byte, from) : b.indexOf(byte, from);
  return k < 0 ? b.length : k;
}

/**
 * Incremental checks on a byte stream of text, chunk by chunk, so a reader stops within one chunk of the
 * limit instead of after buffering the whole excess: with `total`, the bytes so far (maxFileBytes: for data
 * that is decompressed, not read from disk); with `lines`, the bytes since the last line break (maxLineBytes).
 */
export class StreamGuard {
  private total = 0;
  private run = 0;
  private line = 1;
  /** The previous chunk ended in CR: an LF first in this one completes a CRLF (no new line). */
  private cr = false;

  constructor(
    private readonly file: string | undefined,
    private readonly check: { total?: boolean; lines?: boolean; kind?: string },
  ) {}

  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (this.check.total && this.total > current.maxFileBytes)
      throw overLimit("the decompressed data", "maxFileBytes", { file: this.file });
    if (!this.check.lines) return;
    // A plain view for near searches: a Node Buffer's indexOf (zlib's chunks) goes through JavaScript first;
    // far ones go through the chunk's own (findByte).
    const b = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    const n = b.length;
    const max = current.maxLineBytes;
    let s = 0;
    if (this.cr && b[0] === 10) s = 1; // the CR already counted the line
    this.cr = n > 0 && b[n - 1] === 13;
    // The next CR is searched for again only once passed: searching the rest of the chunk on every line made a
    // file without CRs cost time quadratic in its lines.
    let cr = -1;
    let far = true;
    for (;;) {
      let lf = findByte(b, chunk, 10, s, far);
      if (cr < s) cr = findByte(b, chunk, 13, s, far || cr < 0);
      if (cr < lf) lf = cr; // a lone CR ends a line too (CRLF then counts an extra empty one)
      if (lf === n) {
        this.run += b.length - s;
        if (this.run > max) throw lineTooLong(this.file, this.line, this.check.kind);
        return;
      }
      if (this.run + lf - s > max) throw lineTooLong(this.file, this.line, this.check.kind);
      this.run = 0;
      if (!(b[lf] === 13 && b[lf + 1] === 10)) this.line++; // a CRLF counts at its LF
      far = lf - s >= FAR_LINE;
      s = lf + 1;
    }
  }
}
