// The sample annotation of `cellfrac stats`: TSV/CSV tables with a header, one row per sample. Missing
// values are NA or empty, as read.table(na.strings = c("NA", "")) reads them. Several tables (e.g. the
// clinical table and a `cellfrac score` result) are merged on their sample-id columns.
import { InputError, UsageError, type InputLocation } from "../errors.js";

export interface Annotation {
  name: string;
  columns: string[];
  /** rows[r][c]; null = missing. */
  rows: (string | null)[][];
  /** Where cell (r, c) came from, for messages. */
  loc: (row: number, col: number) => InputLocation;
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
  return { name, columns, rows, loc: (r, c) => ({ file: name, line: lineNo[r], column: c + 1 }) };
}

/** The column holding the sample names: `idColumn`, else the one matching most of `samples`. */
export function idColumnOf(ann: Annotation, samples: ReadonlySet<string>, idColumn?: string): number {
  if (idColumn !== undefined) {
    const c = ann.columns.indexOf(idColumn);
    if (c < 0) throw new UsageError(`--id-column: no column "${idColumn}" in ${ann.name} (columns: ${ann.columns.join(", ")})`);
    return c;
  }
  const hits = ann.columns.map((_, c) => ann.rows.filter((r) => r[c] !== null && samples.has(r[c]!)).length);
  const col = hits.indexOf(Math.max(...hits));
  if (hits[col] === 0) throw new InputError(`no column holds the result's sample names (e.g. "${[...samples][0]}")`, { file: ann.name });
  return col;
}

/** Row index by sample id; a repeated id is an error naming its line. */
export function rowsById(ann: Annotation, col: number): Map<string, number> {
  const byId = new Map<string, number>();
  ann.rows.forEach((r, i) => {
    const id = r[col];
    if (id === null) return;
    if (byId.has(id)) throw new InputError(`duplicate sample id "${id}" in column ${ann.columns[col]}`, ann.loc(i, col));
    byId.set(id, i);
  });
  return byId;
}

/**
 * Several annotation tables as one, joined on each table's id column (found against `samples`): the first
 * table's id column, then every other column. A sample missing from one table gets missing values there
 * (reported through onWarning when it is one of `samples`); a column name used by two tables is an error.
 */
export function mergeAnnotations(
  anns: Annotation[],
  samples: ReadonlySet<string>,
  idColumn?: string,
  onWarning: (message: string) => void = () => {},
): Annotation {
  if (anns.length === 1) return anns[0];
  const ids = anns.map((a) => idColumnOf(a, samples, idColumn));
  const maps = anns.map((a, k) => rowsById(a, ids[k]));
  const union = new Set(maps.flatMap((m) => [...m.keys()]));
  maps.forEach((m, k) => {
    // Samples the results and some other table have but this one lacks: their columns here are missing.
    const lacking = [...union].filter((id) => samples.has(id) && !m.has(id));
    if (lacking.length) {
      const list = lacking.slice(0, 10).join(", ") + (lacking.length > 10 ? `, … (${lacking.length - 10} more)` : "");
      onWarning(`${lacking.length} sample(s) not in ${anns[k].name}, its columns missing for them: ${list}`);
    }
  });
  const order = [...new Set(maps.flatMap((m) => [...m.keys()]))];
  const columns = [anns[0].columns[ids[0]]];
  const from: [number, number][] = [[-1, -1]];
  anns.forEach((a, k) =>
    a.columns.forEach((c, j) => {
      if (j === ids[k]) return;
      if (columns.includes(c))
        throw new InputError(`column "${c}" is also in an earlier annotation table`, { file: a.name, line: 1, column: j + 1 });
      columns.push(c);
      from.push([k, j]);
    }),
  );
  const rows = order.map((id) =>
    from.map(([k, j]) => (k < 0 ? id : ((r) => (r === undefined ? null : anns[k].rows[r][j]))(maps[k].get(id)))),
  );
  return {
    name: anns.map((a) => a.name).join(" + "),
    columns,
    rows,
    loc: (r, c) => {
      const [k, j] = from[c];
      const kk = Math.max(k, 0);
      const row = maps[kk].get(order[r]);
      return row === undefined ? { file: anns[kk].name, sample: order[r] } : anns[kk].loc(row, k < 0 ? ids[0] : j);
    },
  };
}
