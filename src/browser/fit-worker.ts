// A browser fit worker (comlink): its own Wasm instance, fits ranges of the run's vectors and answers with
// records. With SharedArrayBuffer (crossOriginIsolated) the vectors and records live in shared memory set
// once per run; otherwise each range arrives as its own buffer and the records are transferred back.
import { expose, transfer } from "comlink";
import { EngineCache, fitBatch, type FitProblem } from "../core/cibersort/fits.js";
import "./host.js";
import { loadCore, type Core } from "../core/wasm.js";
import { injectFault } from "../core/cibersort/faults.js";

let core: Promise<Core> | undefined;
const cache = new EngineCache(() => (core ??= loadCore()));
let problem: FitProblem | undefined;
let shared: { vectors: Float64Array; records: Float64Array } | undefined;
let fault: string | undefined;

/**
 * The page's out-of-memory as a worker can meet it: the RangeError V8 throws when an ArrayBuffer or Wasm memory
 * cannot be had. (Exhausting the JS heap instead would end the tab's renderer, which no page can handle.)
 */
function refuseAllocation(): never {
  throw new RangeError("Array buffer allocation failed");
}

export const fitWorkerApi = {
  /**
   * Start a run; `sharedVectors`/`sharedRecords` are views on SharedArrayBuffers, or absent. `testFault`: a
   * failure to inject (core/cibersort/faults.ts), set only by the page's tests.
   */
  async setRun(p: FitProblem, sharedVectors?: Float64Array, sharedRecords?: Float64Array, testFault?: string): Promise<void> {
    problem = p;
    fault = testFault;
    shared = sharedVectors && sharedRecords ? { vectors: sharedVectors, records: sharedRecords } : undefined;
    await cache.get(p); // compile, instantiate and build the engine before the first range arrives
  },
  /** Fit vectors a..b of the shared buffer, writing their records in place. */
  async fitShared(a: number, b: number): Promise<void> {
    const p = need();
    if (!shared) throw new Error("fitShared without shared buffers");
    injectFault(fault, a, b - a, refuseAllocation);
    const rec = fitBatch(await cache.get(p), shared.vectors.subarray(a * p.G, b * p.G), p.G, p.T);
    shared.records.set(rec, a * p.recordSize);
  },
  /** Fit the given vectors (own buffer; the first is vector `first` of the run) and transfer their records back. */
  async fit(vectors: Float64Array, first: number): Promise<Float64Array> {
    const p = need();
    injectFault(fault, first, vectors.length / p.G, refuseAllocation);
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
