// `cellfrac cibersort`: CIBERSORT v1.04, R-identical, with both cellfrac and CIBERSORTx option spellings.
import { parseArgs } from "node:util";
import { cibersort, type AbsMethod, type CibersortResult, type ScaleMode } from "../../core/cibersort/index.js";
import { runFitsOnPool } from "../pool.js";
import { loadCore } from "../../core/wasm.js";
import { resultColumns, resultValue, toResultsJSON, toResultsTable } from "../../core/cibersort/output.js";
import { ANTILOG_MAX } from "../../core/cibersort/prepare.js";
import { readSignature } from "../data.js";
import { UsageError } from "../../core/errors.js";
import { symbolMapper, toSymbols } from "../../core/genes.js";
import { formatArrow } from "../../core/formats/arrow.js";
import { formatParquet } from "../../core/formats/parquet.js";
import { readMatrixFile, type ReadOptions } from "../../core/formats/read.js";
import { streamMatrixFile } from "../stream.js";
import { type Matrix, makeMatrix } from "../../core/matrix.js";
import { checkOutputPath, writeFileAtomic } from "../write.js";
import { checkPerm, checkThreads } from "../bounds.js";
import { createProgress } from "../progress.js";
import { coverageLine } from "./score.js";
import type { CliIO, Command } from "./types.js";

const CIBERSORT_HELP = `Usage: cellfrac cibersort <mixture> [options]

Deconvolves a genes × samples mixture with a genes × cell-types signature exactly as the CIBERSORT R
script v1.04 (ν-SVR with ν = 0.25/0.5/0.75, libsvm's trajectory, R's random numbers): same fractions,
Correlation, RMSE and P-values as R for the same inputs and seed.

Inputs (tab- or comma-separated, optionally gzipped; first column gene symbols, header row of names):
  <mixture>, --mixture <file>      bulk expression, genes × samples
  --signature, --sigmatrix <file>  signature matrix, genes × cell types, or LM22 (bundled; default)

Options:
  --perm N          permutations for P-values (default 100; 0 gives P-value 9999 as in R)
  --seed S          R set.seed value for the permutations (default 1)
  --qn              quantile-normalise the mixture (default off: RNA-seq practice; on for arrays)
  --QN TRUE|FALSE   the same, CIBERSORTx spelling
  --absolute M      absolute mode: sig.score or no.sumto1 (default off: relative fractions)
  --absolute TRUE --abs_method M
                    the same, CIBERSORTx spelling (abs_method defaults to sig.score)
  --scale S         auto (default: 2^x when the mixture's max < 50, announced), linear or log2
  --duplicates D    duplicate gene symbols in the mixture: error (default), first, mean or max
  --solver S        libsvm (default: R's e1071 to the bit) or exact (the true ν-SVR optimum)
  --threads N       worker threads for the fits (default: available cores); results never depend on it
  -o, --output F    write F (.tsv/.txt: CIBERSORT-Results table; .json: JSON; .arrow/.parquet: the
                    same table as an Arrow IPC or Parquet file), atomically; without it the table
                    goes to stdout
  -q, --quiet       no progress or warnings on stderr
  -h, --help        this help

Output columns: Mixture, one column per cell type, P-value, Correlation, RMSE
[, Absolute score (sig.score|no.sumto1)]; numbers at full double precision.

Memory: without --qn and sig.score the mixture is streamed and only signature genes are kept (every cell
is still checked, and its maximum taken for the anti-log rule), so a cohort larger than memory works;
--qn and sig.score need every gene in memory (about twice the mixture's float64 size at the peak).`;

export function parseBool(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const u = v.toUpperCase();
  if (u === "TRUE" || u === "T") return true;
  if (u === "FALSE" || u === "F") return false;
  throw new UsageError(`--${name} takes TRUE or FALSE, got "${v}"`);
}

