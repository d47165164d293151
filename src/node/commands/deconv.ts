// The common shape of `cellfrac nnls|epic|quantiseq`: one mixture argument, method options, a table of
// samples × (cell types, fit columns) written as TSV/JSON to -o or to stdout. Ensembl-ID rows are mapped
// to symbols (src/genes.ts) and the signature coverage is reported on stderr (and in JSON output).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../../core/errors.js";
import { toSymbols } from "../../core/genes.js";
import type { ReadOptions } from "../../core/formats/read.js";
import { readMatrixStreamed } from "../stream.js";
import { checkOutputPath, writeFileAtomic } from "../write.js";
import type { Matrix } from "../../core/matrix.js";
import type { DeconvScale } from "../../core/methods/deconvkit.js";
import type { MethodTable } from "../../core/methods/types.js";
import { coverageReport, scoreTableJson, scoreTableTsv } from "./score.js";
import type { CliIO, Command } from "./types.js";

/** Help lines of the options every deconvolution command takes. */
export const COMMON_OPTIONS_HELP = `  --scale S         auto (default: 2^x when the mixture's max < 50, announced), linear or log2
  --duplicates D    duplicate gene symbols in the mixture: error (default), first, mean or max
  -o, --output F    write F (.tsv/.txt table or .json), atomically; without it the table goes to stdout
  -q, --quiet       nothing on stderr (no warnings, no coverage report)
  -h, --help        this help

Rows named by Ensembl gene ID (with or without version) are mapped to symbols with the bundled table.
stderr reports how many signature genes were found and which were missing (JSON output: "coverage").`;

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | undefined>;

export interface CommonDeconvArgs {
  mixture: string;
  scale: DeconvScale;
  duplicates: NonNullable<ReadOptions["duplicates"]>;
  output?: string;
  quiet: boolean;
}

function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} takes ${allowed.join(", ")}; got "${v}"`);
  return v as T;
}

/** Parse the common options plus the command's own; "help" when -h/--help is given. */
export function parseDeconvArgs(args: string[], own: OptionSpec): { common: CommonDeconvArgs; values: Values } | "help" {
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      ...own,
      scale: { type: "string" },
      duplicates: { type: "string" },
      output: { type: "string", short: "o" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) return "help";
  if (positionals.length !== 1) throw new UsageError(`expected one mixture file, got ${positionals.length}${positionals.length ? ": " + positionals.join(" ") : ""}`);
  const output = v.output as string | undefined;
  if (output !== undefined && output !== "-" && !/\.(tsv|txt|json)$/i.test(output)) {
    throw new UsageError(`--output must end in .tsv, .txt or .json (got "${output}")`);
  }
  return {
    common: {
      mixture: positionals[0],
      scale: oneOf("scale", (v.scale as string | undefined) ?? "auto", ["auto", "linear", "log2"] as const),
      duplicates: oneOf("duplicates", (v.duplicates as string | undefined) ?? "error", ["error", "first", "mean", "max"] as const),
      output,
      quiet: Boolean(v.quiet),
    },
    values: v as Values,
  };
}

/**
 * A deconvolution command: parse, read the mixture, run, and write the table (-o) or return it for
 * stdout. Nothing is written when reading or the method throws.
 */
export function deconvCommand(spec: {
  name: string;
  usage: string;
  summary: string;
  help: string;
  options: OptionSpec;
  run: (mixture: Matrix, common: CommonDeconvArgs, values: Values, warn: (m: string) => void) => Promise<MethodTable>;
}): Command {
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    async run(args: string[], io: CliIO) {
      const parsed = parseDeconvArgs(args, spec.options);
      if (parsed === "help") {
        io.stdout(spec.help + "\n");
        return 0;
      }
      const { common, values } = parsed;
      checkOutputPath(common.output);
      const warn = (m: string) => {
        if (!common.quiet) io.stderr(`cellfrac: warning: ${m}\n`);
      };
      const read = await readMatrixStreamed(common.mixture, { what: "mixture", duplicates: common.duplicates, onWarning: warn });
      const mixture = toSymbols(read, { duplicates: common.duplicates, onWarning: warn });
      const table = await spec.run(mixture, common, values, warn);
      if (!common.quiet) io.stderr(coverageReport(table));
      const text = common.output?.toLowerCase().endsWith(".json") ? scoreTableJson(table) : scoreTableTsv(table);
      if (common.output && common.output !== "-") writeFileAtomic(common.output, text);
      else io.stdout(text);
      return 0;
    },
  };
}
