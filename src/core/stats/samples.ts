// Joins a result table with the sample annotation and turns annotation columns into model variables
// (numeric, or factors with levels in C-locale order or as --levels gives them) over the joined samples.
import { InputError, UsageError, type InputLocation } from "../errors.js";
import type { NamedTable } from "../compare.js";
import { idColumnOf, rowsById, type Annotation } from "./annotation.js";
import type { FactorVariable, Variable } from "./formula.js";

const isNumber = (v: string) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v);
/** C-locale order (code units), as R's sort() under LC_COLLATE=C. */
const cCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface Joined {
  /** Result row of each joined sample. */
  resultRow: number[];
  /** Annotation row of each joined sample. */
  annRow: number[];
  samples: string[];
}

export function join(results: NamedTable, ann: Annotation, idColumn: string | undefined, warn: (m: string) => void): Joined {
  const seen = new Set<string>();
  results.rows.forEach((s) => {
    if (seen.has(s)) throw new InputError(`duplicate sample name`, { file: results.name, sample: s });
    seen.add(s);
  });
  const col = idColumnOf(ann, seen, idColumn);
  const byId = rowsById(ann, col);
  const out: Joined = { resultRow: [], annRow: [], samples: [] };
  const onlyResults: string[] = [];
  results.rows.forEach((s, i) => {
    const a = byId.get(s);
    if (a === undefined) onlyResults.push(s);
    else {
      out.resultRow.push(i);
      out.annRow.push(a);
      out.samples.push(s);
    }
  });
  const onlyAnn = [...byId.keys()].filter((id) => !seen.has(id));
  const list = (xs: string[]) => xs.slice(0, 10).join(", ") + (xs.length > 10 ? `, … (${xs.length - 10} more)` : "");
  if (onlyResults.length) warn(`${onlyResults.length} sample(s) of ${results.name} not in ${ann.name}, left out: ${list(onlyResults)}`);
  if (onlyAnn.length) warn(`${onlyAnn.length} sample(s) of ${ann.name} not in ${results.name}, left out: ${list(onlyAnn)}`);
  if (out.samples.length === 0) throw new InputError(`no sample of ${results.name} is in ${ann.name}`, { file: ann.name });
  return out;
}

/** Builds annotation variables over the joined samples. */
export class VariableSource {
  private cache = new Map<string, Variable>();
  constructor(
    private ann: Annotation,
    private joined: Joined,
    private levels: Record<string, string[]>,
  ) {}

  get annName(): string {
    return this.ann.name;
  }

  /** Where joined sample i's value of column `name` is. */
  locate(name: string, i: number): InputLocation {
    return { ...this.ann.loc(this.joined.annRow[i], this.column(name)), sample: this.joined.samples[i] };
  }

  has(name: string): boolean {
    return this.ann.columns.includes(name);
  }

  column(name: string): number {
    const c = this.ann.columns.indexOf(name);
    if (c < 0) throw new UsageError(`no column "${name}" in ${this.ann.name} (columns: ${this.ann.columns.join(", ")})`);
    return c;
  }

  /** Column `name` as a factor whatever its values (--group, --by). */
  factor(name: string): FactorVariable {
    return this.get(name, true) as FactorVariable;
  }

  get(name: string, categorical = false): Variable {
    const key = `${name}\u0000${categorical}`;
    let v = this.cache.get(key);
    if (!v) this.cache.set(key, (v = this.make(name, categorical)));
    return v;
  }

  private make(name: string, categorical: boolean): Variable {
    const c = this.column(name);
    const raw = this.joined.annRow.map((r) => this.ann.rows[r][c]);
    const given = this.levels[name];
    const numeric = raw.every((v) => v === null || isNumber(v));
    if (!given && !categorical && numeric)
      return { kind: "numeric", name, values: Float64Array.from(raw, (v) => (v === null ? NaN : Number(v))) };
    let levels: string[];
    if (given) {
      levels = given;
      raw.forEach((v, i) => {
        if (v !== null && !given.includes(v)) {
          const r = this.joined.annRow[i];
          throw new InputError(`value "${v}" of column ${name} is not among --levels ${name}=${given.join(",")}`, {
            ...this.ann.loc(r, c),
            sample: this.joined.samples[i],
          });
        }
      });
    } else {
      const uniq = [...new Set(raw.filter((v): v is string => v !== null))];
      // R sorts the levels of a numeric column by value, of a character column in collation order.
      levels = numeric ? uniq.sort((a, b) => Number(a) - Number(b)) : uniq.sort(cCompare);
    }
    const index = new Map(levels.map((l, i) => [l, i]));
    return { kind: "factor", name, levels, codes: Int32Array.from(raw, (v) => (v === null ? -1 : index.get(v)!)) };
  }
}

export const missing = (v: Variable, i: number) => (v.kind === "numeric" ? Number.isNaN(v.values[i]) : v.codes[i] < 0);
