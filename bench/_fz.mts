import fc from "fast-check";
import { applyEdits, editArb, readOnce, seeds } from "../test/helpers/fuzz.js";
const reader = process.argv[2];
const all = seeds().filter((s) => s.reader === reader);
const cases = fc.sample(fc.tuple(fc.nat(all.length - 1), fc.array(editArb, { minLength: 1, maxLength: 4 })), { seed: 1, numRuns: Number(process.argv[3] ?? 200) });
let k = 0;
for (const [i, edits] of cases) {
  const t0 = performance.now();
  const b = applyEdits(all[i].bytes, edits);
  process.stdout.write(`#${k} ${all[i].name} ${JSON.stringify(edits)} ... `);
  let r = "";
  try { r = JSON.stringify(readOnce(all[i], b)).slice(0, 150); } catch (e) { r = "CRASH " + String(e).slice(0, 200); }
  console.log(`${(performance.now() - t0).toFixed(0)} ms ${r}`);
  k++;
}
