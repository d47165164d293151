// Runs a batch of fits in this thread or on a piscina worker pool. Chunks are contiguous ranges of the
// vector list; every record lands at its vector's offset, so the result is independent of the thread count,
// the chunk size and the order in which workers finish.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { FitFailure, failureReason, runFitsInProcess, type FitRunner } from "../core/cibersort/fits.js";
import type { FitTask, FitTaskFailure } from "./fit-worker.js";

/**
 * Chunks per thread: enough for load balance and smooth progress, few enough to amortise task overhead. 32, not 8:
 * the 10,000-sample exact run's last chunks no longer leave one core idle (bench/RESULTS.md, 32 chunks per thread).
 */
const CHUNKS_PER_THREAD = 32;
/**
 * A single vector gains nothing from workers. Two already can: one near-noiseless sample costs seconds per
 * fit, far more than starting a worker (tens of milliseconds).
 */
const MIN_VECTORS_FOR_POOL = 2;
/**
 * The exact solver fits a vector in about a millisecond, less than a worker takes to start (thread, modules,
 * Wasm compile): unless threads are asked for, fewer vectors (samples + permutations) than this run here.
 */
const MIN_EXACT_VECTORS_FOR_DEFAULT_POOL = 128;

/**
 * A worker's V8 heap cap. It holds one chunk's bookkeeping (vectors, records and Wasm memory are outside
 * the heap); the cap turns a runaway worker into ERR_WORKER_OUT_OF_MEMORY for that worker instead of a
 * fatal out-of-memory abort of the whole process.
 */
const WORKER_HEAP_MB = 512;

export function defaultThreads(): number {
  return availableParallelism();
}

/** A compiled worker: next to this module in dist/, or dist/ when running from src/ (tests, tsx). */
export function workerFile(name = "fit-worker.js"): string {
  const here = new URL(`./${name}`, import.meta.url);
  if (existsSync(fileURLToPath(here))) return fileURLToPath(here);
  const built = new URL(`../../dist/node/${name}`, import.meta.url);
  if (existsSync(fileURLToPath(built))) return fileURLToPath(built);
  throw new Error(`cellfrac: the worker build dist/node/${name} is missing (run npm run build)`);
}

/**
 * The Node runner: fits on a piscina pool of `threads` workers (default: available cores), or in this
 * thread when threads = 1 or the batch is too small to pay for starting workers.
 */
export const runFitsOnPool: FitRunner = async (problem, vectors, local, opts) => {
  const { G } = problem;
  const k = vectors.length / G;
  const R = problem.recordSize;
  const threads = Math.max(1, opts.threads ?? defaultThreads());
  const smallExact = opts.threads === undefined && problem.solver === "exact" && k < MIN_EXACT_VECTORS_FOR_DEFAULT_POOL;
  if (threads === 1 || k < MIN_VECTORS_FOR_POOL || smallExact) return runFitsInProcess(problem, vectors, local, opts);
  const out = new Float64Array(k * R);
  const chunk = Math.max(1, opts.chunkSize ?? Math.ceil(k / (threads * CHUNKS_PER_THREAD)));
  let fitted = 0;
  // X goes to the workers once, in shared memory: a task then carries only its own vectors.
  const x = new Float64Array(new SharedArrayBuffer(problem.x.byteLength));
  x.set(problem.x);
  const shared = { ...problem, x };
  const { Piscina } = await import("piscina"); // loaded by the first run that uses threads (start-up)
  const pool = new Piscina<FitTask, Float64Array | FitTaskFailure>({
    filename: workerFile(),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1000,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  // At most `threads` tasks in flight, each chunk copied out only when it is submitted (bounded memory).
  // After an abort or a failure nothing new is submitted and the running tasks finish (latency: one chunk);
  // the pool is destroyed only once no task is in flight. A busy worker is never terminated: its answer may
  // already be queued (piscina then emits an 'error' with no listener, "Unexpected message from Worker", and
  // the process dies), and a worker still loading its module can abort the process (a Node assertion in
  // require(esm)). Chunks are submitted in order, so when the lanes end every chunk before a failing one has
  // run: the lowest failing vector wins, as in runFitsInProcess, whatever the timing or thread count.
  let next = 0;
  let failure: FitFailure | undefined;
  const fail = (f: FitFailure) => {
    if (failure === undefined || f.first < failure.first) failure = f;
  };
  const lane = async (): Promise<void> => {
    while (next < k && failure === undefined && !opts.signal?.aborted) {
      const a = next;
      const b = Math.min(k, a + chunk);
      next = b;
      const part = vectors.slice(a * G, b * G); // own buffer, transferred to the worker
      try {
        const rec = await pool.run({ ...shared, vectors: part, first: a }, { transferList: [part.buffer] });
        if (!(rec instanceof Float64Array)) {
          fail(new FitFailure(a + rec.failed, a + rec.failed, rec.reason));
          break;
        }
        out.set(rec, a * R);
        fitted += b - a;
        opts.onFitted?.(fitted);
      } catch (e) {
        // The worker died (out of memory) or threw outside the fits: the whole chunk is named.
        fail(new FitFailure(a, b - 1, `a fit worker failed: ${failureReason(e)}`));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: threads }, lane));
  } finally {
    await pool.destroy();
  }
  if (failure !== undefined) throw failure;
  opts.signal?.throwIfAborted();
  return out;
};
