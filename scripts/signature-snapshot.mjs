// Writes build/<key>.matrix for each bundled signature (src/node/signature-snapshot.ts): the matrix the reader
// makes of data/<file> with that file's text, so that a run maps it instead of parsing the text again (used
// only while the text is unchanged). Run by `npm run build` after tsc; test/signature-snapshot.test.ts checks
// that it agrees with the reader.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { BUILTIN_SIGNATURES, signatureSnapshotFile } from "../dist/node/data.js";
import { readMatrixFile } from "../dist/node/read.js";
import { signatureSnapshot } from "../dist/node/signature-snapshot.js";

for (const [key, path] of Object.entries(BUILTIN_SIGNATURES)) {
  const m = readMatrixFile(path, { what: "signature", name: key });
  const out = signatureSnapshotFile(key);
  mkdirSync(new URL(".", out), { recursive: true });
  writeFileSync(new URL(`${out.href}.tmp`), signatureSnapshot(m, readFileSync(path)));
  renameSync(new URL(`${out.href}.tmp`), out);
}
