/**
 * GCT 1.2 / 1.3 (GenePattern, CMap) → plain TSV text for the table parser. Pure (no `node:` imports).
 * 1.2: "#1.2", "nrow ncol", header "Name Description samples…", rows "gene description values…".
 * 1.3: "#1.3", "nrow ncol nRowMeta nColMeta", header "id rowMeta… samples…", nColMeta column-metadata rows.
 * Metadata is dropped; note that error line numbers then count lines of the converted table.
 */
import { InputError } from "../errors.js";

export function isGct(text: string): boolean {
  return /^\uFEFF?#1\.[23]\s*(\r?\n|\r)/.test(text);
}

export function gctToTsv(text: string, file?: string): string {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  if (lines.length < 3) return ""; // no header line: an empty table (the reader says so, naming the file)
  const v13 = lines[0].trim() === "#1.3";
  const dims = lines[1].trim().split(/\s+/).map(Number);
  const nRowMeta = v13 ? (dims[2] ?? 0) : 1;
  const nColMeta = v13 ? (dims[3] ?? 0) : 0;
  for (const [n, what] of [
    [nRowMeta, "row"],
    [nColMeta, "column"],
  ] as const) {
    if (!(Number.isInteger(n) && n >= 0))
      throw new InputError(`GCT 1.3 dimension line: the ${what}-metadata count "${n}" is not a whole number`, { file, line: 2 });
  }
  const out: string[] = [];
  const drop = (l: string) => {
    const f = l.split("\t");
    return [f[0], ...f.slice(1 + nRowMeta)].join("\t");
  };
  out.push(drop(lines[2]));
  for (let i = 3 + nColMeta; i < lines.length; i++) out.push(lines[i] === "" ? "" : drop(lines[i]));
  return out.join("\n");
}
