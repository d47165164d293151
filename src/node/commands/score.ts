// `cellfrac score`: gene-set scores per sample (ssGSEA, singscore, MCP-counter, ESTIMATE, mean/zscore/pc1).
import { parseArgs } from "node:util";
import { UsageError } from "../../core/errors.js";
import { toSymbols } from "../../core/genes.js";
import { type GeneSet, loadGeneSets } from "../../core/genesets.js";
import type { ReadOptions } from "../../core/formats/read.js";
import { readMatrixStreamed } from "../stream.js";
import { formatTable } from "../../core/formats/write.js";
import { checkOutputPath, writeFileAtomic } from "../write.js";
import type { Matrix } from "../../core/matrix.js";
import { estimate } from "../../core/methods/estimate.js";
import { mcpcounter } from "../../core/methods/mcpcounter.js";
import type { ScoreRunOptions, ScoreTransform } from "../../core/methods/scorekit.js";
import { signatureScores } from "../../core/methods/sigscore.js";
import { singscore } from "../../core/methods/singscore.js";
import { ssgsea } from "../../core/methods/ssgsea.js";
import type { Coverage, MethodTable } from "../../core/methods/types.js";
import type { CliIO, Command } from "./types.js";

const SCORE_HELP = `Usage: cellfrac score <mixture> --method M [--gene-sets S] [options]

Scores gene sets per sample of a genes × samples mixture (tab- or comma-separated, optionally gzipped).

Methods (--method):
  ssgsea      ssGSEA exactly as GSVA 1.46 (tau 0.25); scores divided by the range of the whole
              score matrix unless --no-normalize
  singscore   singscore per sample; sets "<name>_UP" + "<name>_DN" are scored as one up/down pair
  mcpcounter  MCP-counter: mean of the markers present (default --gene-sets MCPcounter)
  estimate    ESTIMATE stromal/immune/ESTIMATE score and tumour purity (default --gene-sets ESTIMATE)
  mean        mean value of the set's genes
  zscore      mean of the set's genes standardised across samples
  pc1         first principal component of the set's standardised genes (sign: the loadings sum > 0)

Options:
  --gene-sets S        a .gmt file, a TSV with a header (set and gene columns default to the first two),
                       or a bundled set: ESTIMATE, MCPcounter, Danaher
  --set-column NAME    TSV: the column holding set names
  --gene-column NAME   TSV: the column holding gene symbols
  --transform T        none (default: values as given) or log2p1 (score log2(x + 1), e.g. for TPM)
  --no-normalize       ssgsea: raw enrichment scores (GSVA ssgsea.norm = FALSE)
  --duplicates D       duplicate gene symbols in the mixture: error (default), first, mean or max
  -o, --output F       write F (.tsv/.txt table or .json), atomically; without it the table goes to stdout
  -q, --quiet          nothing on stderr (no warnings, no coverage report)
  -h, --help           this help

Output: one row per sample (first column "sample"), one column per gene set in file order (sets with
no gene in the mixture are left out with a warning; estimate: StromalScore, ImmuneScore, ESTIMATEScore,
TumorPurity). Numbers at full double precision. Rows named by Ensembl gene ID (with or without version)
are mapped to symbols with the bundled table. stderr reports how many genes of each set were found and
which were missing; JSON output holds the same under "coverage".`;

export const SCORE_METHODS = ["ssgsea", "singscore", "mcpcounter", "estimate", "mean", "zscore", "pc1"] as const;
export type ScoreMethod = (typeof SCORE_METHODS)[number];

/** Gene sets a method uses when --gene-sets is not given. */
const DEFAULT_SETS: Partial<Record<ScoreMethod, string>> = { mcpcounter: "MCPcounter", estimate: "ESTIMATE" };

export interface ScoreCliOptions {
  mixture: string;
  method: ScoreMethod;
  geneSets: string;
  setColumn?: string;
  geneColumn?: string;
  transform: ScoreTransform;
  normalize: boolean;
  duplicates: NonNullable<ReadOptions["duplicates"]>;
  output?: string;
  quiet: boolean;
}

