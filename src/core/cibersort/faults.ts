/**
 * Test hook for fit-worker failures, shared by the Node and browser fit workers. A spec `<kind>@<vector>`
 * makes the worker whose task holds vector <vector> (0-based in the run: permutations first, then samples)
 * fail as <kind> says: `throw` (an exception), `trap` (a real WebAssembly trap, `unreachable`) or `oom` (the
 * host's way to run out of memory). `+<n>ms` after it fails n ms late; faults separated by commas make
 * several tasks fail, in an order a test chooses (a task holding two fails at its lower vector). The Node
 * host takes the spec from CELLFRAC_TEST_FAULT (src/node/faults.ts), the page only from a test
 * (src/browser/page/page.ts). Without one it does nothing.
 */
import { FitFailure, failureReason } from "./fits.js";

const FAULT = /^(throw|trap|oom)@(\d+)(?:\+(\d+)ms)?$/;

/** A module of one function whose body is `unreachable`: calling it traps, as a Wasm bug would. */
const TRAP_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66,
  0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
]);

/** Fail as `spec` says when the task's vectors first..first+count-1 hold one of its vectors; `oom` runs out of memory. */
export function injectFault(spec: string | undefined, first: number, count: number, oom: () => never): void {
  const held = (spec ?? "")
    .split(",")
    .map((f) => FAULT.exec(f))
    .filter((f) => f !== null && Number(f[2]) >= first && Number(f[2]) < first + count) as RegExpExecArray[];
  if (held.length === 0) return;
  const m = held.reduce((a, f) => (Number(f[2]) < Number(a[2]) ? f : a));
  const i = Number(m[2]) - first;
  // A busy wait, as the synchronous fits it stands in for (Atomics.wait is not allowed on every thread).
  const until = Date.now() + Number(m[3] ?? 0);
  while (Date.now() < until) {}
  if (m[1] === "throw") throw new FitFailure(i, i, failureReason(new Error("injected fault")));
  if (m[1] === "trap") {
    const f = new WebAssembly.Instance(new WebAssembly.Module(TRAP_WASM)).exports.f as () => void;
    try {
      f();
    } catch (e) {
      throw new FitFailure(i, i, failureReason(e));
    }
  }
  oom();
}
