// The shard options every method command takes (docs/scale.md, "Sharding"), apart from what a shard's run
// does (shard.ts): a run that is no shard parses them and loads no more.
import { UsageError } from "../core/errors.js";

export interface ShardArgs {
  /** "A-B", 1-based inclusive. */
  sampleRange?: string;
  /** A file of sample names, one a line. */
  sampleList?: string;
  /** "K/N": the K-th of N near-equal consecutive ranges (the workflow's shards). */
  shard?: string;
}

/** parseArgs options of the shard selection. */
export const SHARD_OPTIONS = {
  "sample-range": { type: "string" },
  "sample-list": { type: "string" },
  shard: { type: "string" },
} as const;

export const SHARD_HELP_ROWS: [string, string][] = [
  [
    "--sample-range A-B",
    "run only mixture samples A to B (1-based, inclusive; B past the end stops at\n" +
      "the end, A past it gives an empty part) and write a part file for `cellfrac merge`",
  ],
  ["--sample-list F", "run only the samples named in F (one a line) and write a part file"],
  [
    "--shard K/N",
    "run only the K-th of N near-equal consecutive sample ranges (a part file;\n" +
      "empty when N is more than the samples and the K-th range holds none)",
  ],
];

/** The shard options as given (undefined when the run is not a shard); at most one of them. */
export function shardArgs(values: Readonly<Record<string, unknown>>): ShardArgs | undefined {
  const s: ShardArgs = {
    sampleRange: values["sample-range"] as string | undefined,
    sampleList: values["sample-list"] as string | undefined,
    shard: values.shard as string | undefined,
  };
  const given = Object.values(s).filter((x) => x !== undefined).length;
  if (given > 1) throw new UsageError("give one of --sample-range, --sample-list and --shard");
  if (s.shard !== undefined && !/^\d+\/\d+$/.test(s.shard)) throw new UsageError(`--shard "${s.shard}": expected K/N, e.g. 2/8`);
  if (s.shard !== undefined) {
    const [k, n] = s.shard.split("/").map(Number);
    if (!(n >= 1 && k >= 1 && k <= n)) throw new UsageError(`--shard ${s.shard}: need 1 ≤ K ≤ N`);
  }
  return given ? s : undefined;
}
