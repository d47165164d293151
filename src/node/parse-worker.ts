// A piscina worker of the parallel reader (stream-parallel.ts): scans the cells of a batch of table rows.
import { move } from "piscina";
import { scanBatch, type ScanDone, type ScanTask } from "./scan-batch.js";

export default function scan(task: ScanTask): ScanDone | Float64Array {
  const done = scanBatch(task);
  // The numbers are transferred, not cloned; the text comes back (cloned) only when a row needs it.
  return done.bytes ? done : (move(done.out) as unknown as Float64Array);
}
