// A bundled signature as the reader returns it, written at build time (scripts/signature-snapshot.mjs:
// build/LM22.matrix) so that a run does not parse its text: reading LM22's 12,000 cells exactly (rStrtod's
// rules) is a large share of a short run, before V8 has optimised the scanner. The snapshot holds the very
// text it was made from and is used only when that text is, byte for byte, the file the run would read
// (readSignature, data.ts); anything else is read as always. Layout, little-endian as the gene index:
// int32 magic, text bytes, JSON bytes, rows, columns, padding; the values (float64, column-major); the text;
// the JSON {rows, cols, rowHeader}.
import type { Matrix } from "../core/matrix.js";
import { makeMatrix } from "../core/matrix.js";

/** "SIG1" little-endian. */
const MAGIC = 0x31474953;
/** Header bytes (five int32 and padding, so that the values are 8-byte aligned). */
const HEAD = 24;

/** The snapshot of `m`, read from `text`. */
export function signatureSnapshot(m: Matrix, text: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ rows: m.rows, cols: m.cols, rowHeader: m.rowHeader ?? null }));
  const valueBytes = m.data.length * 8;
  const out = new Uint8Array(HEAD + valueBytes + text.length + json.length);
  new Int32Array(out.buffer, 0, 5).set([MAGIC, text.length, json.length, m.rows.length, m.cols.length]);
  out.set(new Uint8Array(m.data.buffer, m.data.byteOffset, valueBytes), HEAD);
  out.set(text, HEAD + valueBytes);
  out.set(json, HEAD + valueBytes + text.length);
  return out;
}

/** The matrix of a snapshot made from exactly `text`, or undefined (another text, not a snapshot). */
export function fromSignatureSnapshot(snap: Uint8Array, text: Uint8Array): Matrix | undefined {
  if (snap.length < HEAD) return undefined;
  const head = new DataView(snap.buffer, snap.byteOffset, HEAD);
  const [magic, textLen, jsonLen, nr, nc] = [0, 4, 8, 12, 16].map((o) => head.getInt32(o, true));
  const valueBytes = nr * nc * 8;
  if (magic !== MAGIC || textLen !== text.length || HEAD + valueBytes + textLen + jsonLen !== snap.length) return undefined;
  const at = HEAD + valueBytes;
  if (!Buffer.from(snap.buffer, snap.byteOffset + at, textLen).equals(text)) return undefined;
  const { rows, cols, rowHeader } = JSON.parse(new TextDecoder().decode(snap.subarray(at + textLen)));
  const data = new Float64Array(nr * nc);
  new Uint8Array(data.buffer).set(snap.subarray(HEAD, at));
  return makeMatrix(rows, cols, data, rowHeader ?? undefined);
}
