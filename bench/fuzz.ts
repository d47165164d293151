// The long fuzz run of every reader (the suite's test/fuzz.test.ts runs 1,000 per reader with one seed):
//   node --import tsx bench/fuzz.ts [runs per reader, default 20000] [seed, default 1]
// Counts inputs tried, accepted, refused with a located InputError, and crashes (anything else: printed
// with its counterexample, exit 1). Results go in bench/RESULTS.md with the command and the machine.
import "../src/node/host.js"; // the readers load apache-arrow and gunzip through the host
import fc from "fast-check";
import { readerProperty, seeds, type Outcome } from "../test/helpers/fuzz.js";

const runs = Number(process.argv[2] ?? 20000);
const seed = Number(process.argv[3] ?? 1);
const all = seeds();
const readers = [...new Set(all.map((s) => s.reader))];
let tried = 0;
let crashes = 0;
const t0 = performance.now();
for (const reader of readers) {
  let ok = 0;
  let refused = 0;
  const count = (o: Outcome) => (o.ok ? ok++ : refused++);
  const r = fc.check(
    readerProperty(
      all.filter((s) => s.reader === reader),
      count,
    ),
    { seed, numRuns: runs, endOnFailure: true },
  );
  tried += r.numRuns;
  if (r.failed) {
    crashes++;
    console.log(
      `${reader}: CRASH after ${r.numRuns} inputs: ${String(r.errorInstance)}\n  counterexample: ${JSON.stringify(r.counterexample)}`,
    );
  }
  console.log(`${reader.padEnd(12)} ${String(r.numRuns).padStart(7)} inputs: ${ok} read, ${refused} refused with a located message`);
}
const s = ((performance.now() - t0) / 1000).toFixed(1);
console.log(`${tried} inputs tried in ${s} s (seed ${seed}), crashes: ${crashes}`);
process.exitCode = crashes ? 1 : 0;
