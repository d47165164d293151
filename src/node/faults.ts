/**
 * The Node fit worker's fault hook (src/core/cibersort/faults.ts): CELLFRAC_TEST_FAULT=<kind>@<vector>[+<n>ms],….
 * `oom` here exhausts the worker's heap, so its resource limit kills it as a real out-of-memory would.
 * Unset (every normal run), it does nothing.
 */
import { injectFault as inject } from "../core/cibersort/faults.js";

const spec = process.env.CELLFRAC_TEST_FAULT;

function exhaustHeap(): never {
  const hog: number[][] = [];
  for (;;) hog.push(new Array<number>(1 << 20).fill(hog.length + 0.5));
}

export function injectFault(first: number, count: number): void {
  if (spec) inject(spec, first, count, exhaustHeap);
}
