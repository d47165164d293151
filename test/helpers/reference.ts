// Access to test/golden (reference outputs of the real tools and the input data they ran on, copied from the
// steering repository's shared/ folder by test/golden/extract.mjs; every file gzipped). A path is written
// as in shared/ ("data/lm22_cibersort/LM22.tsv"); the file on disk may carry an extra ".gz".
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export const GOLDEN = fileURLToPath(new URL("../golden/", import.meta.url));
export const REFERENCE = `${GOLDEN}reference/`;
export const DATA = `${GOLDEN}data/`;
/** The steering repository's shared/ folder, present only beside a working copy (test/golden.test.ts). */
export const SHARED = fileURLToPath(new URL("../../../shared/", import.meta.url));

/** The file on disk for a path (absolute, or relative to test/golden): as given, or gzipped. */
export function golden(path: string): string {
  const p = path.startsWith("/") ? path : GOLDEN + path;
  if (existsSync(p)) return p;
  if (existsSync(`${p}.gz`)) return `${p}.gz`;
  throw new Error(`${p}: no such file${p.startsWith(GOLDEN) ? " (add it to test/golden/extract.mjs and re-run it)" : ""}`);
}

/** An input file under test/golden/data (e.g. "lm22_cibersort/LM22.tsv"). */
export const dataFile = (rel: string): string => golden(DATA + rel);

/** The text of a file (see golden()), gunzipped when it is gzipped. */
export function readGolden(path: string): string {
  const bytes = readFileSync(golden(path));
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
}

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
  const lines = readGolden(path)
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .filter((l) => l.length > 0);
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

/** One row of MANIFEST.tsv; `options` split at ";" into key = value. */
export interface ManifestCase {
  name: string;
  method: string;
  /** The signature or gene-set file under test/golden, when the case names one file. */
  signature?: string;
  input: string;
  options: Record<string, string>;
  dir: string;
}

export function manifestCases(method?: string): ManifestCase[] {
  const m = readRefTable(`${REFERENCE}MANIFEST.tsv`);
  return m.rows
    .map((r, i) => {
      const options = Object.fromEntries(
        m
          .col("options")
          [i].split(";")
          .map(
            (kv) =>
              kv
                .trim()
                .split("=")
                .map((s) => s.trim()) as [string, string],
          ),
      );
      const sig = m.col("signature_or_gene_sets")[i];
      return {
        name: r[0],
        method: m.col("method")[i],
        signature: /\.tsv(\.gz)?$/.test(sig) ? golden(sig) : undefined,
        input: golden(m.col("input")[i]),
        options,
        dir: `${REFERENCE + r[0]}/`,
      };
    })
    .filter((c) => method === undefined || c.method === method);
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
  return manifestCases("cibersort").map((c) => {
    const opts = c.options;
    const cols = opts["columns"];
    return {
      name: c.name,
      dir: c.dir,
      signature: c.signature!,
      input: c.input,
      qn: opts["QN"] === "TRUE",
      perm: Number(opts["perm"]),
      seed: opts["seed"] === "NA" ? undefined : Number(opts["seed"]),
      absolute: opts["absolute"] === "TRUE" ? (opts["abs_method"] as "sig.score" | "no.sumto1") : false,
      columns: cols && cols !== "all" ? (cols.split("-").map(Number) as [number, number]) : undefined,
    };
  });
}

/** Whether ../shared (the source of test/golden) is beside the repository. */
export function hasShared(): boolean {
  return existsSync(`${SHARED}reference/MANIFEST.tsv`);
}
