// A `cellfrac <command>` over registry methods (src/core/registry.ts): argument parsing → the registry
// (options checked, defaults, the method's run) → the writer. nnls, epic and quantiseq run one method each;
// score chooses among the score methods with --method. Ensembl-ID rows are mapped to symbols, and the
// gene coverage goes to stderr (and into JSON output).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../../core/errors.js";
import { toSymbols } from "../../core/genes.js";
import { coverageReport, resultText } from "../../core/formats/results.js";
import type { Matrix } from "../../core/matrix.js";
import {
  type MethodOutput,
  type MethodSpec,
  type OptionSpec,
  type OptionValues,
  type RunContext,
  formatHelpRows,
  helpRows,
  keyOf,
  methodByName,
  optionMessages,
  parseOptions,
  unionOptions,
} from "../../core/registry.js";
import { nodeMethodHost } from "../method-host.js";
import { checkOutputPath, writeFileAtomic } from "../write.js";
import { readMatrixStreamed } from "../stream.js";
import { SHARD_HELP_ROWS, SHARD_OPTIONS, methodShard, shardArgs } from "../shard.js";
import type { CliIO, Command } from "./types.js";

type ParseOptions = NonNullable<ParseArgsConfig["options"]>;
type DuplicatePolicy = "error" | "first" | "mean" | "max";

/** The flag parseArgs sees: a boolean on by default is spelled --no-name. */
const cliFlag = (o: OptionSpec) => (o.type === "boolean" && o.default ? `no-${o.name}` : o.name);

/** parseArgs options for registry options. */
export function cliOptionConfig(options: readonly OptionSpec[]): ParseOptions {
  return Object.fromEntries(options.map((o) => [cliFlag(o), { type: o.type === "boolean" ? "boolean" : "string" } as const]));
}

/** Parsed flags as registry values (keys: option keys); --no-name gives name = false. */
export function cliValues(options: readonly OptionSpec[], values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const o of options) {
    const v = values[cliFlag(o)];
    if (v !== undefined) raw[keyOf(o.name)] = o.type === "boolean" && o.default ? !v : v;
  }
  return raw;
}

/** Where the result goes: a file (by extension) or stdout ("-" or none). */
export function checkOutput(output: string | undefined, allowed: readonly string[]): void {
  if (output === undefined || output === "-") return;
  const ext = /\.([a-z]+)$/i.exec(output)?.[1].toLowerCase();
  if (!ext || !allowed.includes(ext)) throw new UsageError(optionMessages.output(allowed, output));
}

/** Exactly one mixture argument. */
export function oneMixture(positionals: readonly string[]): string {
  if (positionals.length !== 1)
    throw new UsageError(`expected one mixture file, got ${positionals.length}${positionals.length ? ": " + positionals.join(" ") : ""}`);
  return positionals[0];
}

/** Write the result (-o: atomically, by extension) or return its text for stdout. */
export async function writeResult(out: MethodOutput, output: string | undefined): Promise<string | undefined> {
  const ext = output?.toLowerCase().match(/\.([a-z]+)$/)?.[1] ?? "tsv";
  if (ext === "arrow" || ext === "parquet") {
    const t = out.table;
    const S = t.values.rows.length;
    const format =
      ext === "arrow"
        ? (await import("../../core/formats/arrow.js")).formatArrow
        : (await import("../../core/formats/parquet.js")).formatParquet;
    writeFileAtomic(
      output!,
      format(t.rowHeader, t.values.cols, t.values.rows, (s, c) => t.values.data[s + c * S]),
    );
    return undefined;
  }
  const text = resultText(out, ext === "json" ? "json" : "tsv");
  if (output && output !== "-") {
    writeFileAtomic(output, text);
    return undefined;
  }
  return text;
}

/** The common CLI part of a method run: where the mixture is and where the result goes. */
export interface MethodCliArgs {
  mixture: string;
  output?: string;
  quiet: boolean;
}

/**
 * Run a method from the CLI: read the mixture (or take `extra.mixture`), run, report coverage on stderr,
 * and write -o or return the text for stdout. Nothing is written when reading or the method throws.
 */
