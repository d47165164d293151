// The sample annotation of `cellfrac stats`: a TSV/CSV table with a header, one row per sample. Missing
// values are NA or empty, as read.table(na.strings = c("NA", "")) reads them.
import { InputError } from "../errors.js";

export interface Annotation {
  name: string;
  columns: string[];
  /** rows[r][c]; null = missing. */
  rows: (string | null)[][];
  /** 1-based file line of each row, for messages. */
  lines: number[];
}

const MISSING = new Set(["NA", ""]);

export function parseAnnotation(text: string, name: string): Annotation {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  if (lines.length < 2) throw new InputError("annotation has no data rows", { file: name });
  const delim = lines[0].includes("\t") ? "\t" : ",";
  const split = (l: string) => l.split(delim).map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
  const columns = split(lines[0]);
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (c === "") throw new InputError("empty column name", { file: name, line: 1, column: i + 1 });
    if (seen.has(c)) throw new InputError(`duplicate column name "${c}"`, { file: name, line: 1, column: i + 1 });
    seen.add(c);
  });
  const rows: (string | null)[][] = [];
  const lineNo: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const f = split(lines[i]);
    if (f.length !== columns.length) {
      throw new InputError(`expected ${columns.length} fields, found ${f.length}`, { file: name, line: i + 1 });
    }
    rows.push(f.map((v) => (MISSING.has(v) ? null : v)));
    lineNo.push(i + 1);
  }
  return { name, columns, rows, lines: lineNo };
}
