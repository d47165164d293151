/**
 * Test hook for worker failures: CELLFRAC_TEST_FAULT=<kind>@<vector> makes the fit worker whose task holds
 * vector <vector> (0-based in the run: permutations first, then samples) fail as <kind> says — `throw` (an
 * exception), `trap` (a real WebAssembly trap, `unreachable`) or `oom` (the worker exhausts its heap and is
 * killed by its resource limit). Unset (every normal run), it does nothing.
 */
import { FitFailure, failureReason } from "../core/cibersort/fits.js";

const spec = /^(throw|trap|oom)@(\d+)$/.exec(process.env.CELLFRAC_TEST_FAULT ?? "");

/** A module of one function whose body is `unreachable`: calling it traps, as a Wasm bug would. */
const TRAP_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66,
  0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
]);

export function injectFault(first: number, count: number): void {
  if (!spec) return;
  const at = Number(spec[2]);
  if (at < first || at >= first + count) return;
  const i = at - first;
  if (spec[1] === "throw") throw new FitFailure(i, i, failureReason(new Error("injected fault")));
  if (spec[1] === "trap") {
    const f = new WebAssembly.Instance(new WebAssembly.Module(TRAP_WASM)).exports.f as () => void;
    try {
      f();
    } catch (e) {
      throw new FitFailure(i, i, failureReason(e));
    }
  }
  const hog: number[][] = [];
  for (;;) hog.push(new Array<number>(1 << 20).fill(hog.length + 0.5));
}
