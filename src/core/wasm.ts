// Loading the Wasm core and a thin typed view over its exports. Every instance has its own memory; a
// run resets the instance's heap, copies its inputs in once and reads results through views. The exports'
// types live in kernels.ts.
import { type CoreFlavor, host, hostInstantiate } from "./host.js";
import { bindExports, type CoreExports } from "./kernels.js";

export type { CoreExports } from "./kernels.js";

export type { CoreFlavor } from "./host.js";

/** An instance of the host's compiled module (see host.ts: Node reads build/*.wasm, the browser its asset). */
export async function loadCore(flavor: CoreFlavor = "release"): Promise<Core> {
  return instantiateCore(await host().wasmModule(flavor));
}

/** An instance of a compiled module, or of module bytes (compiled here). */
export async function instantiateCore(source: WebAssembly.Module | BufferSource): Promise<Core> {
  const mod = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const imports = {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`cellfrac Wasm core aborted (assertion failed at ${line}:${col})`);
      },
    },
  };
  const sync = hostInstantiate();
  const inst = sync ? sync(mod, imports) : await WebAssembly.instantiate(mod, imports);
  return new Core(bindExports(inst.exports));
}

/** Convenience wrapper: allocation and copies between JS typed arrays and Wasm memory. */
export class Core {
  constructor(readonly x: CoreExports) {}

  reset(): void {
    this.x.reset();
  }

  /** Allocate room for n doubles. */
  allocF64(n: number): number {
    return this.x.alloc(Math.max(8, n * 8));
  }

  /** Copy a Float64Array into fresh Wasm memory and return its pointer. */
  putF64(a: ArrayLike<number>): number {
    const p = this.allocF64(a.length);
    this.f64(p, a.length).set(a);
    return p;
  }

  /** A view of n doubles at p (invalidated if memory grows: take views after allocating). */
  f64(p: number, n: number): Float64Array {
    return new Float64Array(this.x.memory.buffer, p, n);
  }

  /** R sum/mean/var/sd/cor of a JS vector (copies; for tests and small vectors). */
  rstat(kind: "sum" | "mean" | "var" | "sd", v: ArrayLike<number>): number {
    const p = this.putF64(v);
    const r =
      kind === "sum"
        ? this.x.rSum(p, v.length, 1)
        : kind === "mean"
          ? this.x.rMean(p, v.length)
          : kind === "var"
            ? this.x.rVar(p, v.length)
            : this.x.rSd(p, v.length);
    return r;
  }

  rCor(a: ArrayLike<number>, b: ArrayLike<number>): number {
    const pa = this.putF64(a);
    const pb = this.putF64(b);
    return this.x.rCor(pa, pb, a.length);
  }
}
