// `cellfrac stats` on the command line: help, exit codes 2 (usage) and 3 (bad input, naming file, line,
// column or sample), output formats, atomic writes, and the same records as the Node API.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { formatNumber } from "../src/core/formats/write.js";
import { formatStatsTsv, stats } from "../src/node/index.js";

const g = (f: string) => fileURLToPath(new URL(`./golden/stats/${f}`, import.meta.url));
const RESULTS = g("results.tsv");
const ANN = g("annotation.tsv");
const dir = mkdtempSync(join(tmpdir(), "cellfrac-stats-cli-"));

async function cli(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false });
  return { code, stdout, stderr };
}

describe("cellfrac stats: help and usage", () => {
  it("--help names the R function each test reproduces", async () => {
    const r = await cli("stats", "--help");
    expect(r.code).toBe(0);
    for (const s of [
      "lm(feature ~ RHS)",
      "summary.lm",
      "anova(fit)",
      "car::Anova(fit, type = 2)",
      "contr.sum",
      "wilcox.test",
      "kruskal.test",
      "cor.test",
      "AS 89",
      "glm(COL ~ feature + covariates, family = binomial)",
      "survival::coxph",
      "p.adjust",
      "na.omit",
    ]) {
      expect(r.stdout).toContain(s);
    }
    expect((await cli("--help")).stdout).toMatch(/cellfrac stats <results> --samples <annotation> TEST/);
  });

  const usage: [string, string[], RegExp][] = [
    ["no test", [RESULTS, "--samples", ANN], /give exactly one test/],
    ["two tests", [RESULTS, "--samples", ANN, "--group", "HR", "--cor", "age"], /give exactly one test: .*--group, --cor/],
    ["no --samples", [RESULTS, "--group", "HR"], /--samples <annotation> is required/],
    ["bad --anova", [RESULTS, "--samples", ANN, "--lm", "~ age", "--anova", "4"], /--anova takes 1, 2 or 3/],
    ["--anova without --lm", [RESULTS, "--samples", ANN, "--group", "HR", "--anova", "1"], /--anova applies to --lm only/],
    ["bad --adjust", [RESULTS, "--samples", ANN, "--group", "HR", "--adjust", "fdr2"], /--adjust takes BH, holm, bonferroni, none/],
    ["bad --method", [RESULTS, "--samples", ANN, "--cor", "age", "--method", "rank"], /--method takes spearman, pearson, kendall/],
    ["bad --cox", [RESULTS, "--samples", ANN, "--cox", "os_time"], /--cox takes TIME,EVENT/],
    ["unknown column", [RESULTS, "--samples", ANN, "--lm", "~ her2 * HR"], /no column "her2" in .*annotation.tsv/],
    ["bad formula", [RESULTS, "--samples", ANN, "--lm", "~ log(age)"], /formula "~ log\(age\)": unexpected/],
    [
      "unknown feature",
      [RESULTS, "--samples", ANN, "--group", "HR", "--features", "B cells naive,Nope"],
      /--features: no numeric column "Nope"/,
    ],
    ["bad --format", [RESULTS, "--samples", ANN, "--group", "HR", "--format", "xlsx"], /--format takes tsv, json or wide/],
    ["two results", [RESULTS, RESULTS, "--samples", ANN, "--group", "HR"], /expected one result table, got 2/],
    ["non-binary logistic outcome", [RESULTS, "--samples", ANN, "--logistic", "grade"], /--logistic grade: needs two values, found 3/],
  ];
  for (const [what, args, msg] of usage) {
    it(`${what}: exit 2`, async () => {
      const r = await cli("stats", ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stdout).toBe("");
    });
  }
});

