// All cellfrac commands, in the order `cellfrac --help` lists them. A command's module (and what it
// imports) loads only when that command runs, so `cellfrac --help` and each run start with what they use.
// The name, usage and summary are written here only: command modules take them with listed(name).
import type { Command } from "./types.js";

export interface CommandEntry {
  name: string;
  /** One line for `cellfrac --help`. */
  usage: string;
  summary: string;
  /** Maps gene names (reads a mixture): the CLI starts reading the gene index while the command loads. */
  genes?: boolean;
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: "cibersort",
    usage: "cellfrac cibersort <mixture> [<mixture> ...] [--signature <file|LM22>] [options]",
    summary: "CIBERSORT v1.04, R-identical",
    genes: true,
    load: async () => (await import("./cibersort.js")).cibersortCommand,
  },
  {
    name: "nnls",
    usage: "cellfrac nnls <mixture> [--signature <file|LM22|TIL10>] [--coefficients]",
    summary: "NNLS deconvolution (Lawson–Hanson, as R nnls)",
    genes: true,
    load: async () => (await import("./nnls.js")).nnlsCommand,
  },
  {
    name: "epic",
    usage: "cellfrac epic <mixture> [--reference TRef|BRef|<dir>]",
    summary: "EPIC cell fractions incl. uncharacterised cells",
    genes: true,
    load: async () => (await import("./epic.js")).epicCommand,
  },
  {
    name: "quantiseq",
    usage: "cellfrac quantiseq <mixture> [--tumor] [--arrays]",
    summary: "quanTIseq cell fractions (TIL10 + Other)",
    genes: true,
    load: async () => (await import("./quantiseq.js")).quantiseqCommand,
  },
  {
    name: "score",
    usage: "cellfrac score <mixture> --method M [--gene-sets S] [options]",
    summary: "gene-set scores: ssGSEA, singscore, MCP-counter, ESTIMATE, mean/zscore/pc1",
    genes: true,
    load: async () => (await import("./score.js")).scoreCommand,
  },
  {
    name: "plan",
    usage: "cellfrac plan cibersort <mixture> [options] -o cohort.plan",
    summary: "CIBERSORT's cohort-wide pass as a plan, for sharded runs and `cellfrac merge`",
    genes: true,
    load: async () => (await import("./plan.js")).planCommand,
  },
  {
    name: "merge",
    usage: "cellfrac merge <part>… -o result.tsv|.json|.arrow|.parquet",
    summary: "merge the part files of a sharded run into the one run's output, byte for byte",
    load: async () => (await import("./merge.js")).mergeCommand,
  },
  {
    name: "compare",
    usage: "cellfrac compare <result> <reference-or-truth> [--map FILE] [--json] [-o out]",
    summary: "agreement with a reference or ground truth: r, ρ, RMSE, max |Δ|, bias per cell type",
    load: async () => (await import("./compare.js")).compareCommand,
  },
  {
    name: "stats",
    usage: "cellfrac stats <results> --samples <annotation> TEST",
    summary: "cohort statistics per feature, R-identical: lm/anova, wilcoxon/kruskal, cor.test, logistic, cox",
    load: async () => (await import("./stats.js")).statsCommand,
  },
  {
    name: "report",
    usage: "cellfrac report <results> [--samples F] [--stats F …] [--group-by COL] [--score COL] -o report.html",
    summary: "self-contained HTML report with charts and tables; --figures DIR for SVGs",
    load: async () => (await import("./report.js")).reportCommand,
  },
  {
    name: "demo",
    usage: "cellfrac demo",
    summary: "LM22 on the bundled example cohort",
    genes: true,
    load: async () => (await import("./demo.js")).demoCommand,
  },
  {
    name: "serve",
    usage: "cellfrac serve [--port N]",
    summary: "the browser page on http://127.0.0.1 (static, offline, COOP/COEP)",
    load: async () => (await import("./serve.js")).serveCommand,
  },
];

/** A command's name, usage and summary as COMMANDS lists them (its module spreads them into its Command). */
export function listed(name: string): Pick<CommandEntry, "name" | "usage" | "summary"> {
  const e = COMMANDS.find((c) => c.name === name);
  if (!e) throw new Error(`cellfrac: command "${name}" is missing from COMMANDS (src/node/commands/index.ts)`);
  return { name: e.name, usage: e.usage, summary: e.summary };
}
