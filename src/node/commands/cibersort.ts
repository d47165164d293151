// `cellfrac cibersort`: CIBERSORT v1.04, R-identical, with both cellfrac and CIBERSORTx option spellings.
import type { AbsMethod, CibersortResult, ScaleMode } from "../../core/cibersort/index.js";
import { InputError, UsageError } from "../../core/errors.js";
import type { PlanOptions } from "../../core/cibersort/plan.js";
import { type ShardArgs, SHARD_HELP_ROWS, SHARD_OPTIONS, shardArgs } from "../shard-args.js";
import type { ReadOptions } from "../../core/formats/read.js";
import { type CibersortMixture, type CibersortMixtureOptions, readCibersortMixture } from "../mixture.js";
import { hdf5Options } from "../hdf5.js";
import { checkOutputPath } from "../write.js";
import { checkPerm, checkThreads } from "../bounds.js";
import { recordSize } from "../../core/cibersort/fits.js";
import { coreAlgLayout } from "../../core/kernels.js";
import { loadCore } from "../../core/wasm.js";
import {
  type MethodOutput,
  type OptionValues,
  checkValue,
  formatHelpRows,
  helpRows,
  keyOf,
  methodByName,
  methodSignature,
  optionMessages,
  parseOptions,
  unionOptions,
} from "../../core/registry.js";
import { nodeMethodHost } from "../method-host.js";
import { cliSay } from "../output.js";
import { checkOutput, cliOptionConfig, cliValues, INPUT_NOTE, mixtureNote, runMethodCli } from "./method.js";
import { loadMixtureFiles, streamableRows } from "../mixtures.js";
import { MIXTURE_OPTIONS, wantsWholeRead } from "../../core/mixtures.js";
import type { Matrix } from "../../core/matrix.js";
import type { CliIO, Command } from "./types.js";
import { commandArgs, printHelp } from "./args.js";
import { listed } from "./index.js";

const CIBERSORT = methodByName("cibersort");
const OPTIONS = unionOptions([CIBERSORT], "cli");
const OUTPUTS = ["tsv", "txt", "json", "arrow", "parquet"];

const CIBERSORT_HELP = `Usage: cellfrac cibersort <mixture> [<mixture> ...] [options]

Deconvolves a genes × samples mixture with a genes × cell-types signature exactly as the CIBERSORT R
script v1.04 (ν-SVR with ν = 0.25/0.5/0.75, libsvm's trajectory, R's random numbers): same fractions,
Correlation, RMSE and P-values as R for the same inputs and seed.

The mixture and a signature file: tab- or comma-separated, optionally gzipped; first column gene symbols,
header row of names (also GCT, Arrow, Parquet). The mixture may be - (standard input) or a pipe such as
<(zcat x.tsv.gz): it is copied once to a temporary file, then read as a file.

Options:
${formatHelpRows([
  ...helpRows(OPTIONS),
  [
    "-o, --output F",
    "write F (.tsv/.txt: CIBERSORT-Results table; .json: JSON; .arrow/.parquet: the\n" +
      "same table as an Arrow IPC or Parquet file), atomically; without it the table\ngoes to stdout",
  ],
  [
    "--plan F",
    "a plan from `cellfrac plan cibersort` (same mixture and options): with one of the\n" +
      "three options below, fit only those samples with the plan's cohort-wide pass",
  ],
  ...SHARD_HELP_ROWS,
  ["-q, --quiet", "no progress or warnings on stderr"],
  ["-h, --help", "this help"],
])}

Sharding: \`cellfrac plan cibersort <mixture> [options] -o cohort.plan\`, then runs with --plan and
--sample-range/--sample-list/--shard on any machines (each writes a part file), then \`cellfrac merge
part… -o result.tsv\` writes exactly this command's output (docs/scale.md).

CIBERSORTx spellings: --mixture <file> (for the argument), --sigmatrix <file> (--signature),
--QN TRUE|FALSE (--qn), --absolute TRUE --abs_method sig.score|no.sumto1 (--absolute M; abs_method
defaults to sig.score).

${INPUT_NOTE}

Output columns: Mixture, one column per cell type, P-value, Correlation, RMSE
[, Absolute score (sig.score|no.sumto1)]; numbers at full double precision.

Memory: without --qn and sig.score the mixture is streamed and only signature genes are kept (every cell
is still checked, and its maximum taken for the anti-log rule; several files, --na and --sample-names
too), so a cohort larger than memory works;
--qn and sig.score need every gene in memory (about twice the mixture's float64 size at the peak).`;