export async function runMethodCli(
  m: MethodSpec,
  v: OptionValues,
  cli: MethodCliArgs,
  io: CliIO,
  extra: Partial<RunContext> & {
    mixture?: Matrix;
    afterRun?: () => void;
    /** A shard: its samples, taken from the mixture as read, and the whole mixture's maximum (src/node/shard.ts). */
    select?: (mixture: Matrix) => { mixture: Matrix; mixtureMax: number };
    /** A shard: write its part instead of the result (returns the text for stdout without -o). */
    write?: (out: MethodOutput) => string | undefined;
  } = {},
): Promise<{ out: MethodOutput; text?: string }> {
  const warn = (msg: string) => {
    if (!cli.quiet) io.stderr(`cellfrac: warning: ${msg}\n`);
  };
  checkOutputPath(cli.output);
  const { mixture: given, afterRun, select, write, ...ctx } = extra;
  const duplicates = v.duplicates as DuplicatePolicy;
  // Streamed: a gzip bomb or an endless line is refused within a line's limit of memory (issue 16).
  const read =
    given ?? toSymbols(await readMatrixStreamed(cli.mixture, { what: "mixture", duplicates, onWarning: warn }), { duplicates, onWarning: warn });
  const shard = select?.(read);
  const mixture = shard?.mixture ?? read;
  const out = await m.run(mixture, v, { host: nodeMethodHost(warn), onWarning: warn, ...ctx, ...(shard && { mixtureMax: shard.mixtureMax }) });
  afterRun?.();
  if (!cli.quiet) io.stderr(coverageReport(out.table));
  return { out, text: write ? write(out) : await writeResult(out, cli.output) };
}

const OUTPUT_ROWS: [string, string][] = [
  ["-o, --output F", "write F (.tsv/.txt table or .json), atomically; without it the table goes to stdout"],
  ["-q, --quiet", "nothing on stderr (no warnings, no coverage report)"],
  ["-h, --help", "this help"],
];

const COVERAGE_NOTE = `Rows named by Ensembl gene ID (with or without version) are mapped to symbols with the bundled table.
stderr reports how many genes of each signature or set were found and which were missing (JSON output:
"coverage").`;

/** `cellfrac <name>` for one method, or for several chosen with --method. */
export function methodCommand(spec: {
  name: string;
  usage: string;
  summary: string;
  methods: readonly MethodSpec[];
  intro: string;
  outro: string;
}): Command {
  const options = unionOptions(spec.methods, "cli");
  const multi = spec.methods.length > 1;
  const list = spec.methods.map((m) => [m.name, m.summary] as [string, string]);
  const help = [
    `Usage: ${spec.usage}`,
    spec.intro,
    ...(multi ? [`Methods (--method):\n${formatHelpRows(list)}`] : []),
    `Options:\n${formatHelpRows([...helpRows(options), ...SHARD_HELP_ROWS, ...OUTPUT_ROWS])}`,
    spec.outro,
    COVERAGE_NOTE,
  ].join("\n\n");
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    async run(args: string[], io: CliIO) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          ...cliOptionConfig(options),
          ...(multi ? { method: { type: "string" } } : {}),
          ...SHARD_OPTIONS,
          output: { type: "string", short: "o" },
          quiet: { type: "boolean", short: "q" },
          help: { type: "boolean", short: "h" },
        },
      });
      if (values.help) {
        io.stdout(help + "\n");
        return 0;
      }
      const mixture = oneMixture(positionals);
      const chosen = values.method as string | undefined;
      if (multi && chosen === undefined) throw new UsageError(optionMessages.missing("--method", spec.methods.map((m) => m.name)));
      const m = multi ? methodByName(chosen!, spec.methods) : spec.methods[0];
      const v = parseOptions(m, cliValues(options, values), "cli", spec.methods);
      const output = values.output as string | undefined;
      const shard = shardArgs(values);
      if (!shard) checkOutput(output, ["tsv", "txt", "json"]);
      const hooks = shard ? await methodShard(m, v, mixture, shard, output) : {};
      const { text } = await runMethodCli(m, v, { mixture, output, quiet: Boolean(values.quiet) }, io, hooks);
      if (text !== undefined) io.stdout(text);
      return 0;
    },
  };
}
