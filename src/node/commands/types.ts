// The contract every `cellfrac <command>` module implements; src/commands/index.ts lists them.

/** Where a command writes; tests pass in-memory sinks. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** stderr is a terminal: redraw progress bars instead of printing one summary line. */
  isTTY: boolean;
}

export interface Command {
  name: string;
  /** One line for `cellfrac --help`. */
  usage: string;
  summary: string;
  /**
   * Runs with the arguments after the command name and returns the exit code. Throw UsageError (exit 2)
   * or InputError (exit 3); the dispatcher prints them.
   */
  run(args: string[], io: CliIO): Promise<number>;
}
