// Batches of CoreAlg fits as flat records, the unit of work shared by the in-process path, the Node worker
// pool (piscina) and the browser pool (comlink): target vectors go in as one Float64Array (vector-major,
// G values each, i.e. the buffer of an Arrow Float64 column per vector), records come out as one
// Float64Array. Each vector's fit depends on nothing but X and the vector, so any split of the batch
// gives the same bits.
import type { CoreAlgLayout } from "../kernels.js";
import type { Core } from "../wasm.js";
import { blockToFit, CibersortEngine, type CoreFit } from "./engine.js";

/**
 * A record per vector: the vector's sd, then the kernel's CoreAlg output block as it wrote it (layout from
 * the module: kernels.ts coreAlgLayout), so nothing here restates the block's slots.
 */
export const RECORD_SD = 0;
const RECORD_BLOCK = 1;
/** f64 per record for T cell types. */
export const recordSize = (layout: CoreAlgLayout, T: number): number => RECORD_BLOCK + layout.size(T);

/** What a fit worker needs besides the vectors: the run's standardised signature. */
export interface FitProblem {
  /** Identifies the run, so a worker builds its engine (Gram matrix, initial points) once per run. */
  runId: string;
  /** Standardised signature, G × T row-major. */
  x: Float64Array;
  G: number;
  T: number;
  /** ν-SVR solver (default libsvm, R's trajectory). */
  solver?: "libsvm" | "exact";
  /** f64 per record (recordSize), so a pool can place records without a Wasm instance of its own. */
  recordSize: number;
}

/**
 * A fit that failed (a Wasm trap, an exception, a worker that died): the vectors it concerns, [first, last],
 * indices into the run's vector list, so the run can name the permutation or sample.
 */
export class FitFailure extends Error {
  override readonly name = "FitFailure";
  constructor(
    readonly first: number,
    readonly last: number,
    readonly reason: string,
  ) {
    super(reason);
  }

  /** The same failure for vectors counted from `offset` on (a chunk's failure in the whole batch). */
  shift(offset: number): FitFailure {
    return new FitFailure(this.first + offset, this.last + offset, this.reason);
  }
}

/** Any error as the one-line reason of a FitFailure. */
export function failureReason(e: unknown): string {
  if (e instanceof FitFailure) return e.reason;
  if ((e as Error)?.name === "FitFailure") return (e as Error).message; // one that crossed a thread as a plain Error
  const err = e as { name?: string; message?: string; code?: string };
  const what = err?.name === "RuntimeError" ? "WebAssembly trap" : err?.code === "ERR_WORKER_OUT_OF_MEMORY" ? "out of memory" : err?.name;
  return `${what ? `${what}: ` : ""}${err?.message ?? String(e)}`;
}

/**
 * Fit every vector of `vectors` (k × G) and return the k records. A vector with sd = 0 (constant) is not
 * fitted: its record has sd 0 and selected −1. A failing fit throws a FitFailure naming its vector.
 */
export function fitBatch(engine: CibersortEngine, vectors: Float64Array, G: number, T: number): Float64Array {
  const k = vectors.length / G;
  const R = recordSize(engine.layout, T);
  const out = new Float64Array(k * R);
  const z = new Float64Array(G);
  let i = 0;
  try {
    for (; i < k; i++) fitOne(engine, vectors, G, i, out.subarray(i * R, (i + 1) * R), z);
  } catch (e) {
    throw new FitFailure(i, i, failureReason(e));
  }
  return out;
}

function fitOne(engine: CibersortEngine, vectors: Float64Array, G: number, i: number, rec: Float64Array, z: Float64Array): void {
  const sd = engine.standardize(vectors.subarray(i * G, (i + 1) * G), z);
  rec[RECORD_SD] = sd;
  rec[RECORD_BLOCK + engine.layout.selected] = -1;
  if (sd > 0) rec.set(engine.fitBlock(z), RECORD_BLOCK);
}

/** One engine per run and Wasm instance: a worker keeps the last run's engine. */
export class EngineCache {
  private runId = "";
  private engine?: CibersortEngine;
  constructor(private readonly core: () => Promise<Core>) {}

  async get(p: FitProblem): Promise<CibersortEngine> {
    if (!this.engine || this.runId !== p.runId) {
      this.engine = new CibersortEngine(await this.core(), p.x, p.G, p.T, p.solver);
      this.runId = p.runId;
    }
    return this.engine;
  }
}

/** A record as a CoreFit (views, no copies). */
export function recordToFit(rec: Float64Array, layout: CoreAlgLayout, T: number): CoreFit {
  return blockToFit(rec.subarray(RECORD_BLOCK), layout, T);
}

export interface FitRunOptions {
  /** Worker threads; 1 fits in the calling thread. */
  threads?: number;
  /** Vectors per task. Never changes results. */
  chunkSize?: number;
  signal?: AbortSignal;
  /** Called with the number of vectors fitted so far. */
  onFitted?: (vectors: number) => void;
}

/** Fits k vectors (k × G, vector-major) and returns k records; `local` gives an engine in this thread. */
export type FitRunner = (
  problem: FitProblem,
  vectors: Float64Array,
  local: () => CibersortEngine,
  opts: FitRunOptions,
) => Promise<Float64Array>;

/** Default chunk when none is given: progress and abort checks every ~1% of the work. */
const LOCAL_CHUNKS = 100;

/** The runner without workers (browser main thread, threads = 1, tests). */
export const runFitsInProcess: FitRunner = async (problem, vectors, local, opts) => {
  const { G, T } = problem;
  const k = vectors.length / G;
  const R = problem.recordSize;
  const out = new Float64Array(k * R);
  const chunk = Math.max(1, opts.chunkSize ?? Math.ceil(k / LOCAL_CHUNKS));
  const engine = local();
  for (let a = 0; a < k; a += chunk) {
    opts.signal?.throwIfAborted();
    const b = Math.min(k, a + chunk);
    try {
      out.set(fitBatch(engine, vectors.subarray(a * G, b * G), G, T), a * R);
    } catch (e) {
      throw e instanceof FitFailure ? e.shift(a) : e;
    }
    opts.onFitted?.(b);
  }
  return out;
};
