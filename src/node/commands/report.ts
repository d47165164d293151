// `cellfrac report`: one self-contained HTML file (charts, run summary, tables) from a results file, with an
// optional sample annotation and stats tables; --figures writes the charts as SVG files too.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_LIMITS } from "../../core/charts/specs.js";
import { UsageError } from "../../core/errors.js";
import { buildReport, type ReportFile } from "../../core/report/index.js";
import { writeFileAtomic } from "../write.js";
import { cliSay } from "../output.js";
import { readFileBytes } from "../read.js";
import { packageVersion } from "../host.js";
import { checkValue } from "../../core/registry.js";
import type { CliIO, Command } from "./types.js";
import { commandArgs, printHelp } from "./args.js";
import { listed } from "./index.js";

const REPORT_HELP = `Usage: cellfrac report <results> [options] -o report.html

Writes one self-contained HTML report of a cellfrac result: the run summary (method, signature coverage and
warnings when the results are JSON, SHA-256 fingerprints of the inputs, cellfrac version, one timestamp
line), the charts, and sortable results and stats tables with TSV downloads. The file needs nothing else
and requests nothing when opened (its Content-Security-Policy forbids every connection).

Inputs:
  <results>            output of cellfrac cibersort|nnls|epic|quantiseq|score: .json (preferred: it
                       records method, coverage and warnings) or the .tsv table
  --samples F          sample annotation, TSV: first column the sample names, then one column per variable
  --stats F            stats table (the cellfrac stats TSV: feature, stratum, test, term, n, estimate,
                       std_error, statistic, df, df2, p_value, q_value); may be given several times

Charts:
  --group-by COL       order the bars by this --samples column and draw box plots by it, titled with the
                       stats tables' q-values (kruskal, wilcoxon or anova rows of each cell type)
  --score COL          scatter plots of each cell type against this numeric --samples column, with a
                       least-squares line (one per level of X when the stats hold a COL:X interaction)
  The forest plot shows the lm, logistic and cox rows of --stats with 95 % confidence intervals, the volcano
  plot every stats row with an estimate and a p-value.
  --max-bars N         at most N bars / heatmap columns (default ${DEFAULT_LIMITS.maxBars}); more samples are shown as
                       means of consecutive samples, and the chart says so
  --max-points N       at most N points per scatter panel (default ${DEFAULT_LIMITS.maxPoints}); lines use every sample

Output:
  -o, --output F       the report (.html), written atomically
  --figures DIR        also write each chart as DIR/<chart>.svg (created if missing)
  -q, --quiet          nothing on stderr
  -h, --help           this help

The report's bytes depend only on the inputs and options, except the timestamp line (set it with the
SOURCE_DATE_EPOCH environment variable, in seconds, for fully reproducible files).`;

export interface ReportCliOptions {
  results: string;
  samples?: string;
  stats: string[];
  groupBy?: string;
  score?: string;
  output?: string;
  figures?: string;
  maxBars: number;
  maxPoints: number;
  quiet: boolean;
}

export function parseReportArgs(args: string[]): ReportCliOptions | "help" {
  const { values: v, positionals } = commandArgs(args, {
    samples: { type: "string" },
    stats: { type: "string", multiple: true },
    "group-by": { type: "string" },
    score: { type: "string" },
    figures: { type: "string" },
    "max-bars": { type: "string" },
    "max-points": { type: "string" },
  });
  if (v.help) return "help";
  if (positionals.length !== 1)
    throw new UsageError(`expected one results file, got ${positionals.length}${positionals.length ? `: ${positionals.join(" ")}` : ""}`);
  if (!v.output && !v.figures) throw new UsageError("give -o report.html and/or --figures DIR");
  if (v.output !== undefined && !/\.html?$/i.test(v.output)) throw new UsageError(`--output must end in .html (got "${v.output}")`);
  if ((v["group-by"] || v.score) && !v.samples) throw new UsageError("--group-by and --score need --samples (the sample annotation)");
  return {
    results: positionals[0],
    samples: v.samples,
    stats: v.stats ?? [],
    groupBy: v["group-by"],
    score: v.score,
    output: v.output,
    figures: v.figures,
    maxBars: (checkValue({ ...LIMIT, name: "max-bars" }, v["max-bars"]) as number | undefined) ?? DEFAULT_LIMITS.maxBars,
    maxPoints: (checkValue({ ...LIMIT, name: "max-points" }, v["max-points"]) as number | undefined) ?? DEFAULT_LIMITS.maxPoints,
    quiet: v.quiet ?? false,
  };
}

/** --max-bars and --max-points: integers ≥ 1, checked (and worded) as every option. */
const LIMIT = { type: "integer", min: 1, help: "", hosts: ["cli"] } as const;

/** The report's timestamp: SOURCE_DATE_EPOCH (reproducible builds convention) or now, to the second. */
function timestamp(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const d = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Builds the report (and figures); returns the HTML. */
export async function runReport(o: ReportCliOptions, io: CliIO): Promise<string> {
  const file = (path: string, role: string): ReportFile => ({ path, bytes: readFileBytes(path, `${role} file`) });
  const { html, charts } = await buildReport({
    results: file(o.results, "results"),
    samples: o.samples ? file(o.samples, "samples") : undefined,
    stats: o.stats.map((p) => file(p, "stats")),
    groupBy: o.groupBy,
    score: o.score,
    limits: { ...DEFAULT_LIMITS, maxBars: o.maxBars, maxPoints: o.maxPoints },
    version: packageVersion(),
    generated: timestamp(),
  });
  if (o.figures) {
    mkdirSync(o.figures, { recursive: true });
    for (const c of charts) if (c.svg) writeFileAtomic(join(o.figures, `${c.id}.svg`), c.svg);
  }
  if (o.output) writeFileAtomic(o.output, html);
  const skipped = charts.filter((c) => !c.svg).map((c) => `${c.id} (${c.skipped})`);
  const drawn = `${charts.length - skipped.length} charts${skipped.length ? `; not drawn: ${skipped.join(", ")}` : ""}`;
  cliSay(io, o.quiet).note(`cellfrac: report: ${drawn}\n`);
  return html;
}

export const reportCommand: Command = {
  ...listed("report"),
  async run(args, io) {
    const o = parseReportArgs(args);
    if (o === "help") return printHelp(io, REPORT_HELP);
    await runReport(o, io);
    return 0;
  },
};
