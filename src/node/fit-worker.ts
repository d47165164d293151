// A piscina worker: fits batches of vectors for one run at a time (see fits.ts).
import { move } from "piscina";
import "./host.js";
import { loadCore, type Core } from "../core/wasm.js";
import { EngineCache, fitBatch, type FitProblem } from "../core/cibersort/fits.js";

let core: Promise<Core> | undefined;
const cache = new EngineCache(() => (core ??= loadCore()));

export interface FitTask extends FitProblem {
  vectors: Float64Array;
}

export default async function fit(task: FitTask): Promise<Float64Array> {
  const engine = await cache.get(task);
  const records = fitBatch(engine, task.vectors, task.G, task.T);
  // Transfer, don't clone, the result buffer back to the main thread.
  return move(records) as unknown as Float64Array;
}
