// Argument parsing as every command does it: positionals allowed, an unknown option refused (exit 2), and
// the flags all commands share — -o/--output, -q/--quiet, -h/--help — spelled once.
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { CliIO } from "./types.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

const SHARED = {
  output: { type: "string", short: "o" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

type Config<O extends Options> = { args: string[]; allowPositionals: true; strict: true; options: O & typeof SHARED };

/** parseArgs over `options` plus -o, -q and -h. */
export function commandArgs<O extends Options>(args: string[], options: O): ReturnType<typeof parseArgs<Config<O>>> {
  return parseArgs<Config<O>>({ args, allowPositionals: true, strict: true, options: { ...options, ...SHARED } });
}

/** Print a command's --help text; returns the exit code. */
export function printHelp(io: CliIO, text: string): number {
  io.stdout(`${text}\n`);
  return 0;
}
