// A browser fit worker (comlink): its own Wasm instance, fits ranges of the run's vectors and answers with
// records. With SharedArrayBuffer (crossOriginIsolated) the vectors and records live in shared memory set
// once per run; otherwise each range arrives as its own buffer and the records are transferred back.
import { expose, transfer } from "comlink";
import { EngineCache, fitBatch, type FitProblem } from "../core/cibersort/fits.js";
import "./host.js";
import { loadCore, type Core } from "../core/wasm.js";

let core: Promise<Core> | undefined;
const cache = new EngineCache(() => (core ??= loadCore()));
let problem: FitProblem | undefined;
let shared: { vectors: Float64Array; records: Float64Array } | undefined;

export const fitWorkerApi = {
  /** Start a run; `sharedVectors`/`sharedRecords` are views on SharedArrayBuffers, or absent. */
  async setRun(p: FitProblem, sharedVectors?: Float64Array, sharedRecords?: Float64Array): Promise<void> {
    problem = p;
    shared = sharedVectors && sharedRecords ? { vectors: sharedVectors, records: sharedRecords } : undefined;
    await cache.get(p); // compile, instantiate and build the engine before the first range arrives
  },
  /** Fit vectors a..b of the shared buffer, writing their records in place. */
  async fitShared(a: number, b: number): Promise<void> {
    const p = need();
    if (!shared) throw new Error("fitShared without shared buffers");
    const rec = fitBatch(await cache.get(p), shared.vectors.subarray(a * p.G, b * p.G), p.G, p.T);
    shared.records.set(rec, a * p.recordSize);
  },
  /** Fit the given vectors (own buffer) and transfer their records back. */
  async fit(vectors: Float64Array): Promise<Float64Array> {
    const p = need();
    const rec = fitBatch(await cache.get(p), vectors, p.G, p.T);
    return transfer(rec, [rec.buffer as ArrayBuffer]);
  },
};

function need(): FitProblem {
  if (!problem) throw new Error("fit worker: no run set");
  return problem;
}

export type FitWorkerApi = typeof fitWorkerApi;

expose(fitWorkerApi);