describe("cellfrac stats: bad input exits 3 naming where", () => {
  it("a short annotation row: file and line", async () => {
    const f = join(dir, "short.tsv");
    writeFileSync(f, "sample\tHR\nS01\tPositive\nS02\n");
    const r = await cli("stats", RESULTS, "--samples", f, "--group", "HR");
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cellfrac: error: annotation ${f}:3: expected 2 fields, found 1\n`);
  });

  it("a repeated sample id: file, line and column", async () => {
    const f = join(dir, "dup.tsv");
    writeFileSync(f, "HR\tsample\nPositive\tS01\nNegative\tS01\n");
    const r = await cli("stats", RESULTS, "--samples", f, "--group", "HR");
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cellfrac: error: ${f}:3:2: duplicate sample id "S01" in column sample\n`);
  });

  it("a value missing from --levels: file, line, column and sample", async () => {
    const r = await cli("stats", RESULTS, "--samples", ANN, "--group", "PAM50", "--levels", "PAM50=LumA,LumB,Basal,Her2", "-q");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      new RegExp(
        `^cellfrac: error: ${ANN}:39:4, sample "S38": value "Normal" of column PAM50 is not among --levels PAM50=LumA,LumB,Basal,Her2\\n$`,
      ),
    );
  });

  it("a survival event coded 1/2: file, line, column and sample", async () => {
    const f = join(dir, "event12.tsv");
    writeFileSync(f, "sample\ttime\tevent\nS01\t100\t1\nS02\t200\t2\n");
    const e = await cli("stats", RESULTS, "--samples", f, "--cox", "time,event", "-q");
    expect(e.code).toBe(3);
    expect(e.stderr).toBe(`cellfrac: error: ${f}:3:3, sample "S02": --cox event event: values must be 0 or 1, found 2\n`);
  });

  it("no shared sample names, a missing file", async () => {
    const f = join(dir, "other.tsv");
    writeFileSync(f, "id\tHR\nX1\tPositive\n");
    expect((await cli("stats", RESULTS, "--samples", f, "--group", "HR")).stderr).toMatch(
      /other.tsv: no column holds the result's sample names/,
    );
    const r = await cli("stats", join(dir, "nope.tsv"), "--samples", ANN, "--group", "HR");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nope.tsv: cannot read table: no such file/);
  });
});

