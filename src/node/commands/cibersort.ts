// `cellfrac cibersort`: CIBERSORT v1.04, R-identical, with both cellfrac and CIBERSORTx option spellings.
import { parseArgs } from "node:util";
import type { AbsMethod, CibersortResult, ScaleMode } from "../../core/cibersort/index.js";
import { ANTILOG_MAX } from "../../core/cibersort/prepare.js";
import { UsageError } from "../../core/errors.js";
import { symbolMapper, toSymbols } from "../../core/genes.js";
import { readMatrixFile, type ReadOptions } from "../../core/formats/read.js";
import { streamMatrixFile } from "../stream.js";
import { type Matrix, makeMatrix } from "../../core/matrix.js";
import {
  type OptionValues,
  checkValue,
  formatHelpRows,
  helpRows,
  methodByName,
  methodSignature,
  optionMessages,
  parseOptions,
  unionOptions,
} from "../../core/registry.js";
import { nodeMethodHost } from "../method-host.js";
import { createProgress } from "../progress.js";
import { checkOutput, cliOptionConfig, cliValues, runMethodCli } from "./method.js";
import type { CliIO, Command } from "./types.js";

const CIBERSORT = methodByName("cibersort");
const OPTIONS = unionOptions([CIBERSORT], "cli");
const OUTPUTS = ["tsv", "txt", "json", "arrow", "parquet"];

const CIBERSORT_HELP = `Usage: cellfrac cibersort <mixture> [options]

Deconvolves a genes × samples mixture with a genes × cell-types signature exactly as the CIBERSORT R
script v1.04 (ν-SVR with ν = 0.25/0.5/0.75, libsvm's trajectory, R's random numbers): same fractions,
Correlation, RMSE and P-values as R for the same inputs and seed.

The mixture and a signature file: tab- or comma-separated, optionally gzipped; first column gene symbols,
header row of names (also GCT, Arrow, Parquet).

Options:
${formatHelpRows([
  ...helpRows(OPTIONS),
  [
    "-o, --output F",
    "write F (.tsv/.txt: CIBERSORT-Results table; .json: JSON; .arrow/.parquet: the\n" +
      "same table as an Arrow IPC or Parquet file), atomically; without it the table\ngoes to stdout",
  ],
  ["-q, --quiet", "no progress or warnings on stderr"],
  ["-h, --help", "this help"],
])}

CIBERSORTx spellings: --mixture <file> (for the argument), --sigmatrix <file> (--signature),
--QN TRUE|FALSE (--qn), --absolute TRUE --abs_method sig.score|no.sumto1 (--absolute M; abs_method
defaults to sig.score).

Output columns: Mixture, one column per cell type, P-value, Correlation, RMSE
[, Absolute score (sig.score|no.sumto1)]; numbers at full double precision.

Memory: without --qn and sig.score the mixture is streamed and only signature genes are kept (every cell
is still checked, and its maximum taken for the anti-log rule), so a cohort larger than memory works;
--qn and sig.score need every gene in memory (about twice the mixture's float64 size at the peak).`;

/** CIBERSORTx's TRUE/FALSE (R's T/F too, any case); undefined for anything else. */
function boolWord(v: string): boolean | undefined {
  const u = v.toUpperCase();
  return u === "TRUE" || u === "T" ? true : u === "FALSE" || u === "F" ? false : undefined;
}

export interface CibersortCliOptions {
  mixture: string;
  signature: string;
  perm: number;
  seed: number;
  qn: boolean;
  absolute: AbsMethod | false;
  scale: ScaleMode;
  duplicates: NonNullable<ReadOptions["duplicates"]>;
  threads?: number;
  solver?: "libsvm" | "exact";
  output?: string;
  quiet: boolean;
}

/** Parse `cellfrac cibersort` arguments (both cellfrac and CIBERSORTx spellings); values are checked by the registry. */
export function parseCibersortArgs(args: string[]): CibersortCliOptions | "help" {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      ...cliOptionConfig(OPTIONS),
      mixture: { type: "string" },
      sigmatrix: { type: "string" },
      QN: { type: "string" },
      abs_method: { type: "string" },
      output: { type: "string", short: "o" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) return "help";
  if (positionals.length > 1) throw new UsageError(`expected one mixture file, got ${positionals.length}: ${positionals.join(" ")}`);
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
  const output = v.output as string | undefined;
  checkOutput(output, OUTPUTS);
  return {
    mixture,
    signature: o.signature as string,
    perm: o.perm as number,
    seed: o.seed as number,
    qn: o.qn as boolean,
    absolute: (o.absolute as AbsMethod | undefined) ?? false,
    scale: o.scale as ScaleMode,
    duplicates: o.duplicates as CibersortCliOptions["duplicates"],
    threads: o.threads as number | undefined,
    solver: o.solver as "libsvm" | "exact",
    output,
    quiet: Boolean(v.quiet),
  };
}

