#!/usr/bin/env node
// The cellfrac command line. Exit codes: 0 ok, 1 internal error, 2 usage error, 3 bad input data or an output that cannot be written.
import { packageVersion, prefetchGeneIndex } from "./host.js";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "./commands/index.js";
import type { CliIO } from "./commands/types.js";
import { InputError, OutputError, RunError, UsageError } from "../core/errors.js";
import { stdoutSink } from "./write.js";
import { DEFAULT_LIMITS, limitsFromEnv, setInputLimits } from "../core/limits.js";

export type { CliIO } from "./commands/types.js";

function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.usage.length)) + 3;
  return `cellfrac ${packageVersion()} — immune-cell deconvolution, CIBERSORT-exact, in WebAssembly

Usage:
${COMMANDS.map((c) => `  ${c.usage.padEnd(w)}${c.summary}`).join("\n")}
  cellfrac --help | --version

Run "cellfrac <command> --help" for a command's options.
Exit codes: 0 ok, 2 usage error, 3 bad input data or unwritable output, 1 internal error.`;
}

/** Entry point; returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd === "-h" || cmd === "--help" || cmd === "help") {
      io.stdout(`${mainHelp()}\n`);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === "--version" || cmd === "-v") {
      io.stdout(`${packageVersion()}\n`);
      return 0;
    }
    try {
      setInputLimits({ ...DEFAULT_LIMITS, ...limitsFromEnv(process.env) });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const command = COMMANDS.find((c) => c.name === cmd);
    if (!command) throw new UsageError(`unknown command "${cmd}" (try cellfrac --help)`);
    const indexRead = command.genes ? prefetchGeneIndex() : undefined;
    const loaded = await command.load();
    await indexRead;
    return await loaded.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))) {
      io.stderr(`cellfrac: ${e.message}\n`);
      return 2;
    }
    if (e instanceof InputError || e instanceof OutputError) {
      io.stderr(`cellfrac: error: ${e.message}\n`);
      return 3;
    }
    if (e instanceof RunError) {
      io.stderr(`cellfrac: error: ${e.message}\n`);
      return 1;
    }
    io.stderr(`cellfrac: internal error: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1]);
if (invokedDirectly) {
  // A closed pipe or a full disk on stdout is an output error (exit 3), not an unhandled 'error' event.
  const out = stdoutSink(process.stdout);
  process.stderr.on("error", () => {}); // nowhere left to report it
  let code = await main(process.argv.slice(2), {
    stdout: out.write,
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stderr.isTTY),
  });
  const failed = await out.flush();
  if (failed) {
    process.stderr.write(`cellfrac: error: ${failed.message}\n`);
    if (code === 0) code = 3;
  }
  process.exitCode = code;
}
