// The Node host of the method registry (src/core/registry.ts): signatures, gene sets and EPIC's reference
// from paths or bundled names, CIBERSORT's fits on the piscina pool. Bundled data the core reads by
// default (TIL10, ESTIMATE's common genes) is left to the core. The gene-set and EPIC readers load on first
// use: every method command builds this host, and most use neither (start-up).
import { readMatrix, readMatrixFile } from "./read.js";
import type { Matrix } from "../core/matrix.js";
import { UsageError } from "../core/errors.js";
import type { MethodHost } from "../core/registry.js";
import { TIL10_SIGNATURE, readSignature } from "./data.js";
import { runFitsOnPool } from "./pool.js";

/**
 * A host for one run; `onWarning` hears the gene-set reader. Signatures are read once per run (the
 * cibersort command reads its signature before the mixture, the method reads it again).
 */
export function nodeMethodHost(onWarning?: (m: string) => void): MethodHost {
  const read = new Map<string, Matrix>();
  const once = (key: string, f: () => Matrix) => {
    if (!read.has(key)) read.set(key, f());
    return read.get(key)!;
  };
  return {
    bundledSignature: async (key) =>
      once(`bundled:${key}`, () =>
        key === "TIL10" ? readMatrixFile(TIL10_SIGNATURE, { what: "signature", name: "TIL10" }) : readSignature(key),
      ),
    signatureFile: async (ref) =>
      typeof ref === "string"
        ? once(`file:${ref}`, () => readMatrixFile(ref, { what: "signature" }))
        : readMatrix(ref.bytes, { what: "signature", name: ref.name }),
    geneSets: async (ref, columns) => {
      if (typeof ref !== "string") throw new UsageError("--gene-sets takes a path or a bundled name here");
      return (await import("./genesets.js")).loadGeneSets(ref, { ...columns, onWarning });
    },
    epicReference: async (ref, dataDir) => {
      if (typeof ref !== "string") throw new UsageError("--reference takes TRef, BRef or a directory here");
      return (await import("./epic.js")).loadEpicReference(ref, dataDir);
    },
    fitRunner: runFitsOnPool,
  };
}
