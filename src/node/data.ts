// Files shipped in data/, by path, and the built-in names that select them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ENSEMBL_TABLE_FILE } from "../core/genes.js";
import type { Matrix } from "../core/matrix.js";
import { TIL10_FILES, TIL10_FOLDER } from "../core/methods/til10-files.js";
import { DATA, PACKAGE_ROOT } from "./host.js";
import { readMatrixFile } from "./read.js";
import { fromSignatureSnapshot } from "./signature-snapshot.js";

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
  if (!key) return readMatrixFile(spec, { what: "signature" });
  return snapshotted(key) ?? readMatrixFile(BUILTIN_SIGNATURES[key], { what: "signature", name: key });
}

/** The build's snapshot of a bundled signature (build/<key>.matrix), when it was made from the file as it is. */
function snapshotted(key: string): Matrix | undefined {
  try {
    return fromSignatureSnapshot(readFileSync(signatureSnapshotFile(key)), readFileSync(BUILTIN_SIGNATURES[key]));
  } catch {
    return undefined; // no build, or no file: read as always (its messages)
  }
}

/** Where `npm run build` writes a bundled signature's snapshot (scripts/signature-snapshot.mjs). */
export function signatureSnapshotFile(key: string): URL {
  return new URL(`build/${key}.matrix`, PACKAGE_ROOT);
}
