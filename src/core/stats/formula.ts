// Model formulas and design matrices as R's terms() and model.matrix() build them, for the subset of the
// formula language `cellfrac stats` accepts: column names joined by `+`, `*` and `:`, with parentheses.
// Terms are ordered by degree, then by first appearance; a factor in a term is coded by contrasts when
// the term without it is also in the model (the intercept standing for the empty term), otherwise by one
// indicator per level — R's rule, which decides column names such as `her2score:HRPositive`.
import { UsageError } from "../errors.js";

/** A model variable over all samples; missing values are NaN (numeric) or -1 (factor code). */
export type Variable =
  | { kind: "numeric"; name: string; values: Float64Array }
  | { kind: "factor"; name: string; codes: Int32Array; levels: string[] };

export type NumericVariable = Extract<Variable, { kind: "numeric" }>;
export type FactorVariable = Extract<Variable, { kind: "factor" }>;

/** One term: indices into the formula's variable list, ascending (R's variable order). */
export type Term = number[];

export interface Formula {
  /** Variable names in order of first appearance. */
  variables: string[];
  /** Terms in R's order (by degree, then appearance); the intercept is implicit. */
  terms: Term[];
}

export type Contrasts = "treatment" | "sum";

export interface Design {
  /** Column-major n × p. */
  x: Float64Array;
  n: number;
  p: number;
  colnames: string[];
  /** Term of each column: 0 = intercept, t + 1 = formula.terms[t]. */
  assign: number[];
  /** R's term labels, e.g. "her2score:HR". */
  termLabels: string[];
}

const RESERVED = new Set([
  "if",
  "else",
  "repeat",
  "while",
  "function",
  "for",
  "next",
  "break",
  "TRUE",
  "FALSE",
  "NULL",
  "Inf",
  "NaN",
  "NA",
  "in",
]);

/** A name as R prints it in coefficient and term labels: backquoted unless syntactic. */
export function rName(name: string): string {
  const syntactic = /^((([A-Za-z]|[.][._A-Za-z])[._A-Za-z0-9]*)|[.])$/.test(name) && !RESERVED.has(name) && !/^NA_/.test(name);
  return syntactic ? name : `\`${name}\``;
}

/** Parses "~ a * b + c" (the leading ~ optional). Names may be backquoted. */
export function parseFormula(text: string): Formula {
  const src = text.trim().replace(/^~/, "");
  const toks: string[] = [];
  const re = /\s*(`[^`]*`|[A-Za-z0-9._]+|[+*:()]|\S)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < src.length && (m = re.exec(src))) if (m[1] !== undefined) toks.push(m[1]);
  if (toks.length === 0) throw new UsageError(`formula "${text}" has no terms`);
  const variables: string[] = [];
  let pos = 0;
  const fail = (why: string): never => {
    throw new UsageError(`formula "${text}": ${why} (allowed: column names joined by +, *, : and parentheses)`);
  };
  type Set = number[][];
  const union = (a: number[], b: number[]) => [...new Set([...a, ...b])].sort((x, y) => x - y);
  const cross = (a: Set, b: Set): Set => a.flatMap((s) => b.map((t) => union(s, t)));
  const plus = (a: Set, b: Set): Set => [...a, ...b];
  function primary(): Set {
    const t = toks[pos++];
    if (t === undefined) return fail("unexpected end");
    if (t === "(") {
      const e = sum();
      if (toks[pos++] !== ")") fail("missing )");
      return e;
    }
    if (/^[+*:()]$/.test(t) || !/^(`[^`]*`|[A-Za-z0-9._]+)$/.test(t)) return fail(`unexpected "${t}"`);
    if (/^[0-9]/.test(t)) fail(`"${t}": intercept terms (0, 1) and numbers are not supported`);
    const name = t.startsWith("`") ? t.slice(1, -1) : t;
    let i = variables.indexOf(name);
    if (i < 0) i = variables.push(name) - 1;
    return [[i]];
  }
  function colon(): Set {
    let e = primary();
    while (toks[pos] === ":") {
      pos++;
      e = cross(e, primary());
    }
    return e;
  }
  function star(): Set {
    let e = colon();
    while (toks[pos] === "*") {
      pos++;
      const r = colon();
      e = plus(plus(e, r), cross(e, r));
    }
    return e;
  }
  function sum(): Set {
    let e = star();
    while (toks[pos] === "+") {
      pos++;
      e = plus(e, star());
    }
    return e;
  }
  const all = sum();
  if (pos < toks.length) fail(`unexpected "${toks[pos]}"`);
  const seen = new Set<string>();
  const unique = all.filter((t) => !seen.has(t.join(",")) && seen.add(t.join(",")));
  // Stable sort by degree (R's terms.formula keeps appearance order within a degree).
  const terms = unique
    .map((t, i) => ({ t, i }))
    .sort((a, b) => a.t.length - b.t.length || a.i - b.i)
    .map((e) => e.t);
  return { variables, terms };
}

