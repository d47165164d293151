/**
 * The parallel reader's pool: batches of table rows (their text and where each row's cells are) are scanned
 * on worker threads while the reading thread splits the next lines, and handed back in file order. The
 * reading thread keeps everything whose result depends on order (line numbers, gene choice, duplicates,
 * limits, the careful parser and its messages); workers only turn cells into numbers (scan-batch.ts), so
 * the table read is the same, bit for bit and message for message, for any thread count.
 */
import type { Piscina } from "piscina";
import { workerFile } from "./pool.js";
import { scanBatch, type ScanDone, type ScanTask } from "./scan-batch.js";

/** A data row waiting for its cells: `values` when the reading thread parsed it (careful parser) already. */
export interface PendingRow {
  gene: string;
  kept: boolean;
  lineNo: number;
  /** Where its line starts, its first cell and its end in the batch's text. */
  start: number;
  s: number;
  e: number;
  values?: Float64Array;
}

export interface ScannedBatch {
  rows: PendingRow[];
  done: ScanDone;
}

type Workers = Piscina<ScanTask, ScanDone | Float64Array>;

/**
 * A worker idle this long ends (its memory with it): the parse workers are gone soon after a read, not held
 * through the fits that follow (≈ 0.15 GB of peak RSS on the 10k cohort, bench/RESULTS.md), while reads in
 * quick succession (an API user's, a test's) share them; during a read a worker waits far less for its
 * next batch. Not destroy() at the end of a read: terminating a worker still loading its module aborts
 * Node 20 (a fatal error in require(esm)), and a short or failed read can end before its workers are up;
 * piscina's idle timeout ends only ready workers.
 */
const IDLE_MS = 250;

/** One worker pool per thread count (idle workers end, see IDLE_MS; they do not keep the process alive). */
const pools = new Map<number, Promise<Workers>>();

function workers(threads: number): Promise<Workers> {
  let p = pools.get(threads);
  if (!p) {
    const filename = workerFile("parse-worker.js");
    p = import("piscina").then(({ Piscina }) => new Piscina({ filename, minThreads: 0, maxThreads: threads, idleTimeout: IDLE_MS }));
    pools.set(threads, p);
  }
  return p;
}

/**
 * One file's batches on the pool of `threads` workers, handed back in file order. Each batch's text is a
 * buffer of its own, transferred to the worker. (A ring of shared buffers read in place and reused was
 * tried: it raised the read's peak RSS by ≈ 50 MB instead of lowering it, bench/RESULTS.md.)
 */
export class ScanPool {
  private queue: { rows: PendingRow[]; done: Promise<ScanDone> }[] = [];

  constructor(private readonly threads: number) {}

  /** Scan `rows` (of `bytes`, which is transferred: the caller must not touch it again) on a worker. */
  async submit(bytes: Uint8Array, rows: PendingRow[], D: number, ncol: number, pick?: Int32Array): Promise<void> {
    const pool = await workers(this.threads);
    const task = { bytes, rows: remote(rows), D, ncol, pick };
    const done = pool.run(task, { transferList: [bytes.buffer as ArrayBuffer] }).then((r) => (r instanceof Float64Array ? { out: r } : r));
    done.catch(() => {}); // awaited in order by settled(); a rejection before then is not unhandled
    this.queue.push({ rows, done });
  }

  /** The oldest batches, in file order, until at most `inFlight` are still being scanned. */
  async *settled(inFlight: number): AsyncGenerator<ScannedBatch> {
    while (this.queue.length > inFlight) {
      const b = this.queue.shift()!;
      yield { rows: b.rows, done: await b.done };
    }
  }

  /** Drop the batches still in flight (after an error: their workers finish them, the results are ignored). */
  close(): void {
    this.queue = [];
  }
}

/** A batch cut short by an error in the reading thread, scanned here (its rows precede the error). */
export function scanHere(bytes: Uint8Array, rows: PendingRow[], D: number, ncol: number, pick?: Int32Array): ScannedBatch {
  return { rows, done: scanBatch({ bytes, rows: remote(rows), D, ncol, pick }) };
}

/** The rows a worker scans (those without values), as [first cell, end, kept] triples. */
function remote(rows: PendingRow[]): Int32Array {
  const out: number[] = [];
  for (const r of rows) if (!r.values) out.push(r.s, r.e, r.kept ? 1 : 0);
  return Int32Array.from(out);
}