export function parseInt10(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} takes an integer ≥ ${min}, got "${v}"`);
  return Number(v);
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

/** Parse `cellfrac cibersort` arguments (both cellfrac and CIBERSORTx spellings). */
export function parseCibersortArgs(args: string[]): CibersortCliOptions | "help" {
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      mixture: { type: "string" },
      signature: { type: "string" },
      sigmatrix: { type: "string" },
      perm: { type: "string" },
      seed: { type: "string" },
      qn: { type: "boolean" },
      QN: { type: "string" },
      absolute: { type: "string" },
      abs_method: { type: "string" },
      scale: { type: "string" },
      duplicates: { type: "string" },
      threads: { type: "string" },
      solver: { type: "string" },
      output: { type: "string", short: "o" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) return "help";
  if (positionals.length > 1) throw new UsageError(`expected one mixture file, got ${positionals.length}: ${positionals.join(" ")}`);
  if (positionals.length && v.mixture) throw new UsageError("give the mixture either as an argument or with --mixture, not both");
  const mixture = positionals[0] ?? v.mixture;
  if (!mixture) throw new UsageError("no mixture file given (cellfrac cibersort <mixture>)");
  if (v.signature && v.sigmatrix) throw new UsageError("give --signature or --sigmatrix, not both");
  const qnFlag = parseBool("QN", v.QN);
  if (v.qn && qnFlag === false) throw new UsageError("--qn and --QN FALSE contradict each other");

  let absolute: AbsMethod | false = false;
  const absMethod = v.abs_method;
  if (absMethod !== undefined && absMethod !== "sig.score" && absMethod !== "no.sumto1") {
    throw new UsageError(`--abs_method takes sig.score or no.sumto1, got "${absMethod}"`);
  }
  if (v.absolute !== undefined) {
    const a = v.absolute;
    if (a === "sig.score" || a === "no.sumto1") absolute = a;
    else if (parseBool("absolute", a)) absolute = absMethod ?? "sig.score";
  } else if (absMethod !== undefined) {
    throw new UsageError("--abs_method needs --absolute TRUE");
  }
  const scale = (v.scale ?? "auto") as ScaleMode;
  if (!["auto", "linear", "log2"].includes(scale)) throw new UsageError(`--scale takes auto, linear or log2, got "${v.scale}"`);
  const duplicates = (v.duplicates ?? "error") as CibersortCliOptions["duplicates"];
  if (!["error", "first", "mean", "max"].includes(duplicates)) throw new UsageError(`--duplicates takes error, first, mean or max, got "${v.duplicates}"`);
  const solver = (v.solver ?? "libsvm") as NonNullable<CibersortCliOptions["solver"]>;
  if (solver !== "libsvm" && solver !== "exact") throw new UsageError(`--solver takes libsvm or exact, got "${v.solver}"`);
  const output = v.output;
  if (output !== undefined && output !== "-" && !/\.(tsv|txt|json|arrow|parquet)$/i.test(output)) {
    throw new UsageError(`--output must end in .tsv, .txt, .json, .arrow or .parquet (got "${output}")`);
  }
  const threads = parseInt10("threads", v.threads, 1);
  checkThreads(threads);
  const seed = parseInt10("seed", v.seed, -(2 ** 31 - 1)) ?? 1;
  if (Math.abs(seed) > 2 ** 31 - 1) throw new UsageError(`--seed must fit R's integer range, got ${seed}`);
  return {
    mixture,
    signature: v.signature ?? v.sigmatrix ?? "LM22",
    perm: parseInt10("perm", v.perm, 0) ?? 100,
    seed,
    qn: v.qn ?? qnFlag ?? false,
    absolute,
    scale,
    duplicates,
    threads,
    solver,
    output,
    quiet: v.quiet ?? false,
  };
}

/** Run and write the output file (or return the table text when there is no file). */
export async function runCibersort(o: CibersortCliOptions, io: CliIO): Promise<{ res: CibersortResult; text?: string }> {
  const warn = (m: string) => {
    if (!o.quiet) io.stderr(`cellfrac: warning: ${m}\n`);
  };
  checkOutputPath(o.output);
  const signature = readSignature(o.signature);
  checkPerm(o.perm, signature.rows.length, signature.cols.length);
  const { mixture, mixtureMax } = await readCibersortMixture(o, signature, warn);
  const progress = o.quiet ? undefined : createProgress(io.stderr, io.isTTY, "fits");
  const res = await cibersort(mixture, signature, {
    perm: o.perm,
    seed: o.seed,
    qn: o.qn,
    absolute: o.absolute,
    scale: o.scale,
    threads: o.threads,
    solver: o.solver,
    mixtureMax,
    onWarning: warn,
    onProgress: progress?.update,
    names: { mixture: o.mixture, signature: o.signature },
  }, await loadCore(), runFitsOnPool);
  progress?.done();
  if (!o.quiet) {
    const { used, total, missing } = res.diagnostics.signatureCoverage;
    io.stderr(coverageLine("cibersort", { name: o.signature, found: used, total, missing }));
  }
  const out = o.output?.toLowerCase() ?? "";
  if (out.endsWith(".arrow") || out.endsWith(".parquet")) {
    const format = out.endsWith(".arrow") ? formatArrow : formatParquet;
    writeFileAtomic(o.output!, format("Mixture", resultColumns(res), res.samples, (s, c) => resultValue(res, s, c)));
    return { res };
  }
  const text = out.endsWith(".json") ? toResultsJSON(res) : toResultsTable(res);
  if (o.output && o.output !== "-") {
    writeFileAtomic(o.output, text);
    return { res };
  }
  return { res, text };
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
