// The build's snapshot of a bundled signature (src/node/signature-snapshot.ts, build/LM22.matrix): it gives
// the reader's matrix to the bit, and only for the very text it was made from.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Matrix } from "../src/core/matrix.js";
import { BUILTIN_SIGNATURES, readSignature, signatureSnapshotFile } from "../src/node/data.js";
import { readMatrix, readMatrixFile } from "../src/node/read.js";
import { fromSignatureSnapshot, signatureSnapshot } from "../src/node/signature-snapshot.js";

const TEXT = readFileSync(BUILTIN_SIGNATURES.LM22);
const READ = readMatrixFile(BUILTIN_SIGNATURES.LM22, { what: "signature", name: "LM22" });

/** Same names, header cell and values (Object.is: -0 and NaN told apart). */
function expectSame(got: Matrix | undefined, want: Matrix): void {
  expect(got).toBeDefined();
  expect({ rows: got!.rows, cols: got!.cols, rowHeader: got!.rowHeader }).toEqual({
    rows: want.rows,
    cols: want.cols,
    rowHeader: want.rowHeader,
  });
  expect(got!.data.length).toBe(want.data.length);
  const differ = want.data.findIndex((v, i) => !Object.is(v, got!.data[i]));
  expect(differ).toBe(-1);
}

describe("signature snapshots", () => {
  it("give the reader's LM22 to the bit", () => {
    expectSame(fromSignatureSnapshot(signatureSnapshot(READ, TEXT), TEXT), READ);
  });

  it("keep -0, odd values, an empty or absent header cell", () => {
    for (const text of ["\t a\tb\nG1\t-0\t1e-300\nG2\t1.7976931348623157e308\t0.1\n", "x\ty\nG\t-2.5\n"]) {
      const bytes = new TextEncoder().encode(text);
      const m = readMatrix(bytes, { what: "signature" });
      expectSame(fromSignatureSnapshot(signatureSnapshot(m, bytes), bytes), m);
    }
  });

  it("are refused for any other text, and when cut short or not a snapshot", () => {
    const snap = signatureSnapshot(READ, TEXT);
    const edited = Uint8Array.from(TEXT);
    edited[edited.length - 3] ^= 1;
    expect(fromSignatureSnapshot(snap, edited)).toBeUndefined();
    expect(fromSignatureSnapshot(snap, TEXT.subarray(0, TEXT.length - 1))).toBeUndefined();
    expect(fromSignatureSnapshot(snap.subarray(0, snap.length - 1), TEXT)).toBeUndefined();
    expect(fromSignatureSnapshot(TEXT, TEXT)).toBeUndefined();
    expect(fromSignatureSnapshot(new Uint8Array(4), TEXT)).toBeUndefined();
  });

  // npm test builds first (pretest), so the snapshot is there; a bare vitest run without a build says so.
  it.skipIf(!existsSync(signatureSnapshotFile("LM22")))(
    "build/LM22.matrix is the snapshot of data/LM22.tsv, and readSignature gives the reader's matrix (needs npm run build)",
    () => {
      expect(Buffer.compare(readFileSync(signatureSnapshotFile("LM22")), signatureSnapshot(READ, TEXT))).toBe(0);
      expectSame(readSignature("lm22"), READ);
    },
  );
});
