// `cellfrac stats <results> --samples <annotation> TEST`: cohort statistics on a result table, R's numbers.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseArgs } from "node:util";
import { readTable } from "../compare.js";
import { InputError, UsageError } from "../../core/errors.js";
import { formatNumber } from "../../core/formats/write.js";
import { isGzip } from "../../core/formats/gzip.js";
import {
  formatStatsJson,
  formatStatsTsv,
  formatStatsWide,
  mergeAnnotations,
  parseAnnotation,
  parseStatsArgs,
  runStats,
  type Annotation,
  type StatsOptions,
} from "../../core/stats/index.js";
import { writeFileAtomic } from "../write.js";
import type { Command } from "./types.js";

const STATS_HELP = `Usage: cellfrac stats <results> --samples <annotation> [--id-column COL] TEST [options]

Tests every feature (cell type or score column) of a result table against a sample annotation and
gives R 4.2's numbers for each. <results>: any cellfrac result (TSV or JSON, samples as rows); its
numeric columns except P-value, Correlation, RMSE, Absolute score and convergeCode are the features.
Constant features are reported and left out. The annotation is a TSV/CSV table with a header; the id
column is the one whose values match the result's sample names (or --id-column). Samples present in
only one of the two files are listed on stderr. A missing value (NA or empty) drops that sample from
that model only (R's na.omit); n says how many samples each model used.

TEST (exactly one):
  --lm "~ RHS"          lm(feature ~ RHS) + summary.lm: rows test=lm per coefficient ((Intercept)
                        included; estimate, std_error, t, residual df, p), and rows test=anova per term
                        (F, df, df2 = residual df, p). RHS: column names joined by +, * and :,
                        with parentheses; backquote other names: "~ \`ER status\` * age".
                        Aliased coefficients (rank-deficient design) are NA, as R reports them.
    --anova 1|2|3       1 = anova(fit) (sequential), 2 = car::Anova(fit, type = 2) (default),
                        3 = car::Anova(fit, type = 3) with contr.sum factors (coefficients then named as
                        R names them under contr.sum: HR1, …)
  --group COL           two groups: wilcox.test(x = first level, y = second) — exact when both groups
                        have < 50 samples and there are no ties, else the normal approximation with
                        continuity and tie correction; statistic W, estimate = median(second) −
                        median(first), term <COL><second> as lm names that coefficient (e.g.
                        HRPositive). Three or more: kruskal.test
                        (statistic chi-squared, df).
  --cor COL             cor.test(feature, COL, method = M): --method spearman (default; rho, S; exact
                        AS 89 p when n < 1290 without ties, else the t approximation), pearson (r, t,
                        df) or kendall (tau-b; T and the exact p when n < 50 without ties, else z).
  --logistic COL        glm(COL ~ feature + covariates, family = binomial) + summary.glm (Wald z), by
                        R's IRLS (epsilon 1e-8, maxit 25); COL is 0/1 or has two values (the second is
                        1). R's warnings (separation: "fitted probabilities numerically 0 or 1") are
                        repeated on stderr.
  --cox TIME,EVENT      survival::coxph(Surv(TIME, EVENT) ~ feature + covariates), ties = "efron": rows
                        test=cox per coefficient (estimate = log hazard ratio, std_error, z, p) and one
                        row test=cox_lr (likelihood-ratio chi-squared, df, p). EVENT is 0/1. R's
                        warnings ("Ran out of iterations", "coefficient may be infinite") are repeated.
    --covariates "RHS"  extra terms for --logistic and --cox

Options:
  --samples F           the annotation table (required); repeat to merge several on their sample ids
                        (e.g. the clinical table and a "cellfrac score" result)
  --id-column COL       annotation column holding the sample names (in every --samples table)
  --by COL              run the test within each level of COL (column "stratum"); a stratum with too
                        few samples is reported on stderr and skipped, the others are computed
  --adjust M            q_value = p.adjust(p, M) across features within each (test, term, stratum):
                        BH (default), holm, bonferroni or none
  --levels COL=a,b,c    level order of COL (the first is the baseline); makes COL categorical. Repeat
                        for several columns. Otherwise character columns are factors with levels in C
                        locale order, and --group/--by columns are categorical.
  --features a,b        test only these result columns
  --format F            tsv (default), json, or wide: a feature × (test:term|stratum) matrix of --value
  --value COL           the statistic of --format wide: n, estimate (default), std_error, statistic,
                        df, df2, p_value or q_value
  -o, --output F        write F atomically (.json implies --format json); without it, stdout
  -q, --quiet           no warnings on stderr
  -h, --help            this help

Output columns: feature, stratum, test, term, n, estimate, std_error, statistic, df, df2, p_value,
q_value — empty where the test does not define the value, NA where R reports NA. Numbers are written at
full double precision. Exit codes: 0 ok, 2 usage error, 3 bad input (the message names the file, line,
column or sample; nothing is written).`;

/** Reads an annotation file (plain or gzipped). */
export function readAnnotation(path: string): Annotation {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(
      `cannot read annotation: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
      { file: path },
    );
  }
  if (isGzip(bytes)) bytes = gunzipSync(bytes);
  return parseAnnotation(new TextDecoder().decode(bytes), path);
}

export const statsCommand: Command = {
  name: "stats",
  usage: "cellfrac stats <results> --samples <annotation> TEST",
  summary: "cohort statistics per feature, R-identical: lm/anova, wilcoxon/kruskal, cor.test, logistic, cox",
  async run(args, io) {
    const { values: v, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        samples: { type: "string", multiple: true },
        "id-column": { type: "string" },
        lm: { type: "string" },
        anova: { type: "string" },
        group: { type: "string" },
        cor: { type: "string" },
        method: { type: "string" },
        logistic: { type: "string" },
        cox: { type: "string" },
        covariates: { type: "string" },
        by: { type: "string" },
        adjust: { type: "string" },
        levels: { type: "string", multiple: true },
        features: { type: "string" },
        format: { type: "string" },
        value: { type: "string" },
        output: { type: "string", short: "o" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (v.help) {
      io.stdout(STATS_HELP + "\n");
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError(`expected one result table, got ${positionals.length} argument(s) (see cellfrac stats --help)`);
    if (!v.samples?.length) throw new UsageError("--samples <annotation> is required");
    const a = parseStatsArgs(v);
    const options: StatsOptions = { ...a.options, onWarning: v.quiet ? undefined : (m) => io.stderr(`cellfrac: stats: ${m}\n`) };
    const out = v.output;
    const format = a.format ?? (out && /\.json$/i.test(out) ? "json" : "tsv");
    const results = readTable(positionals[0]);
    const annotation = mergeAnnotations(v.samples.map(readAnnotation), new Set(results.rows), options.idColumn, options.onWarning);
    const records = runStats(results, annotation, a.test, options);
    const text =
      format === "json"
        ? formatStatsJson(records)
        : format === "wide"
          ? formatStatsWide(records, a.value, formatNumber)
          : formatStatsTsv(records, formatNumber);
    if (out && out !== "-") writeFileAtomic(out, text);
    else io.stdout(text);
    return 0;
  },
};