/** Run and write the output file (or return the table text when there is no file). */
export async function runCibersort(o: CibersortCliOptions, io: CliIO): Promise<{ res: CibersortResult; text?: string }> {
  const warn = (m: string) => {
    if (!o.quiet) io.stderr(`cellfrac: warning: ${m}\n`);
  };
  const v: OptionValues = { ...o, absolute: o.absolute || undefined };
  const host = nodeMethodHost(warn);
  const { matrix: signature } = await methodSignature(CIBERSORT, v, host);
  const { mixture, mixtureMax } = await readCibersortMixture(o, signature, warn);
  const progress = o.quiet ? undefined : createProgress(io.stderr, io.isTTY, "fits");
  const { out, text } = await runMethodCli(CIBERSORT, v, o, io, {
    mixture,
    mixtureMax,
    mixtureName: o.mixture,
    host,
    onProgress: progress?.update,
    afterRun: progress?.done,
  });
  return { res: out.cibersort!, text };
}

/**
 * The mixture as CIBERSORT needs it, with the same result, messages and warnings as reading the whole file
 * (readMatrixFile + toSymbols). QN and sig.score use every gene: the file is streamed whole (no text held).
 * Otherwise only the rows that map to a signature gene are kept, plus the first three genes (prepare names
 * them when nothing matches), and `mixtureMax` carries the file's maximum after duplicate merging.
 */
async function readCibersortMixture(o: CibersortCliOptions, signature: Matrix, warn: (m: string) => void): Promise<{ mixture: Matrix; mixtureMax?: number }> {
  const ro: ReadOptions = { what: "mixture", duplicates: o.duplicates, onWarning: warn };
  const sym = { duplicates: o.duplicates, onWarning: warn };
  if (o.qn || o.absolute === "sig.score") {
    const all = await streamMatrixFile(o.mixture, ro);
    return { mixture: toSymbols(all ? all.matrix : readMatrixFile(o.mixture, ro), sym) };
  }
  const name = symbolMapper();
  const sig = new Set(signature.rows);
  const firstGenes = new Set<string>();
  const keep = (gene: string): boolean => {
    const s = name(gene);
    if (sig.has(s) || firstGenes.has(s)) return true;
    if (firstGenes.size >= 3) return false;
    firstGenes.add(s);
    return true;
  };
  const r = await streamMatrixFile(o.mixture, { ...ro, keepRows: keep });
  if (!r) return { mixture: toSymbols(readMatrixFile(o.mixture, ro), sym) };
  // toSymbols' warnings and duplicate error for the whole file come from the names alone.
  toSymbols(makeMatrix([...new Set(r.genes)], [], new Float64Array(0)), sym);
  let mixture = toSymbols(r.matrix, { duplicates: o.duplicates });

  // Rows merged with others (same gene, or same symbol after mapping) change the maximum; every other row
  // enters the whole mixture unchanged.
  const count = new Map<string, number>();
  for (const g of r.genes) {
    const s = name(g);
    count.set(s, (count.get(s) ?? 0) + 1);
  }
  const stored = new Set(r.matrix.rows);
  let max = -Infinity;
  let mergedAway = false;
  r.genes.forEach((g, i) => {
    if (count.get(name(g))! > 1) mergedAway ||= !stored.has(g);
    else if (r.rowMax[i] > max) max = r.rowMax[i];
  });
  if (mergedAway && o.scale === "auto" && max < ANTILOG_MAX) {
    // The merged rows decide the anti-log rule: read again keeping them too (prepare takes their max).
    const merged = new Set([...count].filter(([, n]) => n > 1).map(([s]) => s));
    const again = await streamMatrixFile(o.mixture, { what: "mixture", duplicates: o.duplicates, keepRows: (g) => keep(g) || merged.has(name(g)) });
    mixture = toSymbols(again!.matrix, { duplicates: o.duplicates });
  }
  return { mixture, mixtureMax: max };
}

export const cibersortCommand: Command = {
  name: "cibersort",
  usage: "cellfrac cibersort <mixture> [--signature <file|LM22>] [options]",
  summary: "CIBERSORT v1.04, R-identical",
  async run(args, io) {
    const o = parseCibersortArgs(args);
    if (o === "help") {
      io.stdout(CIBERSORT_HELP + "\n");
      return 0;
    }
    const { text } = await runCibersort(o, io);
    if (text !== undefined) io.stdout(text);
    return 0;
  },
};
