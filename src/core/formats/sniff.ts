/**
 * What a file is when it is none of the tables we read, told by its first bytes, so that the reader can say
 * so (exit 3) instead of parsing zip or HDF5 bytes as gene names: Excel workbooks and other zip archives,
 * HDF5 (AnnData .h5ad, 10x, ARCHS4: a layout the HDF5 reader does not know), compressed formats we do not
 * inflate (bzip2, xz, zstd frames, 7-Zip), and binary data in general ("not a text table"). Pure.
 */
import { InputError } from "../errors.js";

/** Bytes a caller should pass (at least) for the binary-data test; fewer are fine for a short file. */
export const SNIFF_BYTES = 4096;

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (b: Uint8Array, magic: readonly number[], at = 0) =>
  b.length >= at + magic.length && magic.every((x, i) => b[at + i] === x);

/** HDF5's superblock signature, at byte 0 (or 512, 1024, 2048 where a user block comes first). */
export function isHdf5(b: Uint8Array): boolean {
  return [0, 512, 1024, 2048].some((at) => startsWith(b, HDF5_MAGIC, at));
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const COMPRESSED: [number[], string, string][] = [
  [ascii("BZh"), "bzip2", "bunzip2 -k FILE (or pipe it: cellfrac … <(bzcat FILE))"],
  [[0xfd, ...ascii("7zXZ"), 0x00], "xz", "unxz -k FILE (or pipe it: cellfrac … <(xzcat FILE))"],
  [[0x28, 0xb5, 0x2f, 0xfd], "zstd", "unzstd FILE (or pipe it: cellfrac … <(zstdcat FILE))"],
  [[...ascii("7z"), 0xbc, 0xaf, 0x27, 0x1c], "7-Zip", "extract it with 7z x FILE"],
];

/** The text that names the file's kind and what to do, or undefined for bytes that may be a text table. */
export function unreadableKind(b: Uint8Array): string | undefined {
  if (startsWith(b, ascii("PK\x03\x04")) || startsWith(b, ascii("PK\x05\x06"))) {
    const head = new TextDecoder("latin1").decode(b.subarray(0, Math.min(b.length, SNIFF_BYTES)));
    if (head.includes("xl/") || head.includes("[Content_Types].xml")) {
      return (
        "an Excel workbook (xlsx), not a text table: save the sheet as tab-separated text or CSV " +
        "(Excel: File › Save As › Text (Tab delimited))"
      );
    }
    return "a zip archive, which cellfrac does not read: extract it (unzip FILE) and give the table inside";
  }
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return "an old Excel workbook (xls), not a text table: save the sheet as tab-separated text or CSV";
  }
  if (isHdf5(b)) {
    return (
      "an HDF5 file (AnnData .h5ad, 10x or ARCHS4?) of a layout cellfrac does not read: " + "export the expression matrix as TSV or Parquet"
    );
  }
  for (const [magic, name, how] of COMPRESSED) {
    if (startsWith(b, magic)) return `${name}-compressed, which cellfrac does not inflate (only gzip): ${how}`;
  }
  if (isBinary(b)) return "binary data, not a text table (nor gzip, GCT, Arrow or Parquet)";
  return undefined;
}

/** NUL bytes, or many control characters, in the first SNIFF_BYTES: no text table looks like that. */
function isBinary(b: Uint8Array): boolean {
  const n = Math.min(b.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const x = b[i];
    if (x === 0) return true;
    if (x < 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0d && x !== 0x0c) control++;
  }
  return control > 8 && control * 100 > n; // a stray control character or two is text with a typo
}

/** Throws the InputError for a file we do not read (see unreadableKind); returns for possible text tables. */
export function refuseUnreadable(b: Uint8Array, file: string | undefined): void {
  const kind = unreadableKind(b);
  if (kind) throw new InputError(`this is ${kind}`, { file });
}
