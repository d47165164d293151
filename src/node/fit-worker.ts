// A piscina worker: fits batches of vectors for one run at a time (see fits.ts).
import { move } from "piscina";
import "./host.js";
import { loadCore, type Core } from "../core/wasm.js";
import { EngineCache, FitFailure, failureReason, fitBatch, type FitProblem } from "../core/cibersort/fits.js";
import { injectFault } from "./faults.js";

let core: Promise<Core> | undefined;
const cache = new EngineCache(() => (core ??= loadCore()));

export interface FitTask extends FitProblem {
  vectors: Float64Array;
  /** Index of the task's first vector in the run (names a failing vector; the test fault hook uses it). */
  first: number;
}

/** A fit that failed inside the batch: its index in the task, and why (the pool turns it into a FitFailure). */
export interface FitTaskFailure {
  failed: number;
  reason: string;
}

export default async function fit(task: FitTask): Promise<Float64Array | FitTaskFailure> {
  const engine = await cache.get(task);
  let records: Float64Array;
  try {
    injectFault(task.first, task.vectors.length / task.G);
    records = fitBatch(engine, task.vectors, task.G, task.T);
  } catch (e) {
    // An error's own properties do not survive the thread boundary: send the vector index as data.
    if (e instanceof FitFailure) return { failed: e.first, reason: e.reason };
    return { failed: 0, reason: failureReason(e) };
  }
  // Transfer, don't clone, the result buffer back to the main thread.
  return move(records) as unknown as Float64Array;
}
