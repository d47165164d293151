// The browser FitRunner: fits spread over Web Workers (comlink), each with its own Wasm instance. Same
// contract as the Node pool (src/cibersort/pool.ts): contiguous chunks, every record at its vector's
// offset, so the bits never depend on the worker count, the chunk size or the finishing order.
import { releaseProxy, transfer, wrap, type Remote } from "comlink";
import { FitFailure, failureReason, runFitsInProcess, type FitRunner } from "../core/cibersort/fits.js";
import type { FitWorkerApi } from "./fit-worker.js";

const CHUNKS_PER_WORKER = 8;
/** At most this many fits per task, so progress and cancel stay responsive on long runs. */
const MAX_CHUNK = 32;
const MIN_VECTORS_FOR_POOL = 8;

export interface BrowserPoolInfo {
  workers: number;
  /** True when vectors and records were shared (SharedArrayBuffer), false when buffers were transferred. */
  shared: boolean;
}

/** Default worker count: the browser's logical cores, at most 8. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, globalThis.navigator?.hardwareConcurrency ?? 2));
}

/** SharedArrayBuffer is usable only in a cross-origin-isolated context. */
export function canShare(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer === "function";
}

function sharedCopy(a: Float64Array): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * A FitRunner on `workers` Web Workers (default: hardware concurrency), started per run and terminated at
 * its end, on failure or on abort. `info` is filled in with what the run used; `testFault` is the tests'
 * injected failure (core/cibersort/faults.ts).
 */
export function browserFitRunner(workers = defaultWorkers(), info?: BrowserPoolInfo, testFault?: string): FitRunner {
  return async (problem, vectors, local, opts) => {
    const { G } = problem;
    const k = vectors.length / G;
    const R = problem.recordSize;
    const n = Math.max(1, Math.min(workers, k));
    const share = canShare();
    if (info) Object.assign(info, { workers: k < MIN_VECTORS_FOR_POOL ? 0 : n, shared: share && k >= MIN_VECTORS_FOR_POOL });
    if (k < MIN_VECTORS_FOR_POOL) return runFitsInProcess(problem, vectors, local, opts);
    const chunk = Math.max(1, opts.chunkSize ?? Math.min(MAX_CHUNK, Math.ceil(k / (n * CHUNKS_PER_WORKER))));
    const raw: Worker[] = [];
    const remotes: Remote<FitWorkerApi>[] = [];
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL("./fit-worker.js", import.meta.url), { type: "module", name: `cellfrac-fit-${i}` });
      raw.push(w);
      remotes.push(wrap<FitWorkerApi>(w));
    }
    const sv = share ? sharedCopy(vectors) : undefined;
    const sr = share ? new Float64Array(new SharedArrayBuffer(k * R * 8)) : undefined;
    const out = sr ?? new Float64Array(k * R);
    // On abort the workers are terminated at once; their pending answers never come, so lanes race this.
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        raw.forEach((w) => w.terminate());
        reject(opts.signal?.reason ?? new Error("aborted"));
      };
    });
    aborted.catch(() => {});
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    let next = 0;
    let fitted = 0;
    let failure: unknown;
    const lane = async (remote: Remote<FitWorkerApi>): Promise<void> => {
      await Promise.race([aborted, remote.setRun({ ...problem, x: share ? sharedCopy(problem.x) : problem.x }, sv, sr, testFault)]);
      while (next < k && failure === undefined && !opts.signal?.aborted) {
        const a = next;
        const b = Math.min(k, a + chunk);
        next = b;
        try {
          if (sv) {
            await Promise.race([aborted, remote.fitShared(a, b)]);
          } else {
            const part = vectors.slice(a * G, b * G);
            out.set(await Promise.race([aborted, remote.fit(transfer(part, [part.buffer]), a)]), a * R);
          }
        } catch (e) {
          if (opts.signal?.aborted || failure !== undefined) throw e;
          // The first failure names its chunk and stops the run: every worker is terminated at once.
          failure = new FitFailure(a, b - 1, failureReason(e));
          onAbort();
          throw failure;
        }
        fitted += b - a;
        opts.onFitted?.(fitted);
      }
    };
    try {
      await Promise.all(
        remotes.map((r) =>
          lane(r).catch((e) => {
            failure ??= e;
          }),
        ),
      );
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
      remotes.forEach((r) => r[releaseProxy]());
      raw.forEach((w) => w.terminate());
    }
    if (failure instanceof FitFailure) throw failure;
    opts.signal?.throwIfAborted();
    if (failure !== undefined) throw new Error(`a fit worker failed: ${(failure as Error)?.message ?? failure}`, { cause: failure });
    // Records leave shared memory: the caller owns an ordinary buffer.
    return sr ? Float64Array.from(sr) : out;
  };
}
