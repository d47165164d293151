// A piscina worker of the parallel reader (stream-parallel.ts): scans the cells of a batch of table rows.
import { move } from "piscina";
import "./host.js";
import { type Core, loadCore } from "../core/wasm.js";
import { scanBatch, type ScanDone, type ScanTask } from "./scan-batch.js";

let core: Promise<Core> | undefined;

export default async function scan(task: ScanTask): Promise<ScanDone | Float64Array> {
  const done = scanBatch(task, await (core ??= loadCore()));
  // The numbers are transferred, not cloned; the text comes back (cloned) only when a row needs it.
  return done.bytes ? done : (move(done.out) as unknown as Float64Array);
}
