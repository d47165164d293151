// What every command sends out, in one place: the result to -o (atomically, write.ts) or stdout, and on
// stderr the warnings, notes and progress that --quiet silences. Commands do not write these themselves.
import type { CliIO } from "./commands/types.js";
import { createProgress, type Progress } from "./progress.js";
import { writeFileAtomic } from "./write.js";

/** -o given as a file (not "-"): where the result goes instead of stdout. */
export function outputFile(output: string | undefined): string | undefined {
  return output === undefined || output === "-" ? undefined : output;
}

/** The extension of -o, lower case ("" for stdout or none). */
export function outputExt(output: string | undefined): string {
  return /\.([a-z0-9]+)$/i.exec(outputFile(output) ?? "")?.[1].toLowerCase() ?? "";
}

/** The result: to -o atomically, else to stdout. */
export function emit(io: CliIO, output: string | undefined, data: string): void {
  const file = outputFile(output);
  if (file) writeFileAtomic(file, data);
  else io.stdout(data);
}

/** A command's stderr: silent under --quiet. */
export interface CliSay {
  /** "cellfrac: <label>: <message>" (label: "warning" unless the command says otherwise). */
  warn: (message: string) => void;
  /** Text as it is (coverage reports, summaries); the caller ends it with a newline. */
  note: (text: string) => void;
  /** A progress bar (a terminal) or a closing summary line, counting `unit`. */
  progress: (unit: string) => Progress | undefined;
}

export function cliSay(io: CliIO, quiet: boolean, label = "warning"): CliSay {
  return {
    warn: (m) => {
      if (!quiet) io.stderr(`cellfrac: ${label}: ${m}\n`);
    },
    note: (s) => {
      if (!quiet) io.stderr(s);
    },
    progress: (unit) => (quiet ? undefined : createProgress(io.stderr, io.isTTY, unit)),
  };
}
