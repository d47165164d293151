// The TypeScript side's declaration of the Wasm interface (src/core/kernels.ts) against the built modules:
// every declared function exists with its arity, every declared global exists, nothing is exported
// undeclared, for the release and the debug build; the layout the hosts read matches the one CoreAlg writes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { coreAlgLayout, exportMismatches, KERNEL_FUNCTIONS, KERNEL_GLOBALS } from "../src/core/kernels.js";
import { loadCore, type CoreFlavor } from "../src/core/wasm.js";

const FILES: Record<CoreFlavor, string> = { release: "cellfrac.wasm", debug: "cellfrac.debug.wasm" };

describe.each(["release", "debug"] as const)("Wasm exports (%s build)", (flavor) => {
  const bytes = readFileSync(new URL(`../build/${FILES[flavor]}`, import.meta.url));
  const mod = new WebAssembly.Module(bytes);
  const kinds = new Map(WebAssembly.Module.exports(mod).map((e) => [e.name, e.kind]));

  it("the module exports every declared function and global, of that kind, and nothing else", () => {
    for (const name of Object.keys(KERNEL_FUNCTIONS)) expect(kinds.get(name), name).toBe("function");
    for (const name of KERNEL_GLOBALS) expect(kinds.get(name), name).toBe("global");
    expect(kinds.get("memory")).toBe("memory");
    const declared = new Set<string>(["memory", ...Object.keys(KERNEL_FUNCTIONS), ...KERNEL_GLOBALS]);
    expect([...kinds.keys()].filter((n) => !declared.has(n))).toEqual([]);
  });

  it("every function takes as many arguments as declared", async () => {
    const core = await loadCore(flavor);
    const raw = core.x as unknown as Record<string, (...a: number[]) => unknown>; // to read .length by name
    for (const [name, [params]] of Object.entries(KERNEL_FUNCTIONS)) expect(raw[name].length, name).toBe(params.length);
  });

  it("exportMismatches names a missing export, a wrong arity and an undeclared export", async () => {
    const core = await loadCore(flavor);
    const exports: Record<string, unknown> = { ...(core.x as unknown as Record<string, unknown>) };
    delete exports.rSum;
    exports.rMean = (p: number) => p;
    exports.extra = () => 0;
    expect(exportMismatches(exports)).toEqual([
      "rSum: missing",
      "rMean: takes 1 arguments, declared 2",
      "extra: exported but not declared in kernels.ts",
    ]);
    expect(exportMismatches(core.x as unknown as Record<string, unknown>)).toEqual([]);
  });

  it("the ν grid is CIBERSORT's (R script: svm(..., nu = c(0.25, 0.5, 0.75)))", async () => {
    expect(coreAlgLayout((await loadCore(flavor)).x).nus).toEqual([0.25, 0.5, 0.75]);
  });

  it("the CoreAlg block is selected, then RMSE, r and iterations per ν, then v and w per ν and cell type", async () => {
    const l = coreAlgLayout((await loadCore(flavor)).x);
    const n = l.nus.length;
    const T = 7;
    expect([l.selected, l.rmse, l.r, l.iterations, l.v]).toEqual([0, 1, 1 + n, 1 + 2 * n, 1 + 3 * n]);
    expect(l.w(T)).toBe(l.v + n * T);
    expect(l.size(T)).toBe(l.w(T) + n * T);
  });
});
