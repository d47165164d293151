/** Where in an input a problem was found. Every field is optional; the message names what is known. */
export interface InputLocation {
  file?: string;
  /** 1-based line number in the file. */
  line?: number;
  /** 1-based column (field) number in the line. */
  column?: number;
  gene?: string;
  sample?: string;
  /** What the file is to the run ("mixture", "signature", "gene sets", "annotation"), named before it. */
  role?: string;
  /** What `sample` is a name of, where not a sample (a signature's columns are cell types). */
  columnKind?: string;
}

/** Bad input data (CLI exit code 3). Nothing is written when it is thrown. */
export class InputError extends Error {
  override readonly name = "InputError";
  readonly exitCode = 3;
  constructor(
    message: string,
    readonly where: InputLocation = {},
  ) {
    super(formatWhere(where) + message);
    this.detail = message;
  }
  /** The message without its location. */
  readonly detail: string;
}

/**
 * `e` with the file's role named (and a signature's columns called cell types), for errors thrown by readers
 * that know the bytes, not what they are for. Errors that already say it (a role, or "cannot read …") stay.
 */
export function withRole(e: unknown, role: string | undefined, columnKind?: string): unknown {
  if (!(e instanceof InputError) || !role || e.where.role || e.where.file === undefined || e.detail.startsWith("cannot read")) return e;
  return new InputError(e.detail, { ...e.where, role, columnKind });
}

/** Wrong command-line use or options (CLI exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode = 2;
}

function formatWhere(w: InputLocation): string {
  const parts: string[] = [];
  if (w.file !== undefined) {
    let p = w.role ? `${w.role} ${w.file}` : w.file;
    if (w.line !== undefined) p += `:${w.line}`;
    if (w.column !== undefined) p += `:${w.column}`;
    parts.push(p);
  } else if (w.line !== undefined) {
    parts.push(`line ${w.line}${w.column !== undefined ? `, column ${w.column}` : ""}`);
  }
  if (w.gene !== undefined) parts.push(`gene "${w.gene}"`);
  if (w.sample !== undefined) parts.push(`${w.columnKind ?? "sample"} "${w.sample}"`);
  return parts.length ? `${parts.join(", ")}: ` : "";
}

/** An output (file or stdout) that cannot be written: CLI exit code 3, one line naming the path and the reason. */
export class OutputError extends Error {
  override readonly name = "OutputError";
  readonly exitCode = 3;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: cannot write: ${reason}`);
  }
}

/**
 * A run that stopped on a failure that is neither the input's nor the user's (a worker's Wasm trap, exception
 * or out-of-memory): CLI exit code 1, one line naming the method and the sample.
 */
export class RunError extends Error {
  override readonly name = "RunError";
  readonly exitCode = 1;
}
