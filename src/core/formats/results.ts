// Result text every host writes: a method's table as TSV or JSON (CIBERSORT's JSON keeps its own richer
// document), and the gene-coverage report the CLI prints on stderr.
import { toResultsJSON } from "../cibersort/output.js";
import type { Coverage, MethodTable } from "../methods/types.js";
import type { MethodOutput } from "../registry.js";
import { formatTable } from "./write.js";

/** The table as TSV: the row header (`Mixture` or `sample`), then one column per cell type, set or fit value. */
export function methodTableTsv(t: MethodTable): string {
  const S = t.values.rows.length;
  return formatTable(t.rowHeader, t.values.cols, t.values.rows, (r, c) => t.values.data[r + c * S]);
}

/** The table as JSON: rows of {<row header>: name, <column>: value}, plus coverage and warnings (NaN → null). */
export function methodTableJson(t: MethodTable): string {
  const S = t.values.rows.length;
  const rows = t.values.rows.map((sample, r) => {
    const o: Record<string, string | number | null> = { [t.rowHeader]: sample };
    t.values.cols.forEach((c, j) => {
      const x = t.values.data[r + j * S];
      o[c] = Number.isFinite(x) ? x : null;
    });
    return o;
  });
  const doc = { method: t.method, columns: t.values.cols, rows, coverage: t.coverage, renamed: t.renamed, warnings: t.warnings };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** A run's result as text: the TSV table (for CIBERSORT the CIBERSORT-Results table) or JSON. */
export function resultText(out: MethodOutput, format: "tsv" | "json"): string {
  if (format === "tsv") return methodTableTsv(out.table);
  return out.cibersort ? toResultsJSON(out.cibersort) : methodTableJson(out.table);
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
  const note = renamedNote(t);
  return coverageLines(t) + (note ? `cellfrac: ${t.method}: ${note}\n` : "");
}

/** Every rename meetGenes applied, in one sentence (undefined when none). */
export function renamedNote(t: Pick<MethodTable, "renamed">): string | undefined {
  if (!t.renamed?.length) return undefined;
  return `${t.renamed.length} genes found under another name (list's name ← mixture's name): ${t.renamed.join(", ")}`;
}

function coverageLines(t: MethodTable): string {
  const line = (c: Coverage) => `${c.name}: ${c.found} of ${c.total} genes found${missingList(c)}`;
  if (t.coverage.length === 1) return coverageLine(t.method, t.coverage[0]);
  const found = t.coverage.reduce((s, c) => s + c.found, 0);
  const total = t.coverage.reduce((s, c) => s + c.total, 0);
  const head = `cellfrac: ${t.method}: ${t.coverage.length} gene lists, ${found} of ${total} genes found\n`;
  return head + t.coverage.map((c) => `cellfrac: ${t.method}:   ${line(c)}\n`).join("");
}
