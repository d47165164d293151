// The seed study's analysis (README "Cohort statistics") on the bundled 400-tumour SCAN-B example, through
// the CLI: the HER2-amplicon score (`score --method mean`), CIBERSORT LM22 (exact solver, no
// permutations), then `stats --lm "~ her2score * HR"` and the ANCOVA `--lm "~ HR + her2score"`, compared
// with R's lm + car::Anova on the same tables (test/golden/stats/make.R, cases walkthrough_*).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import type { StatsRecord } from "../src/core/stats/index.js";
import { STATS_GOLDEN_DIR, diffWithR } from "./helpers/stats-golden.js";

const data = (f: string) => fileURLToPath(new URL(`../data/example/${f}`, import.meta.url));
const golden = (f: string) => new URL(`walkthrough/${f}`, STATS_GOLDEN_DIR);
const dir = mkdtempSync(join(tmpdir(), "cellfrac-walkthrough-"));
const out = (f: string) => join(dir, f);

async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const code = await main(args, { stdout: () => {}, stderr: (s) => (stderr += s), isTTY: false });
  return { code, stderr };
}

/** A stats TSV back as records (the numbers parse back to the same doubles). */
function records(path: string): StatsRecord[] {
  const [head, ...lines] = readFileSync(path, "utf8").trimEnd().split("\n");
  const cols = head.split("\t");
  const num = (v: string) => (v === "" ? null : v === "NA" ? NaN : Number(v));
  return lines.map((l) => {
    const f = Object.fromEntries(l.split("\t").map((v, i) => [cols[i], v]));
    const r = { feature: f.feature, stratum: f.stratum, test: f.test, term: f.term, n: Number(f.n) } as StatsRecord;
    for (const c of ["estimate", "std_error", "statistic", "df", "df2", "p_value", "q_value"] as const) r[c] = num(f[c]);
    return r;
  });
}

describe("seed-study walkthrough on data/example/scanb400", () => {
  beforeAll(async () => {
    const mix = data("scanb400_log2fpkm.tsv.gz");
    expect(
      (await cli("score", mix, "--method", "mean", "--gene-sets", data("her2_amplicon.gmt"), "-o", out("her2score.tsv"), "-q")).code,
    ).toBe(0);
    expect((await cli("cibersort", mix, "--solver", "exact", "--perm", "0", "-o", out("cibersort.tsv"), "-q")).code).toBe(0);
    // The stats steps run on the tables R read, so that they test stats alone even if a solver changes.
    writeFileSync(out("r-cibersort.tsv"), gunzipSync(readFileSync(golden("cibersort.tsv.gz"))));
  }, 300_000);

  // If this fails after a deliberate change of `score` or `cibersort --solver exact`, regenerate the two
  // inputs with the commands in test/golden/stats/make.R and rerun it.
  it("the pipeline makes exactly the tables R's goldens were computed on", () => {
    expect(readFileSync(out("her2score.tsv"), "utf8")).toBe(readFileSync(golden("her2score.tsv"), "utf8"));
    expect(readFileSync(out("cibersort.tsv"), "utf8")).toBe(gunzipSync(readFileSync(golden("cibersort.tsv.gz"))).toString("utf8"));
  });

  const ann = ["--samples", data("scanb400_samples.tsv"), "--samples", fileURLToPath(golden("her2score.tsv"))];

  it("stats --lm '~ her2score * HR' equals R (lm + car::Anova type II) to 1e-10", async () => {
    const r = await cli("stats", out("r-cibersort.tsv"), ...ann, "--lm", "~ her2score * HR", "-o", out("interaction.tsv"));
    expect(r.code).toBe(0);
    // Every sample is in both tables, no LM22 type is constant: nothing to report.
    expect(r.stderr).toBe("");
    const got = records(out("interaction.tsv"));
    // One tumour has neither ER nor PR status (HR NA): na.omit leaves 399.
    expect(new Set(got.map((x) => x.n))).toEqual(new Set([399]));
    const { keys, bad } = diffWithR(got, "walkthrough_interaction");
    expect(keys[0]).toEqual(keys[1]);
    expect(bad).toEqual([]);
    // What the README reports: the HER2 × HR interaction is nominal for neutrophils only, none survives BH.
    const inter = got.filter((x) => x.test === "anova" && x.term === "her2score:HR");
    expect(inter.filter((x) => x.p_value! < 0.05).map((x) => x.feature)).toEqual(["Neutrophils"]);
    expect(Math.min(...inter.map((x) => x.q_value!))).toBeGreaterThan(0.5);
  });

  it("the ANCOVA --lm '~ HR + her2score' equals R and finds Tregs rising with HER2", async () => {
    expect((await cli("stats", out("r-cibersort.tsv"), ...ann, "--lm", "~ HR + her2score", "-o", out("ancova.tsv"), "-q")).code).toBe(0);
    const got = records(out("ancova.tsv"));
    const { keys, bad } = diffWithR(got, "walkthrough_ancova");
    expect(keys[0]).toEqual(keys[1]);
    expect(bad).toEqual([]);
    const her2 = got.filter((x) => x.test === "lm" && x.term === "her2score" && x.q_value! < 0.05);
    const sign = Object.fromEntries(her2.map((x) => [x.feature, Math.sign(x.estimate!)]));
    expect(sign).toEqual({
      "B cells naive": 1,
      "B cells memory": -1,
      "T cells CD4 memory resting": 1,
      "T cells regulatory (Tregs)": 1,
      "Macrophages M0": -1,
    });
  });
});
