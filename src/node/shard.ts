// The Node side of sharded runs (docs/scale.md, "Sharding"): the shard options every method command takes,
// the fingerprints plans and parts carry (SHA-256 of the input bytes, streamed), and writing a part. Loaded
// by a shard's run only; the options themselves are in shard-args.ts (every run parses them).
import { nodeCrypto } from "./host.js";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { InputError, UsageError } from "../core/errors.js";
import type { ShardArgs } from "./shard-args.js";
import { type Matrix, selectRows } from "../core/matrix.js";
import { mergeDuplicatesByMedian } from "../core/methods/epic.js";
import { type MethodOutput, type MethodSpec, type OptionValues, keyOf } from "../core/registry.js";
import { type PartFile, emptyPart, makePart, selectSamples } from "../core/shards.js";
import { writeFileAtomic } from "./write.js";

/** The mixture columns (0-based, ascending) a shard runs. */
export function shardColumns(samples: readonly string[], s: ShardArgs): number[] {
  if (s.shard !== undefined) {
    const [k, n] = s.shard.split("/").map(Number);
    const S = samples.length;
    const from = Math.floor(((k - 1) * S) / n);
    const to = Math.floor((k * S) / n);
    return Array.from({ length: to - from }, (_, i) => from + i);
  }
  if (s.sampleList !== undefined) {
    let text: string;
    try {
      text = readFileSync(s.sampleList, "utf8");
    } catch (e) {
      throw new InputError(`cannot read the sample list: ${(e as Error).message}`, { file: s.sampleList });
    }
    return selectSamples(samples, { list: { text, file: s.sampleList } });
  }
  return selectSamples(samples, { range: s.sampleRange });
}

/** SHA-256 (hex) of a file's bytes, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const h = nodeCrypto().createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file: path });
  }
  return h.digest("hex");
}

/** SHA-256 (hex) of a parsed matrix (names and values): a bundled signature has no file of its own. */
export function matrixSha256(m: Matrix): string {
  const h = nodeCrypto().createHash("sha256");
  h.update(JSON.stringify([m.rows, m.cols]));
  h.update(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  return h.digest("hex");
}

export function textSha256(text: string): string {
  return nodeCrypto().createHash("sha256").update(text).digest("hex");
}

/** The file name plans and parts show (never a machine's path). */
export const shownName = (path: string): string => basename(path);

/** Write a part (atomically) to `output`, or return its text for stdout. */
export function writePart(part: PartFile, output: string | undefined): string | undefined {
  const text = `${JSON.stringify(part)}\n`;
  if (output && output !== "-") {
    writeFileAtomic(output, text);
    return undefined;
  }
  return text;
}

/**
 * The options that identify a run, for the parts' `run` hash: files by their content (each shard may see
 * them under another path, e.g. staged by a CWL runner), bundled names as they are; not --threads.
 */
async function runOptions(m: MethodSpec, v: OptionValues): Promise<OptionValues> {
  const out: OptionValues = {};
  for (const [key, value] of Object.entries(v)) {
    if (key === "threads") continue;
    const spec = m.options.find((o) => keyOf(o.name) === key);
    const isFile = spec?.type === "file" && typeof value === "string" && statSync(value, { throwIfNoEntry: false })?.isFile();
    out[key] = isFile ? `sha256:${await fileSha256(value as string)}` : value;
  }
  return out;
}

/**
 * The runMethodCli hooks of a per-sample method's shard: `select` keeps the shard's samples and gives the
 * whole mixture's maximum (--scale auto decides on it), `write` writes the part.
 * ssGSEA runs raw and leaves its range normalisation to the merge. `v` is changed in place.
 */
export async function methodShard(
  m: MethodSpec,
  v: OptionValues,
  mixturePath: string,
  s: ShardArgs,
  output: string | undefined,
): Promise<{ select: (mixture: Matrix) => { mixture: Matrix; mixtureMax: number }; write: (out?: MethodOutput) => string | undefined }> {
  const refused = m.shards?.refuse?.(v);
  if (refused) throw new UsageError(refused);
  const run = textSha256(JSON.stringify([m.name, await fileSha256(mixturePath), await runOptions(m, v)]));
  // An option the merge applies to the whole table (ssGSEA's normalisation): the shards run without it.
  const inMerge = m.shards?.inMerge;
  const normalize = inMerge !== undefined && v[inMerge] === true;
  if (inMerge) v[inMerge] = false;
  let columns: number[] = [];
  let samples = 0;
  return {
    select(mixture) {
      samples = mixture.cols.length;
      columns = shardColumns(mixture.cols, s);
      const refusedHere = m.shards?.refuse?.(v, mixture);
      if (refusedHere) throw new InputError(refusedHere, { file: mixturePath });
      // The anti-log rule's maximum. EPIC takes it after merging duplicate genes by their median; the other
      // methods' duplicates are merged by the reader, so the median merge changes nothing for them.
      let mixtureMax = -Infinity;
      for (const x of mergeDuplicatesByMedian(mixture).data) if (x > mixtureMax) mixtureMax = x;
      return {
        mixture: selectRows(
          mixture,
          mixture.rows.map((_, i) => i),
          columns,
        ),
        mixtureMax,
      };
    },
    write: (out) => {
      const extra = normalize ? { normalize } : {};
      return writePart(out ? makePart(m.name, run, samples, columns, out.table, extra) : emptyPart(m.name, run, samples, extra), output);
    },
  };
}
