// Start-up (issue 11): apache-arrow, hyparquet and its codecs, h5wasm and piscina load only for the files and
// runs that use them, so `cellfrac --help` and a TSV run start without them. The built CLI runs under a
// loader hook (fixtures/record-loads.mjs) that writes down every module the process resolves; an eager
// import of any of them anywhere on the CLI's path fails this file. (Times: bench/startup.sh.)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const HEAVY = ["apache-arrow", "hyparquet", "hyparquet-compressors", "h5wasm", "piscina"];
const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const BIN = path("../dist/node/cli.js");
const HOOK = path("fixtures/record-loads.mjs");
const CHUNKS = path("../dist/node/cli-chunks.json");
const EXAMPLE = path("../data/example/scanb20_log2fpkm.tsv.gz");

/** The packages (under node_modules) a CLI run loads; the run must succeed. */
function packagesLoaded(args: string[]): Set<string> {
  return new Set(
    modulesLoaded(args).flatMap((l) => {
      const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(l);
      return m ? [m[1]] : [];
    }),
  );
}

/** Every module a CLI run resolves, as the hook records it; the run must succeed. */
function modulesLoaded(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "cellfrac-loads-"));
  const record = join(dir, "loads.txt");
  const run = spawnSync(process.execPath, ["--import", HOOK, BIN, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, CELLFRAC_RECORD_LOADS: record },
  });
  expect(run.status, run.stderr).toBe(0);
  const lines = readFileSync(record, "utf8").split("\n");
  expect(lines.some((l) => l.includes("dist/node/cli.js"))).toBe(true);
  return lines;
}

/** The source files (src/…) of the bundle's files a CLI run loaded, by the build's list (scripts/build-cli.mjs). */
function sourcesLoaded(args: string[]): Set<string> {
  const chunks = JSON.parse(readFileSync(CHUNKS, "utf8")) as Record<string, string[]>;
  return new Set(
    modulesLoaded(args).flatMap((l) => {
      const m = /dist\/node\/(cli(?:-[A-Za-z0-9]+)?\.js)$/.exec(l);
      return m ? (chunks[m[1]] ?? []) : [];
    }),
  );
}

describe("heavy modules load only when used", () => {
  it("cellfrac --help loads none of them", () => {
    const loaded = packagesLoaded(["--help"]);
    expect(HEAVY.filter((p) => loaded.has(p))).toEqual([]);
  }, 60_000);

  it("the bundled 20-sample example (gzipped TSV, exact solver) loads none of them", () => {
    const example = path("../data/example/scanb20_log2fpkm.tsv.gz");
    const loaded = packagesLoaded(["cibersort", example, "--solver", "exact", "--perm", "0", "-q", "-o", "out.tsv"]);
    expect(HEAVY.filter((p) => loaded.has(p))).toEqual([]);
  }, 120_000);

  it("the example loads no code of shards, plans, gene sets, EPIC or quanTIseq (each loads with its first use)", () => {
    const loaded = sourcesLoaded(["cibersort", EXAMPLE, "--solver", "exact", "--perm", "0", "-q"]);
    expect(loaded.has("src/node/commands/cibersort.ts")).toBe(true); // the list names what the run loaded
    const lazy = [
      "src/node/shard.ts",
      "src/core/shards.ts",
      "src/core/cibersort/plan.ts",
      "src/core/genesets.ts",
      "src/node/genesets.ts",
      "src/core/methods/epic.ts",
      "src/node/epic.ts",
      "src/core/methods/quantiseq.ts",
    ];
    expect(lazy.filter((s) => loaded.has(s))).toEqual([]);
  }, 60_000);

  it("the example written to standard output does not load node:crypto (only a file written or a plan's hash does)", () => {
    const example = path("../data/example/scanb20_log2fpkm.tsv.gz");
    const isCrypto = (l: string) => l === "builtin:crypto";
    expect(modulesLoaded(["cibersort", example, "--solver", "exact", "--perm", "0", "-q"]).filter(isCrypto)).toEqual([]);
    // The record sees it when it loads: the same run written to a file (its temp name is random).
    expect(modulesLoaded(["cibersort", example, "--solver", "exact", "--perm", "0", "-q", "-o", "out.tsv"]).some(isCrypto)).toBe(true);
  }, 120_000);

  it("a Parquet mixture with Arrow output loads hyparquet and apache-arrow (the record sees what loads late)", () => {
    const mixture = path("fixtures/parquet/duckdb-lm22-zstd.parquet");
    const loaded = packagesLoaded(["cibersort", mixture, "--perm", "0", "--threads", "1", "-q", "-o", "out.arrow"]);
    expect(["hyparquet", "hyparquet-compressors", "apache-arrow"].filter((p) => !loaded.has(p))).toEqual([]);
  }, 120_000);
});