/** Term labels as R prints them ("a", "a:b"). */
export function termLabels(f: Formula): string[] {
  return f.terms.map((t) => t.map((v) => rName(f.variables[v])).join(":"));
}

/** Per-variable column blocks of a factor used within a term. */
interface Block {
  names: string[];
  /** value(row, column in block) */
  value: (row: number, j: number) => number;
}

/**
 * model.matrix for the given rows (complete cases) with `vars` in the formula's variable order. Factor
 * levels absent from these rows are dropped first (lm's drop.unused.levels = TRUE).
 */
export function designMatrix(f: Formula, vars: Variable[], rows: Int32Array, contrasts: Contrasts = "treatment"): Design {
  const n = rows.length;
  // Levels present in rows, in level order, and each row's index among them.
  const present = vars.map((v) => {
    if (v.kind === "numeric") return null;
    const used = new Uint8Array(v.levels.length);
    for (const r of rows) used[v.codes[r]] = 1;
    const map = new Int32Array(v.levels.length).fill(-1);
    const levels: string[] = [];
    v.levels.forEach((l, i) => {
      if (used[i]) map[i] = levels.push(l) - 1;
    });
    return { levels, map };
  });
  const termKey = (t: number[]) => t.join(",");
  const inModel = new Set(["", ...f.terms.map(termKey)]);
  const cols: { name: string; data: Float64Array; term: number }[] = [{ name: "(Intercept)", data: new Float64Array(n).fill(1), term: 0 }];
  f.terms.forEach((term, ti) => {
    const blocks: Block[] = term.map((vi) => {
      const v = vars[vi];
      const nm = rName(v.name);
      if (v.kind === "numeric") return { names: [nm], value: (r) => v.values[rows[r]] };
      const { levels, map } = present[vi]!;
      const code = (r: number) => map[v.codes[rows[r]]];
      const rest = termKey(term.filter((x) => x !== vi));
      if (!inModel.has(rest)) return { names: levels.map((l) => nm + l), value: (r, j) => (code(r) === j ? 1 : 0) };
      const k = levels.length;
      if (contrasts === "sum") {
        return {
          names: levels.slice(0, -1).map((_, j) => nm + (j + 1)),
          value: (r, j) => (code(r) === j ? 1 : code(r) === k - 1 ? -1 : 0),
        };
      }
      return { names: levels.slice(1).map((l) => nm + l), value: (r, j) => (code(r) === j + 1 ? 1 : 0) };
    });
    // All combinations, the first variable varying fastest.
    const sizes = blocks.map((b) => b.names.length);
    const total = sizes.reduce((a, b) => a * b, 1);
    for (let c = 0; c < total; c++) {
      const idx: number[] = [];
      let rem = c;
      for (const s of sizes) {
        idx.push(rem % s);
        rem = Math.floor(rem / s);
      }
      const data = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        let prod = 1;
        for (let b = 0; b < blocks.length; b++) prod *= blocks[b].value(r, idx[b]);
        data[r] = prod;
      }
      cols.push({ name: blocks.map((b, i) => b.names[idx[i]]).join(":"), data, term: ti + 1 });
    }
  });
  const p = cols.length;
  const x = new Float64Array(n * p);
  cols.forEach((c, j) => x.set(c.data, j * n));
  return { x, n, p, colnames: cols.map((c) => c.name), assign: cols.map((c) => c.term), termLabels: termLabels(f) };
}
