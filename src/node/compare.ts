// `compare`'s tables from files: TSV/CSV (plain or gzipped) or a cellfrac JSON result.
import { type NamedTable, parseCellTypeMap, parseTable } from "../core/compare.js";
import { gunzipIfGzip } from "../core/host.js";
import { readFileBytes } from "./read.js";

/** A table file (see parseTable); messages name `name` (default: the path). Non-numeric columns are dropped. */
export function readTable(path: string, name = path): NamedTable {
  return parseTable(new TextDecoder().decode(gunzipIfGzip(readFileBytes(path, "table", name), name)), name);
}

/** A --map file (see parseCellTypeMap). */
export function readCellTypeMap(path: string): Map<string, string> {
  return parseCellTypeMap(new TextDecoder().decode(gunzipIfGzip(readFileBytes(path, "cell-type map"), path)), path);
}