/** CIBERSORTx's TRUE/FALSE (R's T/F too, any case); undefined for anything else. */
function boolWord(v: string): boolean | undefined {
  const u = v.toUpperCase();
  return u === "TRUE" || u === "T" ? true : u === "FALSE" || u === "F" ? false : undefined;
}

export interface CibersortCliOptions {
  mixture: string;
  /** Every mixture file when more than one (merged by gene). */
  mixtures?: string[];
  /** How the mixture is read (src/core/mixtures.ts): --genes, --sample-names, --value, --tx2gene, … */
  read?: OptionValues;
  signature: string;
  perm: number;
  seed: number;
  qn: boolean;
  absolute: AbsMethod | false;
  scale: ScaleMode;
  duplicates: NonNullable<ReadOptions["duplicates"]>;
  layout?: ReadOptions["layout"];
  hdf5?: ReadOptions["hdf5"];
  geneMatch?: "current" | "exact";
  threads?: number;
  solver?: "libsvm" | "exact";
  output?: string;
  quiet: boolean;
  plan?: string;
  shard?: ShardArgs;
}

/** Parse `cellfrac cibersort` arguments (both cellfrac and CIBERSORTx spellings); values are checked by the registry. */
export function parseCibersortArgs(args: string[], outputs: readonly string[] | null = OUTPUTS): CibersortCliOptions | "help" {
  const { values, positionals } = commandArgs(args, {
    ...cliOptionConfig(OPTIONS),
    mixture: { type: "string" },
    sigmatrix: { type: "string" },
    QN: { type: "string" },
    abs_method: { type: "string" },
    ...(outputs ? { plan: { type: "string" }, ...SHARD_OPTIONS } : {}),
  });
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) return "help";
  if (positionals.length && v.mixture) throw new UsageError("give the mixture either as an argument or with --mixture, not both");
  const mixture = positionals[0] ?? (v.mixture as string | undefined);
  if (!mixture) throw new UsageError("no mixture file given (cellfrac cibersort <mixture>)");
  if (v.signature && v.sigmatrix) throw new UsageError(optionMessages.notBoth("--signature", "--sigmatrix"));
  const qnWord = v.QN === undefined ? undefined : boolWord(v.QN as string);
  if (v.QN !== undefined && qnWord === undefined) throw new UsageError(optionMessages.choice("--QN", ["TRUE", "FALSE"], v.QN));
  if (v.qn && qnWord === false) throw new UsageError(optionMessages.conflict("--qn", "--QN FALSE", "contradict each other"));
  // --absolute TRUE|FALSE [--abs_method M] is CIBERSORTx's way to say --absolute M.
  const absSpec = OPTIONS.find((o) => o.name === "absolute")!;
  const absMethod = checkValue({ ...absSpec, name: "abs_method" }, v.abs_method);
  let absolute = v.absolute as string | undefined;
  const absWord = absolute === undefined ? undefined : boolWord(absolute);
  if (absWord !== undefined) absolute = absWord ? ((absMethod as string | undefined) ?? "sig.score") : undefined;
  else if (absolute === undefined && absMethod !== undefined) throw new UsageError(optionMessages.needs("--abs_method", "--absolute TRUE"));
  const raw = { ...cliValues(OPTIONS, v), signature: v.signature ?? v.sigmatrix, qn: v.qn ?? qnWord, absolute };
  const o = parseOptions(CIBERSORT, raw, "cli");
  checkThreads(o.threads as number | undefined);
  const output = v.output as string | undefined;
  const shard = shardArgs(v);
  const plan = v.plan as string | undefined;
  if (shard && !plan)
    throw new UsageError(optionMessages.needs(shard.shard ? "--shard" : shard.sampleList ? "--sample-list" : "--sample-range", "--plan"));
  if (plan && !shard) throw new UsageError("--plan needs --sample-range, --sample-list or --shard (which samples to fit)");
  if (outputs && !shard) checkOutput(output, outputs);
  return {
    mixture,
    mixtures: positionals.length > 1 ? positionals : undefined,
    read: Object.fromEntries(MIXTURE_OPTIONS.map((m) => [keyOf(m.name), o[keyOf(m.name)]])),
    signature: o.signature as string,
    perm: o.perm as number,
    seed: o.seed as number,
    qn: o.qn as boolean,
    absolute: (o.absolute as AbsMethod | undefined) ?? false,
    scale: o.scale as ScaleMode,
    duplicates: o.duplicates as CibersortCliOptions["duplicates"],
    layout: o.layout as CibersortCliOptions["layout"],
    hdf5: hdf5Options(o),
    geneMatch: o.geneMatch as "current" | "exact",
    threads: o.threads as number | undefined,
    solver: o.solver as "libsvm" | "exact",
    output,
    quiet: Boolean(v.quiet),
    plan,
    shard,
  };
}

