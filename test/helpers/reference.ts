// Access to ../shared/reference (golden outputs of the R tools) and ../shared/data for tests.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SHARED = fileURLToPath(new URL("../../../shared/", import.meta.url));
export const REFERENCE = SHARED + "reference/";

/** A reference TSV (header + rows, first column an id); numbers written with %.17g, "NA" for missing. */
export interface RefTable {
  header: string[];
  ids: string[];
  rows: string[][];
  /** Column by name as numbers (NA → NaN). */
  num(col: string): number[];
  col(col: string): string[];
}

export function readRefTable(path: string): RefTable {
  const lines = readFileSync(path, "utf8").replace(/\r\n?/g, "\n").split("\n").filter((l) => l.length > 0);
  const header = lines[0].split("\t");
  const rows = lines.slice(1).map((l) => l.split("\t"));
  const idx = (c: string) => {
    const i = header.indexOf(c);
    if (i < 0) throw new Error(`${path}: no column "${c}" (have ${header.join(", ")})`);
    return i;
  };
  return {
    header,
    ids: rows.map((r) => r[0]),
    rows,
    col: (c) => rows.map((r) => r[idx(c)]),
    num: (c) => rows.map((r) => (r[idx(c)] === "NA" ? NaN : Number(r[idx(c)]))),
  };
}

export interface CibersortCase {
  name: string;
  dir: string;
  signature: string; // path
  input: string; // path
  qn: boolean;
  perm: number;
  seed: number | undefined;
  absolute: "sig.score" | "no.sumto1" | false;
  /** 1-based inclusive column range of the mixture's samples used, or undefined for all. */
  columns?: [number, number];
}

/** The CIBERSORT rows of MANIFEST.tsv. */
export function cibersortCases(): CibersortCase[] {
  const m = readRefTable(REFERENCE + "MANIFEST.tsv");
  const out: CibersortCase[] = [];
  m.rows.forEach((r, i) => {
    if (m.col("method")[i] !== "cibersort") return;
    const opts = Object.fromEntries(
      m.col("options")[i].split(";").map((kv) => kv.trim().split("=").map((s) => s.trim()) as [string, string]),
    );
    const cols = opts["columns"];
    out.push({
      name: r[0],
      dir: REFERENCE + r[0] + "/",
      signature: SHARED + m.col("signature_or_gene_sets")[i],
      input: SHARED + m.col("input")[i],
      qn: opts["QN"] === "TRUE",
      perm: Number(opts["perm"]),
      seed: opts["seed"] === "NA" ? undefined : Number(opts["seed"]),
      absolute: opts["absolute"] === "TRUE" ? (opts["abs_method"] as "sig.score" | "no.sumto1") : false,
      columns: cols && cols !== "all" ? (cols.split("-").map(Number) as [number, number]) : undefined,
    });
  });
  return out;
}

export function hasShared(): boolean {
  return existsSync(REFERENCE + "MANIFEST.tsv");
}

export function listDir(p: string): string[] {
  return readdirSync(p);
}
