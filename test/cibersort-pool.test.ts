// The fits spread over piscina workers: the same bits for any thread count and chunk size, a failing
// worker fails the run with a clear error, and an AbortSignal stops it.
import { describe, expect, it } from "vitest";
import type { CibersortEngine } from "../src/core/cibersort/engine.js";
import { runFitsOnPool } from "../src/node/pool.js";
import { cibersort, readMatrixFile, toResultsTable } from "../src/node/index.js";
import { loadCore } from "../src/core/wasm.js";
import { cibersortCases } from "./helpers/reference.js";

const CASE = cibersortCases().find((c) => c.name === "cibersort_lm22_gse65133_noqn_perm0")!;
const mixture = readMatrixFile(CASE.input, { what: "mixture" });
const opts = { signature: CASE.signature, perm: 24, seed: 9 };

describe("worker pool", () => {
  it("threads 1, 2, 3 and chunk sizes 1, 5, 1000 give the same bits", async () => {
    const ref = await cibersort(mixture, { ...opts, threads: 1 });
    const refTable = toResultsTable(ref);
    for (const [threads, chunkSize] of [
      [2, undefined],
      [2, 1],
      [3, 5],
      [2, 1000],
    ] as [number, number | undefined][]) {
      const res = await cibersort(mixture, { ...opts, threads, chunkSize });
      expect(toResultsTable(res), `threads ${threads}, chunk ${chunkSize}`).toBe(refTable);
      expect(res.diagnostics.nullDistribution).toEqual(ref.diagnostics.nullDistribution);
      expect(res.diagnostics.iterations).toEqual(ref.diagnostics.iterations);
      expect(res.diagnostics.unrounded.weights).toEqual(ref.diagnostics.unrounded.weights);
    }
  }, 120_000);

  it("--solver exact: the same bits on 1 and 2 threads, and not libsvm's trajectory", async () => {
    const one = await cibersort(mixture, { ...opts, perm: 6, solver: "exact", threads: 1 });
    const two = await cibersort(mixture, { ...opts, perm: 6, solver: "exact", threads: 2, chunkSize: 4 });
    expect(toResultsTable(two)).toBe(toResultsTable(one));
    expect(two.diagnostics.nullDistribution).toEqual(one.diagnostics.nullDistribution);
    // The workers really ran the exact solver: its weights differ from libsvm's (which stops at a KKT gap of 1e-3).
    const lib = await cibersort(mixture, { ...opts, perm: 6, threads: 2 });
    expect(toResultsTable(two)).not.toBe(toResultsTable(lib));
  }, 120_000);

  it("progress reaches the total once, monotonically, on the pool", async () => {
    const seen: number[] = [];
    let total = 0;
    await cibersort(mixture, { ...opts, threads: 2, chunkSize: 3, onProgress: (d, t) => (seen.push(d), (total = t)) });
    expect(total).toBe(3 * (opts.perm + mixture.cols.length));
    expect(seen[seen.length - 1]).toBe(total);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  }, 60_000);

  it("a worker that throws fails the run with a clear error", async () => {
    const G = 10;
    const T = 3;
    // x shorter than G × T: the worker's engine cannot be built.
    const bad = { runId: "bad", x: new Float64Array(5), G, T, recordSize: 1 };
    const vectors = new Float64Array(20 * G).map((_, i) => (i * 7919) % 13);
    const local = () => {
      throw new Error("must not run locally");
    };
    await expect(runFitsOnPool(bad, vectors, local as unknown as () => CibersortEngine, { threads: 2 })).rejects.toThrow(
      /a fit worker failed/,
    ); // a FitFailure naming the chunk;
  }, 60_000);

  it("an aborted signal stops the run", async () => {
    const ac = new AbortController();
    const run = cibersort(mixture, { ...opts, perm: 200, threads: 2, signal: ac.signal, onProgress: (d) => d > 0 && ac.abort() });
    await expect(run).rejects.toThrow(/abort/i);
  }, 60_000);
});

describe("in-process core", () => {
  it("loadCore instances are independent", async () => {
    expect(await loadCore()).not.toBe(await loadCore());
  });
});
