// The page's Compare step: `cellfrac compare <results> <reference> [--by B] [--map FILE]` on the run's table,
// with the CLI's own core (src/core/compare.ts: parseTable, parseCellTypeMap, compareTables and its
// formatters) and its --by check, so the report and downloads are the CLI's bytes. Loaded on first use.
import {
  COMPARE_BY,
  type CompareReport,
  compareTables,
  formatCompareJson,
  formatCompareText,
  formatCompareTsv,
} from "../../core/compare.js";
import { LINEAGES_FILE, parseCellTypeMap, parseTable } from "../../core/compare.js";
import { InputError, UsageError } from "../../core/errors.js";
import { checkValue } from "../../core/registry.js";
import { preloadData } from "../host.js";
import { gunzipIfNeeded } from "../parse.js";
import { save } from "./dom.js";

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A chosen file's text (gunzipped by content, as the CLI's readers do). */
async function text(f: File): Promise<string> {
  return new TextDecoder().decode(await gunzipIfNeeded(new Uint8Array(await f.arrayBuffer()), f.name));
}

let report: CompareReport | undefined;

/** Runs the comparison of `results` (the run's TSV, named `name` as the CLI's -o file would be). */
export async function runCompare(results: string, name: string): Promise<void> {
  const box = $<HTMLDivElement>("compare-error");
  box.hidden = true;
  $("compare-report").textContent = "";
  report = undefined;
  for (const id of ["download-compare", "download-compare-json"]) $<HTMLButtonElement>(id).disabled = true;
  try {
    const ref = $<HTMLInputElement>("compare-reference").files?.[0];
    if (!ref) throw new UsageError("choose a reference or ground-truth table to compare with");
    const by = (checkValue(COMPARE_BY, $<HTMLSelectElement>("compare-by").value) ?? "auto") as "auto" | "exact" | "lineage";
    await preloadData([LINEAGES_FILE]);
    const mapFile = $<HTMLInputElement>("compare-map").files?.[0];
    const map = mapFile ? parseCellTypeMap(await text(mapFile), mapFile.name) : undefined;
    report = compareTables(parseTable(results, name), parseTable(await text(ref), ref.name), { by, map });
    $("compare-report").textContent = formatCompareText(report);
    for (const id of ["download-compare", "download-compare-json"]) $<HTMLButtonElement>(id).disabled = false;
    document.body.dataset.compare = "done";
  } catch (e) {
    const prefix = e instanceof InputError ? "cellfrac: error: " : e instanceof UsageError ? "cellfrac: " : "cellfrac: internal error: ";
    box.textContent = prefix + ((e as Error)?.message ?? String(e));
    box.hidden = false;
    document.body.dataset.compare = "failed";
  }
}

/** The report's TSV or JSON (`cellfrac compare … -o x.tsv` / `--json`). */
export function saveCompare(kind: "tsv" | "json", base: string): void {
  if (!report) return;
  const out = kind === "tsv" ? formatCompareTsv(report) : formatCompareJson(report);
  save(new Blob([out], { type: kind === "tsv" ? "text/tab-separated-values" : "application/json" }), `${base}.compare.${kind}`);
}
