// `cellfrac compare <result> <reference>`: agreement of a result with a reference or ground truth.
import { COMPARE_BY, compareTables, formatCompareJson, formatCompareText, formatCompareTsv } from "../../core/compare.js";
import { readCellTypeMap, readTable } from "../compare.js";
import { UsageError } from "../../core/errors.js";
import { checkValue } from "../../core/registry.js";
import { checkOutputPath } from "../write.js";
import { emit, outputExt } from "../output.js";
import type { Command } from "./types.js";
import { commandArgs, printHelp } from "./args.js";
import { listed } from "./index.js";

const COMPARE_HELP = `Usage: cellfrac compare <result> <reference-or-truth> [--map FILE] [--json] [-o out]

Compares a result table (any cellfrac output: CIBERSORT-Results TSV, a method table with first column
Mixture or sample, or their JSON) with a reference (another method's output, R's CIBERSORT-Results.txt)
or a ground truth (flow cytometry, mixing fractions). The reference may be samples × cell types or
cell types × samples; the orientation sharing more sample names with the result is used and reported.
Tables whose rows all sum to about 100 are read as percentages.

Cell types: when one side's cell types are all among the other's, names are compared 1:1; otherwise
both sides are summed into the lineages of data/lineages.tsv (e.g. LM22's 22 types into B, CD4 T conv,
Treg, CD8 T, NK, monocytes, …) and every lineage measurable on both sides is compared. Names are matched
regardless of case, punctuation, plurals and word order ("CD8+ T cells", T.cells.CD8, CD8Tcells and
T_cells_CD8 are one type). A column holding at least the sum of its sub-populations in every sample (T cells
beside CD4 and CD8 T cells, Lymphocytes beside its subsets) is a parent: it is compared as its own lineage,
never summed with them. Columns of no known type are listed with the closest known name.
Fit columns (P-value, Correlation, RMSE, convergeCode, Absolute score) are never compared.

Per cell type: n, Pearson r, Spearman ρ, RMSE, max |Δ|, bias = mean(result − reference); overall:
pooled r and ρ over all pairs, mean r, mean RMSE, max |Δ|, pooled bias.

Options:
  --by B          auto (default), exact (names 1:1) or lineage
  --map FILE      your mapping: a two-column TSV/CSV, column name then a lineage or known cell-type name
                  of data/lineages.tsv (e.g. "Tcells_total<TAB>T"); implies lineage matching
  --json          JSON on stdout (or in -o)
  -o, --output F  write F atomically: .json JSON, .tsv/.txt a TSV table, anything else the text report
  -q, --quiet     accepted as every command does (compare writes nothing on stderr)
  -h, --help      this help`;

export const compareCommand: Command = {
  ...listed("compare"),
  async run(args, io) {
    const { values: v, positionals } = commandArgs(args, { by: { type: "string" }, map: { type: "string" }, json: { type: "boolean" } });
    if (v.help) return printHelp(io, COMPARE_HELP);
    if (positionals.length !== 2) throw new UsageError(`expected a result and a reference table, got ${positionals.length} argument(s)`);
    const by = (checkValue(COMPARE_BY, v.by) ?? "auto") as "auto" | "exact" | "lineage";
    checkOutputPath(v.output);
    const map = v.map === undefined ? undefined : readCellTypeMap(v.map);
    const report = compareTables(readTable(positionals[0]), readTable(positionals[1]), { by, map });
    const ext = outputExt(v.output);
    const json = v.json || ext === "json";
    const text = json ? formatCompareJson(report) : ext === "tsv" || ext === "txt" ? formatCompareTsv(report) : formatCompareText(report);
    emit(io, v.output, text);
    return 0;
  },
};
