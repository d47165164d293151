/**
 * Bounds on options, checked before any work: a value whose memory could never be had on this machine is a
 * usage error (exit 2) that says the estimate and the way out, instead of a RangeError or an out-of-memory
 * crash minutes later. The budget is half the machine's memory, or CELLFRAC_MAX_MEMORY.
 */
import { totalmem } from "node:os";
import { UsageError } from "../core/errors.js";
import { formatBytes, parseSize } from "../core/limits.js";

/** A fit worker's own memory (V8 isolate, Wasm core and engine): measured ~28 MB RSS each, doubled for margin. */
export const WORKER_BYTES = 64 * 2 ** 20;
/** The most doubles in one Float64Array (the permutation draws and fit vectors are one array each). */
const ARRAY_MAX = 2 ** 32 - 1;

/** Bytes a run may plan to use: CELLFRAC_MAX_MEMORY, else half of the machine's memory. */
export function memoryBudget(env: Record<string, string | undefined> = process.env): { bytes: number; why: string } {
  const v = env.CELLFRAC_MAX_MEMORY;
  if (v !== undefined && v !== "") {
    const n = parseSize(v);
    if (n === undefined) throw new UsageError(`CELLFRAC_MAX_MEMORY="${v}" is not a positive size (e.g. 8G, 512M)`);
    return { bytes: n, why: "CELLFRAC_MAX_MEMORY" };
  }
  const total = totalmem();
  return { bytes: Math.floor(total / 2), why: `half of this machine's ${formatBytes(total)}; CELLFRAC_MAX_MEMORY raises it` };
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * CPU time of one permutation (a CoreAlg: three ν fits) at the least, by solver: the fastest measured per-fit
 * times (bench/RESULTS.md: exact 0.36 ms a fit on 287 genes, libsvm 27 ms a fit), rounded down. Only for
 * telling a user what an absurd --perm would cost; never a bound by itself.
 */
const PERM_SECONDS = { exact: 1e-3, libsvm: 0.08 } as const;

/** A duration for a message: seconds up to years, two significant digits. */
export function formatDuration(s: number): string {
  const units: [number, string][] = [
    [365.25 * 86400, "years"],
    [86400, "days"],
    [3600, "hours"],
    [60, "minutes"],
  ];
  const [size, name] = units.find(([u]) => s >= u) ?? [1, "seconds"];
  return `${Number((s / size).toPrecision(2)).toLocaleString("en-US")} ${name}`;
}

/**
 * --perm against memory: each permutation holds a draw and a fit vector of G doubles (G ≤ the signature's
 * genes) and a fit record of `recordFloats` doubles (fits.ts recordSize); `samples` fit vectors join them
 * in one array. The refusal also says the CPU time the permutations would take.
 */
export function checkPerm(perm: number, genes: number, recordFloats: number, samples = 0, solver: "libsvm" | "exact" = "libsvm"): void {
  const per = 16 * genes + 8 * recordFloats;
  const budget = memoryBudget();
  const byMemory = Math.floor(budget.bytes / per);
  const byArray = Math.floor(ARRAY_MAX / Math.max(1, genes)) - samples;
  const most = Math.max(0, Math.min(byMemory, byArray));
  if (perm <= most) return;
  const need =
    `--perm ${count(perm)} needs ${formatBytes(perm * per)} for the permutation draws and fits ` +
    `(${count(genes)} signature genes: ${formatBytes(per)} each)`;
  const where = byMemory <= byArray ? `in ${formatBytes(budget.bytes)} (${budget.why})` : "in one array of 2^32 values";
  const time = `and at least ${formatDuration(perm * PERM_SECONDS[solver])} of CPU time (--solver ${solver})`;
  throw new UsageError(`${need} ${time}; at most ${count(most)} fit ${where} — CIBERSORT's P-values need 100 to 1,000`);
}

/** --threads against memory: every worker costs WORKER_BYTES before it fits anything. */
export function checkThreads(threads: number | undefined): void {
  if (threads === undefined) return;
  const budget = memoryBudget();
  const most = Math.max(1, Math.floor(budget.bytes / WORKER_BYTES));
  if (threads <= most) return;
  throw new UsageError(
    `--threads ${count(threads)} needs ${formatBytes(threads * WORKER_BYTES)} for the workers alone (${formatBytes(WORKER_BYTES)} each); ` +
      `at most ${count(most)} in ${formatBytes(budget.bytes)} (${budget.why}) — more threads than cores gain nothing`,
  );
}
