// Files shipped in data/, by path, and the built-in names that select them.
import { join } from "node:path";
import { ENSEMBL_TABLE_FILE } from "../core/genes.js";
import type { Matrix } from "../core/matrix.js";
import { TIL10_FILES, TIL10_FOLDER } from "../core/methods/quantiseq.js";
import { DATA } from "./host.js";
import { readMatrixFile } from "./read.js";

export { DATA };
/** Signatures selectable by name (case-insensitive). */
export const BUILTIN_SIGNATURES: Record<string, string> = { LM22: `${DATA}LM22.tsv` };
export const EXAMPLE_MIXTURE = `${DATA}example/scanb20_log2fpkm.tsv.gz`;
/** The bundled Ensembl → symbol table. */
export const ENSEMBL_TABLE = join(DATA, ENSEMBL_TABLE_FILE);
/** The bundled TIL10 folder and its signature (quanTIseq; `cellfrac nnls --signature TIL10`). */
export const TIL10_DIR = join(DATA, TIL10_FOLDER);
export const TIL10_SIGNATURE = join(TIL10_DIR, TIL10_FILES.signature);

/** A signature by built-in name or path. */
export function readSignature(spec: string): Matrix {
  const key = Object.keys(BUILTIN_SIGNATURES).find((k) => k.toUpperCase() === spec.toUpperCase());
  return key ? readMatrixFile(BUILTIN_SIGNATURES[key], { what: "signature", name: key }) : readMatrixFile(spec, { what: "signature" });
}
