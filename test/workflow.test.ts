// The workflow/ directory run by the real engines (Debian's snakemake 7.21 and cwltool; .ci/run installs
// them): Snakemake with 4 shards, from another working directory (-d), using the cellfrac it ships with, and
// the three CWL tools (validated, then plan → 3 shards → merge) give the bytes of the one-machine run. Uses
// dist/ (npm test builds it first).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";

const path = (rel: string) => new URL(rel, import.meta.url).pathname;
const CLI = path("../dist/node/cli.js");
const MIX = path("../data/example/scanb20_log2fpkm.tsv.gz");
const SNAKEFILE = path("../workflow/Snakefile");
const CWL = path("../workflow/cwl/");

const has = (tool: string) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0;
const SNAKEMAKE = has("snakemake");
const CWLTOOL = has("cwltool");
if (!SNAKEMAKE) console.warn("workflow.test.ts: snakemake is not installed (apt-get install snakemake): the Snakemake test is skipped");
if (!CWLTOOL) console.warn("workflow.test.ts: cwltool is not installed (apt-get install cwltool): the CWL test is skipped");

const dir = mkdtempSync(join(tmpdir(), "cellfrac-workflow-"));

/** The one-machine run's output, with the CLI the workflow ships with. */
function single(args: string[], out: string): Buffer {
  execFileSync(process.execPath, [CLI, ...args, "-q", "-o", out]);
  return readFileSync(out);
}

describe("Snakemake workflow (4 shards; 22 for 20 samples) == one run", () => {
  const cases: [string, string[], string[]][] = [
    [
      "cibersort",
      ["mixture=scanb20.tsv.gz", "perm=10", "shards=4", "options=--absolute sig.score --solver exact"],
      ["cibersort", MIX, "--perm", "10", "--absolute", "sig.score", "--solver", "exact"],
    ],
    [
      // More shards than samples (20): shards 1 and 12 have none and write empty parts the merge accepts.
      "cibersort-22-shards",
      ["mixture=scanb20.tsv.gz", "perm=0", "shards=22", "threads=1", "options=--solver exact"],
      ["cibersort", MIX, "--perm", "0", "--solver", "exact"],
    ],
    [
      "ssgsea",
      ["mixture=scanb20.tsv.gz", "method=ssgsea", "shards=4", "options=--gene-sets MCPcounter"],
      ["score", MIX, "--method", "ssgsea", "--gene-sets", "MCPcounter"],
    ],
  ];
  for (const [tag, config, args] of cases) {
    it.skipIf(!SNAKEMAKE)(
      `${tag} (needs snakemake)`,
      () => {
        const run = join(dir, `smk-${tag}`);
        mkdirSync(run);
        copyFileSync(MIX, join(run, "scanb20.tsv.gz"));
        const r = spawnSync("snakemake", ["-s", SNAKEFILE, "-d", run, "--cores", "2", "--quiet", "--config", ...config], {
          cwd: tmpdir(),
          encoding: "utf8",
        });
        expect(r.status, r.stderr).toBe(0);
        const result = readFileSync(join(run, "cellfrac-out", "result.tsv"));
        expect(result.equals(single(args, join(run, "single.tsv")))).toBe(true);
        if (tag.includes("22")) {
          const empty = (k: number) =>
            JSON.parse(readFileSync(join(run, "cellfrac-out", "parts", `part-${k}.json`), "utf8")).columns.length === 0;
          expect([1, 12].map(empty)).toEqual([true, true]);
        }
      },
      300_000,
    );
  }
});

describe("CWL tools: plan → 3 shards → merge == one run", () => {
  it.skipIf(!CWLTOOL)(
    "cibersort --perm 10 --qn --solver exact (needs cwltool)",
    () => {
      // The tools call `cellfrac` from PATH: a wrapper for this checkout's build.
      const bin = join(dir, "bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "cellfrac"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      chmodSync(join(bin, "cellfrac"), 0o755);
      const env = { ...process.env, PATH: bin + delimiter + process.env.PATH };
      const options = ["--perm", "10", "--qn", "--solver", "exact"];
      const file = (p: string) => ({ class: "File", path: p });
      const cwl = (tool: string, job: object, out: string): Record<string, { path: string }> => {
        const jobFile = join(dir, `${out}.job.json`);
        writeFileSync(jobFile, JSON.stringify(job));
        const r = spawnSync("cwltool", ["--quiet", "--outdir", join(dir, out), CWL + tool, jobFile], { env, encoding: "utf8" });
        expect(r.status, r.stderr).toBe(0);
        return JSON.parse(r.stdout);
      };
      for (const tool of ["plan.cwl", "shard.cwl", "merge.cwl"]) {
        const r = spawnSync("cwltool", ["--validate", CWL + tool], { encoding: "utf8" });
        expect(r.status, r.stderr + r.stdout).toBe(0);
      }
      const plan = cwl("plan.cwl", { mixture: file(MIX), options }, "cwl-plan").plan.path;
      const parts = [1, 2, 3].map(
        (k) => cwl("shard.cwl", { mixture: file(MIX), options, plan: file(plan), shard: `${k}/3` }, `cwl-part${k}`).part.path,
      );
      const result = cwl("merge.cwl", { parts: parts.map(file), output: "result.tsv" }, "cwl-merge").result.path;
      expect(existsSync(result)).toBe(true);
      expect(readFileSync(result).equals(single(["cibersort", MIX, ...options], join(dir, "cwl-single.tsv")))).toBe(true);
    },
    300_000,
  );
});
