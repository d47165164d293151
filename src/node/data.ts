// Files shipped in data/ and the built-in names that select them.
import { fileURLToPath } from "node:url";
import { readMatrixFile } from "../core/formats/read.js";
import type { Matrix } from "../core/matrix.js";

export const DATA = fileURLToPath(new URL("../../data/", import.meta.url));
/** Signatures selectable by name (case-insensitive). */
export const BUILTIN_SIGNATURES: Record<string, string> = { LM22: DATA + "LM22.tsv" };
export const EXAMPLE_MIXTURE = DATA + "example/scanb20_log2fpkm.tsv.gz";

/** A signature by built-in name or path. */
export function readSignature(spec: string): Matrix {
  const key = Object.keys(BUILTIN_SIGNATURES).find((k) => k.toUpperCase() === spec.toUpperCase());
  return key ? readMatrixFile(BUILTIN_SIGNATURES[key], { what: "signature", name: key }) : readMatrixFile(spec, { what: "signature" });
}