describe("cellfrac stats: output", () => {
  const args = [RESULTS, "--samples", ANN, "--lm", "~ her2score * HR"];

  it("TSV on stdout = the Node API's records; samples in one file only on stderr", async () => {
    const r = await cli("stats", ...args);
    expect(r.code).toBe(0);
    const api = stats(RESULTS, ANN, { kind: "lm", formula: "~ her2score * HR" });
    expect(r.stdout).toBe(formatStatsTsv(api, formatNumber));
    expect(r.stdout.split("\n")[0]).toBe("feature\tstratum\ttest\tterm\tn\testimate\tstd_error\tstatistic\tdf\tdf2\tp_value\tq_value");
    expect(r.stderr).toContain(`cellfrac: stats: 2 sample(s) of ${RESULTS} not in ${ANN}, left out: S98, S41\n`);
    expect((await cli("stats", ...args, "-q")).stderr).toBe("");
  });

  it("the Node API takes table text as well as paths, and several annotation tables", () => {
    const test = { kind: "cor", column: "her2score", method: "kendall" } as const;
    const byPath = stats(RESULTS, ANN, test);
    expect(stats(readFileSync(RESULTS, "utf8"), [readFileSync(ANN, "utf8")], test)).toEqual(byPath);
    expect(byPath.map((r) => r.feature)).toEqual(["B cells naive", "T cells CD8", "Macrophages M2", "Mast cells resting", "Sep"]);
  });

  it("-o .json writes the same records atomically; -o .tsv the table; nothing else is left in the folder", async () => {
    const out = mkdtempSync(join(dir, "o-"));
    expect((await cli("stats", ...args, "-q", "-o", join(out, "s.json"))).code).toBe(0);
    expect((await cli("stats", ...args, "-q", "-o", join(out, "s.tsv"))).code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "s.json"), "utf8"));
    const tsv = readFileSync(join(out, "s.tsv"), "utf8").trimEnd().split("\n");
    expect(json.records).toHaveLength(tsv.length - 1);
    expect(json.records[0]).toMatchObject({ feature: "B cells naive", stratum: "", test: "lm", term: "(Intercept)", n: 38, df2: null });
    expect(String(json.records[0].estimate)).toBe(tsv[1].split("\t")[5]);
    expect(readdirSync(out).sort()).toEqual(["s.json", "s.tsv"]);
    // A failing run leaves the previous output untouched.
    const before = readFileSync(join(out, "s.tsv"), "utf8");
    expect((await cli("stats", RESULTS, "--samples", join(dir, "nope.tsv"), "--group", "HR", "-o", join(out, "s.tsv"))).code).toBe(3);
    expect(readFileSync(join(out, "s.tsv"), "utf8")).toBe(before);
    expect(readdirSync(out).sort()).toEqual(["s.json", "s.tsv"]);
  });

  it("aliased coefficients are NA, undefined cells empty", async () => {
    const r = await cli("stats", RESULTS, "--samples", ANN, "--lm", "~ age + age2", "--features", "Sep", "-q");
    const line = r.stdout.split("\n").find((l) => l.startsWith("Sep\t\tlm\tage2\t"))!;
    expect(line.split("\t").slice(5)).toEqual(["NA", "NA", "NA", "35", "", "NA", "NA"]);
  });

  it("a CSV annotation with quoted fields and empty cells gives the same records as the TSV", async () => {
    const lines = readFileSync(ANN, "utf8").trimEnd().split("\n");
    const csv = join(dir, "annotation.csv");
    writeFileSync(
      csv,
      `${lines
        .map((l) =>
          l
            .split("\t")
            .map((f) => (f === "NA" ? "" : `"${f}"`))
            .join(","),
        )
        .join("\r\n")}\r\n`,
    );
    const a = await cli("stats", RESULTS, "--samples", ANN, "--lm", "~ HR + age", "-q");
    const b = await cli("stats", RESULTS, "--samples", csv, "--lm", "~ HR + age", "-q");
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it("--format wide: one row per feature, one column per test:term", async () => {
    const r = await cli(
      "stats",
      RESULTS,
      "--samples",
      ANN,
      "--cor",
      "her2score",
      "--by",
      "HR",
      "--format",
      "wide",
      "--value",
      "p_value",
      "-q",
    );
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("feature\tspearman:her2score|Negative\tspearman:her2score|Positive");
    expect(lines.map((l) => l.split("\t")[0]).slice(1)).toEqual([
      "B cells naive",
      "T cells CD8",
      "Macrophages M2",
      "Mast cells resting",
      "Sep",
    ]);
  });

  it("--id-column, --features and a second --samples table merged on sample ids", async () => {
    const extra = join(dir, "extra.tsv");
    // S01-S38 and S41: S41 is in the results and this table only, S39 in the results and the first table only.
    const ids = [...Array.from({ length: 38 }, (_, i) => `S${String(i + 1).padStart(2, "0")}`), "S41"];
    writeFileSync(extra, `id\tbatch\n${ids.map((id, i) => `${id}\t${i % 2 ? "b1" : "b2"}`).join("\n")}\n`);
    const r = await cli("stats", RESULTS, "--samples", ANN, "--samples", extra, "--group", "batch", "--features", "Sep");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`cellfrac: stats: 1 sample(s) not in ${ANN}, its columns missing for them: S41\n`);
    expect(r.stderr).toContain(`cellfrac: stats: 1 sample(s) not in ${extra}, its columns missing for them: S39\n`);
    expect(r.stdout.trimEnd().split("\n")[1]).toMatch(/^Sep\t\twilcoxon\tbatchb2\t39\t/);
    const wrongId = await cli("stats", RESULTS, "--samples", ANN, "--id-column", "HR", "--group", "grade");
    expect(wrongId.code).toBe(3);
    expect(wrongId.stderr).toBe(`cellfrac: error: ${ANN}:3:3: duplicate sample id "Positive" in column HR\n`);
  });
});