function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} takes ${allowed.join(", ")}; got "${v}"`);
  return v as T;
}

export function parseScoreArgs(args: string[]): ScoreCliOptions | "help" {
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      method: { type: "string" },
      "gene-sets": { type: "string" },
      "set-column": { type: "string" },
      "gene-column": { type: "string" },
      transform: { type: "string" },
      "no-normalize": { type: "boolean" },
      duplicates: { type: "string" },
      output: { type: "string", short: "o" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) return "help";
  if (positionals.length !== 1) throw new UsageError(`expected one mixture file, got ${positionals.length}${positionals.length ? ": " + positionals.join(" ") : ""}`);
  if (v.method === undefined) throw new UsageError(`--method is required (${SCORE_METHODS.join(", ")})`);
  const method = oneOf("method", v.method, SCORE_METHODS);
  const geneSets = v["gene-sets"] ?? DEFAULT_SETS[method];
  if (geneSets === undefined) throw new UsageError(`--method ${method} needs --gene-sets (a .gmt/.tsv file, ESTIMATE, MCPcounter or Danaher)`);
  if (v["no-normalize"] && method !== "ssgsea") throw new UsageError("--no-normalize applies to --method ssgsea only");
  if ((v["set-column"] || v["gene-column"]) && /\.gmt(\.gz)?$/i.test(geneSets)) {
    throw new UsageError("--set-column/--gene-column apply to TSV gene-set files, not GMT");
  }
  const output = v.output;
  if (output !== undefined && output !== "-" && !/\.(tsv|txt|json)$/i.test(output)) {
    throw new UsageError(`--output must end in .tsv, .txt or .json (got "${output}")`);
  }
  return {
    mixture: positionals[0],
    method,
    geneSets,
    setColumn: v["set-column"],
    geneColumn: v["gene-column"],
    transform: oneOf("transform", v.transform ?? "none", ["none", "log2p1"] as const),
    normalize: !v["no-normalize"],
    duplicates: oneOf("duplicates", v.duplicates ?? "error", ["error", "first", "mean", "max"] as const),
    output,
    quiet: v.quiet ?? false,
  };
}

/** Run the chosen method on already parsed inputs. */
export function runScoreMethod(method: ScoreMethod, mixture: Matrix, opts: ScoreRunOptions & { normalize?: boolean }): Promise<MethodTable> {
  switch (method) {
    case "ssgsea":
      return ssgsea.run(mixture, opts);
    case "singscore":
      return singscore.run(mixture, opts);
    case "mcpcounter":
      return mcpcounter.run(mixture, opts);
    case "estimate":
      return estimate.run(mixture, opts);
    default:
      return signatureScores(method, mixture, opts);
  }
}

/** The score table as TSV: `sample`, then one column per set. */
export function scoreTableTsv(t: MethodTable): string {
  const S = t.values.rows.length;
  return formatTable(t.rowHeader, t.values.cols, t.values.rows, (r, c) => t.values.data[r + c * S]);
}

/** The score table as JSON: rows of {sample, <set>: score}, plus coverage and warnings (NaN → null). */
export function scoreTableJson(t: MethodTable): string {
  const S = t.values.rows.length;
  const rows = t.values.rows.map((sample, r) => {
    const o: Record<string, string | number | null> = { [t.rowHeader]: sample };
    t.values.cols.forEach((c, j) => {
      const x = t.values.data[r + j * S];
      o[c] = Number.isFinite(x) ? x : null;
    });
    return o;
  });
  return JSON.stringify({ method: t.method, columns: t.values.cols, rows, coverage: t.coverage, warnings: t.warnings }, null, 2) + "\n";
}

/** How many missing genes a coverage line names before "…". */
const MISSING_SHOWN = 20;

function missingList(c: Coverage): string {
  if (c.missing.length === 0) return "";
  const more = c.missing.length - MISSING_SHOWN;
  return `; missing: ${c.missing.slice(0, MISSING_SHOWN).join(", ")}${more > 0 ? `, … (${more} more; all in --output .json)` : ""}`;
}

/** One list's coverage line, as every command prints it on stderr. */
export function coverageLine(method: string, c: Coverage): string {
  return `cellfrac: ${method}: ${c.name}: ${c.found} of ${c.total} genes found${missingList(c)}\n`;
}

/**
 * The coverage report a command prints on stderr: per signature, gene set or marker list, how many of
 * its genes the mixture has and which are missing. One line for a single list; otherwise a total line
 * and a line per list.
 */
export function coverageReport(t: MethodTable): string {
  const line = (c: Coverage) => `${c.name}: ${c.found} of ${c.total} genes found${missingList(c)}`;
  if (t.coverage.length === 1) return coverageLine(t.method, t.coverage[0]);
  const found = t.coverage.reduce((s, c) => s + c.found, 0);
  const total = t.coverage.reduce((s, c) => s + c.total, 0);
  const head = `cellfrac: ${t.method}: ${t.coverage.length} gene lists, ${found} of ${total} genes found\n`;
  return head + t.coverage.map((c) => `cellfrac: ${t.method}:   ${line(c)}\n`).join("");
}

export async function runScore(o: ScoreCliOptions, io: CliIO): Promise<{ table: MethodTable; text?: string }> {
  checkOutputPath(o.output);
  const warn = (m: string) => {
    if (!o.quiet) io.stderr(`cellfrac: warning: ${m}\n`);
  };
  const read = await readMatrixStreamed(o.mixture, { what: "mixture", duplicates: o.duplicates, onWarning: warn });
  const mixture = toSymbols(read, { duplicates: o.duplicates, onWarning: warn });
  const sets: GeneSet[] = loadGeneSets(o.geneSets, { setColumn: o.setColumn, geneColumn: o.geneColumn, onWarning: warn });
  const table = await runScoreMethod(o.method, mixture, { geneSets: sets, transform: o.transform, normalize: o.normalize, onWarning: warn });
  if (!o.quiet) io.stderr(coverageReport(table));
  const text = o.output?.toLowerCase().endsWith(".json") ? scoreTableJson(table) : scoreTableTsv(table);
  if (o.output && o.output !== "-") {
    writeFileAtomic(o.output, text);
    return { table };
  }
  return { table, text };
}

export const scoreCommand: Command = {
  name: "score",
  usage: "cellfrac score <mixture> --method M [--gene-sets S] [options]",
  summary: "gene-set scores: ssGSEA, singscore, MCP-counter, ESTIMATE, mean/zscore/pc1",
  async run(args, io) {
    const o = parseScoreArgs(args);
    if (o === "help") {
      io.stdout(SCORE_HELP + "\n");
      return 0;
    }
    const { text } = await runScore(o, io);
    if (text !== undefined) io.stdout(text);
    return 0;
  },
};