/** Run and write the output file (or return the table text when there is no file); an empty shard throws. */
export async function runCibersort(o: CibersortCliOptions, io: CliIO): Promise<{ res: CibersortResult; text?: string }> {
  const { out, text } = await runCibersortCli(o, io);
  if (!out) throw new InputError("this shard has no sample of the mixture", { file: o.mixture });
  return { res: out.cibersort!, text };
}

/** The command's run: `out` is undefined only for a shard without samples (its empty part is written). */
async function runCibersortCli(o: CibersortCliOptions, io: CliIO): Promise<{ out?: MethodOutput; text?: string }> {
  const say = cliSay(io, o.quiet);
  const warn = say.warn;
  checkOutputPath(o.output);
  const { mixtures, read: readValues, hdf5: _, shard: _s, ...given } = o;
  const v: OptionValues = { ...readValues, ...given, absolute: o.absolute || undefined };
  const host = nodeMethodHost(warn);
  const { matrix: signature } = await methodSignature(CIBERSORT, v, host);
  const record = recordSize(coreAlgLayout((await loadCore()).x), signature.cols.length);
  checkPerm(o.perm, signature.rows.length, record, 0, o.solver);
  // A plan and its shard load their modules only when given (start-up of every other run).
  const shard = o.plan ? await (await import("./cibersort-plan.js")).planShard(o, signature, planOptions(o)) : undefined;
  const paths = mixtures ?? [o.mixture];
  let read: { mixture: Matrix; mixtureMax?: number; dropped?: string[] };
  let picked: CibersortMixture["picked"];
  if (streamableRows(paths, v)) {
    const rows = {
      na: v.na as CibersortMixtureOptions["na"],
      sampleNames: v.sampleNames as string | undefined,
      genes: v.genes as CibersortMixtureOptions["genes"],
    };
    // A shard's columns are picked by the reader only from one file's own columns.
    const pick = paths.length > 1 || wantsWholeRead(v) ? undefined : shard?.pick;
    ({ picked, ...read } = await readCibersortMixture(paths, signature, { ...o, ...rows, onWarning: warn, pick }));
  } else {
    const r = await loadMixtureFiles(paths, v, warn, mixtureNote(o, io), o.hdf5);
    read = { mixture: r.matrix, dropped: r.dropped };
  }
  const { mixture, mixtureMax, dropped } = read;
  const progress = say.progress("fits");
  const { out, text } = await runMethodCli(CIBERSORT, v, o, io, {
    mixture,
    mixtureMax,
    dropped,
    mixtureName: paths.join(", "),
    host,
    onProgress: progress?.update,
    afterRun: progress?.done,
    ...shard?.hooks(mixture, picked),
  });
  return { out, text };
}

/** The options a plan fixes, as this run has them. */
export function planOptions(o: CibersortCliOptions): PlanOptions {
  return {
    perm: o.perm,
    seed: o.seed,
    qn: o.qn,
    absolute: o.absolute,
    scale: o.scale,
    solver: o.solver ?? "libsvm",
    duplicates: o.duplicates,
  };
}

export const cibersortCommand: Command = {
  ...listed("cibersort"),
  async run(args, io) {
    const o = parseCibersortArgs(args);
    if (o === "help") return printHelp(io, CIBERSORT_HELP);
    const { text } = await runCibersortCli(o, io);
    if (text !== undefined) io.stdout(text);
    return 0;
  },
};
