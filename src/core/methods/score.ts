// The score methods by name and the writers of a method's table (TSV, JSON, the stderr coverage report),
// shared by the CLI, the Node API and the page's run worker.
import { formatTable } from "../formats/write.js";
import type { Matrix } from "../matrix.js";
import { estimate } from "./estimate.js";
import { mcpcounter } from "./mcpcounter.js";
import type { ScoreRunOptions } from "./scorekit.js";
import { signatureScores } from "./sigscore.js";
import { singscore } from "./singscore.js";
import { ssgsea } from "./ssgsea.js";
import type { Coverage, MethodTable } from "./types.js";

export const SCORE_METHODS = ["ssgsea", "singscore", "mcpcounter", "estimate", "mean", "zscore", "pc1"] as const;
export type ScoreMethod = (typeof SCORE_METHODS)[number];

/** Run the chosen method on already parsed inputs. */
export function runScoreMethod(
  method: ScoreMethod,
  mixture: Matrix,
  opts: ScoreRunOptions & { normalize?: boolean },
): Promise<MethodTable> {
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
