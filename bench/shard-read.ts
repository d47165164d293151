// One shard's read of a CIBERSORT mixture against the whole file's (bench/RESULTS.md, "100,000 samples"): CPU and
// peak RSS of readCibersortMixture on one thread, LM22's rows, with the columns of `--shard K/N` picked as a
// planned shard does. Each read runs in a fresh process.
//   npx tsx bench/shard-read.ts MIXTURE [N]      (the whole file, then shards 1/N and N/N; N default 8)
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readSignature } from "../src/node/data.js";
import { readCibersortMixture } from "../src/node/mixture.js";
import { shardColumns } from "../src/node/shard.js";

const [file, what] = process.argv.slice(2);
if (!file) throw new Error("usage: npx tsx bench/shard-read.ts MIXTURE [N]");
if (what?.includes("/") || what === "whole") {
  const signature = readSignature("LM22");
  const pick = what === "whole" ? undefined : (samples: readonly string[]) => shardColumns(samples, { shard: what });
  const c0 = process.cpuUsage();
  const { mixture } = await readCibersortMixture(file, signature, { threads: 1, pick });
  const cu = process.cpuUsage(c0);
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`${what}\t${mixture.cols.length} samples\t${((cu.user + cu.system) / 1e6).toFixed(2)} s CPU\t${rss.toFixed(0)} MB peak RSS`);
} else {
  const n = Number(what ?? 8);
  const self = fileURLToPath(import.meta.url);
  for (const w of ["whole", `1/${n}`, `${n}/${n}`])
    process.stdout.write(execFileSync(process.execPath, ["--import", "tsx", self, file, w], { encoding: "utf8" }));
}
