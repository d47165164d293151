// CPU time per exact ν-SVR fit (assembly/svr-exact.ts through exactCoreAlg, three ν per sample) on the samples
// of a real or synthetic mixture, for one or more compiled Wasm modules run alternately in one process, with
// the output blocks of every module (weights, RMSE, r, selected ν and iteration counts) compared bit for bit with
// the first's:
//   node --import tsx bench/fits.ts <mixture> [--samples N] [--rounds R] [module.wasm ...]
// (default module: build/cellfrac.wasm; LM22, no QN, as `cellfrac cibersort --solver exact` prepares it).
import "../src/node/host.js";
import { readFileSync } from "node:fs";
import { CibersortEngine } from "../src/core/cibersort/engine.js";
import { prepare } from "../src/core/cibersort/prepare.js";
import { instantiateCore } from "../src/core/wasm.js";
import { readSignature } from "../src/node/data.js";
import { readMatrixFile } from "../src/node/read.js";

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i < 0 ? def : Number(args.splice(i, 2)[1]);
};
const maxSamples = opt("--samples", 200);
const rounds = opt("--rounds", 3);
const [mixture, ...mods] = args;
if (!mixture) throw new Error("usage: bench/fits.ts <mixture> [--samples N] [--rounds R] [module.wasm ...]");
const modules = mods.length ? mods : [new URL("../build/cellfrac.wasm", import.meta.url).pathname];

const first = await instantiateCore(readFileSync(modules[0]));
const prepared = prepare(first, readSignature("LM22"), readMatrixFile(mixture), { qn: false, scale: "auto" });
const G = prepared.genes.length;
const T = prepared.cellTypes.length;
const engines: CibersortEngine[] = [new CibersortEngine(first, prepared.xRowMajor, G, T, "exact")];
for (const m of modules.slice(1)) {
  engines.push(new CibersortEngine(await instantiateCore(readFileSync(m)), prepared.xRowMajor, G, T, "exact"));
}
const S = Math.min(maxSamples, prepared.samples.length);
const zs: Float64Array[] = [];
for (let s = 0; s < S; s++) {
  const z = new Float64Array(G);
  if (engines[0].standardize(prepared.y.subarray(s * G, (s + 1) * G), z) > 0) zs.push(z);
}

const layout = engines[0].layout;
const nNu = layout.nus.length;
const best = modules.map(() => Infinity);
const blocks: Float64Array[][] = modules.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (let e = 0; e < engines.length; e++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < zs.length; i++) {
      const b = engines[e].fitBlock(zs[i]);
      if (r === 0) blocks[e].push(b.slice());
    }
    const t = process.cpuUsage(t0);
    best[e] = Math.min(best[e], (t.user + t.system) / 1000);
  }
}
console.log(`${mixture}: ${zs.length} samples × ${nNu} ν, ${G} genes; CPU time, minimum of ${rounds} rounds`);
for (let e = 0; e < engines.length; e++) {
  const its = blocks[e].flatMap((b) => Array.from(b.subarray(layout.iterations, layout.iterations + nNu)));
  const failed = its.filter((i) => i < 0).length;
  const abs = its.map(Math.abs);
  const mean = abs.reduce((a, b) => a + b, 0) / abs.length;
  let diff = 0;
  for (let i = 0; i < zs.length; i++) {
    const a = new BigUint64Array(blocks[0][i].buffer),
      b = new BigUint64Array(blocks[e][i].buffer);
    for (let k = 0; k < a.length; k++) {
      if (a[k] !== b[k]) {
        diff++;
        break;
      }
    }
  }
  const perFit = (best[e] * 1000) / its.length;
  console.log(
    `${modules[e]}: ${perFit.toFixed(1)} µs per fit; IPM iterations mean ${mean.toFixed(2)}, max ${Math.max(...abs)}, ` +
      `uncertified ${failed}; samples whose block differs from the first module's: ${diff}`,
  );
}
