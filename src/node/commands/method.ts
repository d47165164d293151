// A `cellfrac <command>` over registry methods (src/core/registry.ts): argument parsing → the registry
// (options checked, defaults, the method's run) → the writer. nnls, epic and quantiseq run one method each;
// score chooses among the score methods with --method. Ensembl-ID rows are mapped to symbols, and the
// gene coverage goes to stderr (and into JSON output).
import type { ParseArgsConfig } from "node:util";
import { UsageError } from "../../core/errors.js";
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
import { cliSay, outputExt, outputFile } from "../output.js";
import { SHARD_HELP_ROWS, SHARD_OPTIONS, shardArgs } from "../shard-args.js";
import { readMixturePaths } from "../mixtures.js";
import { droppedSignatureGenes } from "../../core/mixtures.js";
import type { CliIO, Command } from "./types.js";
import { commandArgs, printHelp } from "./args.js";

type ParseOptions = NonNullable<ParseArgsConfig["options"]>;

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
  const file = outputFile(output);
  if (file && !allowed.includes(outputExt(file))) throw new UsageError(optionMessages.output(allowed, file));
}

/** One or more mixture arguments (several are merged by gene: src/core/mixtures.ts). */
export function mixtureArgs(positionals: readonly string[]): string[] {
  if (positionals.length === 0) throw new UsageError("no mixture file given");
  return [...positionals];
}

/** Write the result (-o: atomically, by extension) or return its text for stdout. */
export async function writeResult(out: MethodOutput, output: string | undefined): Promise<string | undefined> {
  const ext = outputExt(output);
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
  const file = outputFile(output);
  if (!file) return text;
  writeFileAtomic(file, text);
  return undefined;
}

/** The common CLI part of a method run: where the mixture is and where the result goes. */
export interface MethodCliArgs {
  mixture: string;
  /** Every mixture file when more than one (merged by gene); default [mixture]. */
  mixtures?: string[];
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
    dropped?: string[];
    /** A shard: its samples, taken from the mixture as read, and the whole mixture's maximum (src/node/shard.ts). */
    select?: (mixture: Matrix) => { mixture: Matrix; mixtureMax: number };
    /** A shard: write its part instead of the result (returns the text for stdout without -o); none: empty. */
    write?: (out?: MethodOutput) => string | undefined;
  } = {},
): Promise<{ out?: MethodOutput; text?: string }> {
  const say = cliSay(io, cli.quiet);
  const warn = say.warn;
  checkOutputPath(cli.output);
  const { mixture: given, afterRun, dropped: droppedGiven, select, write, ...ctx } = extra;
  const paths = cli.mixtures ?? [cli.mixture];
  let mixture = given;
  let dropped = droppedGiven ?? [];
  // One file streamed where it can be (issue 16); the Node API's runMethod reads the same way.
  if (!mixture) ({ matrix: mixture, dropped } = await readMixturePaths(paths, v, warn, mixtureNote(cli, io)));
  const shard = select?.(mixture);
  if (shard) mixture = shard.mixture;
  // A shard without samples (more shards than samples, a range past the end): an empty part, nothing run,
  // so that a workflow engine's fixed set of shard jobs all succeed and merge (docs/scale.md).
  if (write && (shard ? mixture.cols.length : ctx.columns?.length) === 0) {
    say.note("no sample of the mixture is in this shard: writing an empty part (merge accepts it)");
    return { text: write() };
  }
  const out = await m.run(mixture, v, {
    host: nodeMethodHost(warn),
    onWarning: warn,
    ...ctx,
    ...(shard && { mixtureMax: shard.mixtureMax }),
  });
  afterRun?.();
  const droppedNote = droppedSignatureGenes(dropped, out.table.coverage);
  if (droppedNote) warn(droppedNote);
  say.note(coverageReport(out.table));
  return { out, text: write ? write(out) : await writeResult(out, cli.output) };
}

/** Where facts about reading the mixture go (TPM computed, transcripts summed): stderr unless quiet. */
export function mixtureNote(cli: { quiet: boolean }, io: CliIO): (m: string) => void {
  return (m) => {
    if (!cli.quiet) io.stderr(`cellfrac: ${m}\n`);
  };
}

const OUTPUT_ROWS: [string, string][] = [
  ["-o, --output F", "write F (.tsv/.txt table or .json), atomically; without it the table goes to stdout"],
  ["-q, --quiet", "nothing on stderr (no warnings, no coverage report)"],
  ["-h, --help", "this help"],
];

export const INPUT_NOTE = `Mixtures: one or more files (several are merged by gene; samples keep their column names, and
a single-sample quantifier file is named by its directory for quant.sf, quant.genes.sf, abundance.tsv and
ReadsPerGene.out.tab, else by its name up to the first dot). Read by content: TSV/CSV (optionally gzipped),
GCT, Arrow, Parquet, Salmon quant[.genes].sf, kallisto abundance.tsv, RSEM *.genes/isoforms.results, GDC
STAR counts, STAR ReadsPerGene.out.tab, featureCounts, GEO series matrix, long (gene, sample, value) tables.
One mixture may be - (standard input) or a pipe such as <(zcat x.tsv.gz) (copied once to a temporary file).`;

const COVERAGE_NOTE = `Rows named by Ensembl gene ID (with or without version) are mapped to current symbols with the bundled
gene table; a signature or set gene missing under its own name takes the row naming the same gene by its
current or an old symbol (--gene-match exact: names as given). stderr reports how many genes of each
signature or set were found, which were missing and every rename (JSON output: "coverage", "renamed").`;

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
    INPUT_NOTE,
    COVERAGE_NOTE,
  ].join("\n\n");
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    async run(args: string[], io: CliIO) {
      const { values, positionals } = commandArgs(args, {
        ...cliOptionConfig(options),
        ...(multi ? { method: { type: "string" } } : {}),
        ...SHARD_OPTIONS,
      });
      if (values.help) return printHelp(io, help);
      const mixtures = mixtureArgs(positionals);
      const chosen = values.method as string | undefined;
      if (multi && chosen === undefined)
        throw new UsageError(
          optionMessages.missing(
            "--method",
            spec.methods.map((m) => m.name),
          ),
        );
      const m = multi ? methodByName(chosen!, spec.methods) : spec.methods[0];
      const v = parseOptions(m, cliValues(options, values), "cli", spec.methods);
      const output = values.output as string | undefined;
      const shard = shardArgs(values);
      if (!shard) checkOutput(output, ["tsv", "txt", "json"]);
      const hooks = shard ? await (await import("../shard.js")).methodShard(m, v, mixtures[0], shard, output) : {};
      const { text } = await runMethodCli(m, v, { mixture: mixtures[0], mixtures, output, quiet: Boolean(values.quiet) }, io, hooks);
      if (text !== undefined) io.stdout(text);
      return 0;
    },
  };
}
