/**
 * Test hook for fit-worker failures, shared by the Node and browser fit workers. A spec `<kind>@<vector>`
 * makes the worker whose task holds vector <vector> (0-based in the run: permutations first, then samples)
 * fail as <kind> says: `throw` (an exception), `trap` (a real WebAssembly trap, `unreachable`) or `oom` (the
 * host's way to run out of memory). The Node host takes the spec from CELLFRAC_TEST_FAULT
 * (src/node/faults.ts), the page only from a test (src/browser/page/page.ts). Without one it does nothing.
 */
import { FitFailure, failureReason } from "./fits.js";

const SPEC = /^(throw|trap|oom)@(\d+)$/;

/** A module of one function whose body is `unreachable`: calling it traps, as a Wasm bug would. */
const TRAP_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66,
  0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
]);

/** Fail as `spec` says when the task's vectors first..first+count-1 hold its vector; `oom` runs out of memory. */
export function injectFault(spec: string | undefined, first: number, count: number, oom: () => never): void {
  const m = SPEC.exec(spec ?? "");
  if (!m) return;
  const at = Number(m[2]);
  if (at < first || at >= first + count) return;
  const i = at - first;
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
