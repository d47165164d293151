// The line-length guard on one large chunk: `npx tsx bench/stream-guard.ts [lines]` prints the time of one push.
// Before e311f25 it searched the rest of the chunk for a CR on every line (quadratic); now it is linear.
import { StreamGuard } from "../src/core/limits.js";

const n = Number(process.argv[2] ?? 200_000);
const text = `${Array.from({ length: n }, (_, i) => `G${i}\t1.5\t2.5`).join("\n")}\r\n`; // one CR, at the end
const bytes = new TextEncoder().encode(text);
const t = performance.now();
new StreamGuard("bench", { lines: true }).push(bytes);
console.log(`${n} lines, one chunk: push took ${(performance.now() - t).toFixed(1)} ms`);
