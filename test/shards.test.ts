// Sharded runs (docs/scale.md, "Sharding"): plan + 3 uneven shards + merge gives the bytes of the one run
// (cmp of the files) for CIBERSORT with QN off/on, perm 0/100, both absolute modes, both solvers and a
// gzipped mixture (the bundled scanb20 example is .tsv.gz), for ssGSEA with its range normalisation in the
// merge, and for a per-sample method; and every kind of mismatch is refused with exit 3 naming the file.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { decodeNumbers, encodeNumbers, selectSamples } from "../src/core/shards.js";

const MIX = new URL("../data/example/scanb20_log2fpkm.tsv.gz", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cellfrac-shards-"));
const at = (name: string) => join(dir, name);

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

async function ok(...args: string[]): Promise<void> {
  const r = await run(...args);
  expect(r.err, args.join(" ")).not.toMatch(/error/);
  expect(r.code, `${args.join(" ")}\n${r.err}`).toBe(0);
}

const bytes = (f: string) => readFileSync(f);

/** The three uneven shards, in all three spellings: a range, a list of names, K/N. */
function shardSelections(tag: string): string[][] {
  const names = ["", ...mixtureSamples()];
  const list = at(`${tag}-list.txt`);
  writeFileSync(list, `${names.slice(4, 12).join("\n")}\n`); // samples 4–11
  return [
    ["--sample-range", "1-3"],
    ["--sample-list", list],
    ["--sample-range", "12-40"],
  ];
}

let samples: string[] | undefined;
function mixtureSamples(): string[] {
  samples ??= readFileSync(at("names.txt"), "utf8").trim().split("\n");
  return samples;
}

describe("cibersort: plan + 3 uneven shards + merge == one run", () => {
  // Sample names from the one run's table (first column), for the --sample-list shard.
  const single = async (tag: string, opts: string[]) => {
    await ok("cibersort", MIX, ...opts, "-q", "-o", at(`${tag}-single.tsv`));
    const names = readFileSync(at(`${tag}-single.tsv`), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split("\t")[0]);
    writeFileSync(at("names.txt"), `${names.join("\n")}\n`);
    samples = names;
  };
  const cases: [string, string[], string[]][] = [
    // tag, options, output formats compared
    // The R-identical solver costs ≈ 30 ms a fit: it gets perm 0 and a short null; perm 100 runs on the exact one.
    ["plain", ["--perm", "0"], ["tsv", "json"]],
    ["qn-sigscore", ["--perm", "100", "--qn", "--absolute", "sig.score", "--solver", "exact"], ["tsv", "json", "arrow"]],
    ["exact-nosumto1", ["--perm", "100", "--absolute", "no.sumto1", "--solver", "exact", "--seed", "7"], ["tsv", "parquet"]],
    ["libsvm-null", ["--perm", "12", "--absolute", "no.sumto1", "--qn"], ["tsv"]],
  ];
  for (const [tag, opts, formats] of cases) {
    it(`${tag}: ${opts.join(" ")}`, async () => {
      await single(tag, opts);
      const plan = at(`${tag}.plan`);
      await ok("plan", "cibersort", MIX, ...opts, "-q", "-o", plan);
      // Statistics only (LM22 genes, the null; with QN one target value per mixture gene), no mixture values.
      expect(bytes(plan).length).toBeLessThan(400_000);
      const parts: string[] = [];
      for (const [i, sel] of shardSelections(tag).entries()) {
        const part = at(`${tag}-part${i}.json`);
        await ok("cibersort", MIX, ...opts, "--plan", plan, ...sel, "-q", "-o", part);
        parts.push(part);
      }
      for (const ext of formats) {
        const one = at(`${tag}-one.${ext}`);
        const merged = at(`${tag}-merged.${ext}`);
        if (ext !== "tsv") await ok("cibersort", MIX, ...opts, "-q", "-o", one);
        await ok("merge", ...parts.reverse(), "-o", merged); // any order of parts
        expect(bytes(merged).equals(bytes(ext === "tsv" ? at(`${tag}-single.tsv`) : one)), `${tag} ${ext}`).toBe(true);
      }
    }, 240_000);
  }

  it("--shard K/N splits into near-equal consecutive ranges that merge to the one run", async () => {
    const plan = at("plain.plan");
    const parts = [1, 2, 3].map((k) => at(`shard-${k}.json`));
    for (const [k, part] of parts.entries())
      await ok("cibersort", MIX, "--perm", "0", "--plan", plan, "--shard", `${k + 1}/3`, "-q", "-o", part);
    expect(JSON.parse(readFileSync(parts[0], "utf8")).columns).toEqual([0, 1, 2, 3, 4, 5]);
    await ok("merge", ...parts, "-o", at("shard-merged.tsv"));
    expect(bytes(at("shard-merged.tsv")).equals(bytes(at("plain-single.tsv")))).toBe(true);
  }, 120_000);

  it("refuses a plan made with other options, another mixture, missing or overlapping parts, parts of two plans", async () => {
    const plan = at("plain.plan");
    let r = await run("cibersort", MIX, "--perm", "10", "--plan", plan, "--sample-range", "1-3", "-o", at("x.json"));
    expect(r.code).toBe(3);
    expect(r.err).toContain("plain.plan: the plan was made with --perm 0, this run has 10");

    const other = at("other.tsv");
    writeFileSync(other, "gene\tS1\nCD8A\t1\n");
    r = await run("cibersort", other, "--perm", "0", "--plan", plan, "--sample-range", "1-1", "-o", at("x.json"));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/plain\.plan: the plan was made for mixture scanb20_log2fpkm\.tsv\.gz \(SHA-256 [0-9a-f]{12}…\); other\.tsv has/);

    const sig = at("sig.tsv");
    writeFileSync(sig, "gene\tA\tB\nCD8A\t1\t2\nCD4\t3\t1\nMS4A1\t2\t2\n");
    r = await run("cibersort", MIX, "--perm", "0", "--signature", sig, "--plan", plan, "--sample-range", "1-3", "-o", at("x.json"));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/plain\.plan: the plan was made for signature LM22 \(SHA-256 [0-9a-f]{12}…\); sig\.tsv has/);

    r = await run("cibersort", MIX, "--perm", "0", "--plan", at("plain-part0.json"), "--sample-range", "1-3", "-o", at("x.json"));
    expect(r.code).toBe(3);
    expect(r.err).toContain("plain-part0.json: not a cellfrac plan");

    r = await run("cibersort", MIX, "--sample-range", "1-3", "-o", at("x.json"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("--plan");

    const p = (i: number) => at(`plain-part${i}.json`);
    r = await run("merge", p(0), p(2), "-o", at("x.tsv"));
    expect(r.code).toBe(3);
    expect(r.err).toContain("the parts do not cover every sample of the mixture (20): samples 4 to 11 missing");

    r = await run("merge", p(0), p(1), p(2), p(1), "-o", at("x.tsv"));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/plain-part1\.json: sample 4 \("[^"]+"\) is in two parts/);

    r = await run("merge", p(0), p(1), at("exact-nosumto1-part2.json"), "-o", at("x.tsv"));
    expect(r.code).toBe(3);
    expect(r.err).toContain("exact-nosumto1-part2.json: this part comes from another plan than");

    r = await run("merge", p(0), plan, "-o", at("x.tsv"));
    expect(r.code).toBe(3);
    expect(r.err).toContain("plain.plan: not a cellfrac part file");
  }, 120_000);

  it("a shard without samples (more shards than samples, a range past the end) writes an empty part merge accepts", async () => {
    const plan = at("plain.plan");
    // 23 shards of 20 samples: shards 1, 8 and 16 are empty (⌊(K−1)·20/23⌋ = ⌊K·20/23⌋).
    const parts = Array.from({ length: 23 }, (_, i) => at(`many-${i + 1}.json`));
    for (const [i, part] of parts.entries()) {
      const r = await run("cibersort", MIX, "--perm", "0", "--plan", plan, "--shard", `${i + 1}/23`, "-o", part);
      expect(r.code, r.err).toBe(0);
      const columns = JSON.parse(readFileSync(part, "utf8")).columns;
      expect(columns.length === 0, `shard ${i + 1}`).toBe([1, 8, 16].includes(i + 1));
      if (columns.length === 0) expect(r.err).toContain("no sample of the mixture is in this shard: writing an empty part");
    }
    for (const ext of ["tsv", "json"]) {
      await ok("merge", ...parts, "-o", at(`many-merged.${ext}`));
      if (ext === "json") await ok("cibersort", MIX, "--perm", "0", "-q", "-o", at("plain-one.json"));
      expect(bytes(at(`many-merged.${ext}`)).equals(bytes(at(ext === "tsv" ? "plain-single.tsv" : "plain-one.json"))), ext).toBe(true);
    }
    // A range past the end: an empty part too, of this plan (a part of another plan is still refused).
    for (const range of ["30-40", "31-50"])
      await ok("cibersort", MIX, "--perm", "0", "--plan", plan, "--sample-range", range, "-q", "-o", at(`empty-${range}.json`));
    await ok("merge", at("empty-30-40.json"), at("plain-part0.json"), at("plain-part1.json"), at("plain-part2.json"), "-o", at("x.tsv"));
    expect(bytes(at("x.tsv")).equals(bytes(at("plain-single.tsv")))).toBe(true);
    await ok(
      "cibersort",
      MIX,
      "--perm",
      "100",
      "--solver",
      "exact",
      "--seed",
      "7",
      "--absolute",
      "no.sumto1",
      "--plan",
      at("exact-nosumto1.plan"),
      "--sample-range",
      "30-40",
      "-q",
      "-o",
      at("empty-other.json"),
    );
    const r = await run(
      "merge",
      at("plain-part0.json"),
      at("empty-other.json"),
      at("plain-part1.json"),
      at("plain-part2.json"),
      "-o",
      at("x.tsv"),
    );
    expect(r.code).toBe(3);
    expect(r.err).toContain("empty-other.json: this part comes from another plan than");
    // Parts that are all empty cover nothing.
    const none = await run("merge", at("empty-30-40.json"), at("empty-31-50.json"), "-o", at("x.tsv"));
    expect(none.code).toBe(3);
    expect(none.err).toContain("the parts do not cover every sample of the mixture (20): samples 1 to 20 missing");
  }, 240_000);
});

describe("per-sample methods and ssGSEA: --sample-range + merge == one run", () => {
  const cases: [string, string[]][] = [
    ["ssgsea", ["score", "--method", "ssgsea", "--gene-sets", "MCPcounter"]],
    ["ssgsea-raw", ["score", "--method", "ssgsea", "--gene-sets", "MCPcounter", "--no-normalize"]],
    ["nnls", ["nnls"]],
    ["quantiseq", ["quantiseq"]],
    ["mcpcounter", ["score", "--method", "mcpcounter"]],
  ];
  for (const [tag, [cmd, ...opts]] of cases) {
    it(tag, async () => {
      for (const ext of ["tsv", "json"]) await ok(cmd, MIX, ...opts, "-q", "-o", at(`${tag}-single.${ext}`));
      const parts = ["1-7", "8-9", "10-20"].map((range) => at(`${tag}-${range}.json`));
      for (const part of parts) {
        await ok(cmd, MIX, ...opts, "--sample-range", part.replace(/^.*-(\d+-\d+)\.json$/, "$1"), "-q", "-o", part);
      }
      // A shard past the end writes an empty part; merged first, its columns are taken from the others.
      const empty = at(`${tag}-empty.json`);
      await ok(cmd, MIX, ...opts, "--sample-range", "21-30", "-q", "-o", empty);
      for (const ext of ["tsv", "json"]) {
        await ok("merge", empty, ...parts, "-o", at(`${tag}-merged.${ext}`));
        expect(bytes(at(`${tag}-merged.${ext}`)).equals(bytes(at(`${tag}-single.${ext}`))), `${tag} ${ext}`).toBe(true);
      }
    }, 120_000);
  }

  it("refuses methods that standardise across samples, and parts of another run", async () => {
    let r = await run("score", MIX, "--method", "zscore", "--gene-sets", "MCPcounter", "--sample-range", "1-3");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--method zscore standardises across samples");
    r = await run("merge", at("nnls-1-7.json"), at("ssgsea-8-9.json"), at("nnls-10-20.json"), "-o", at("x.tsv"));
    expect(r.code).toBe(3);
    expect(r.err).toContain("ssgsea-8-9.json: a ssgsea part; ");
    r = await run("merge", at("ssgsea-1-7.json"), at("ssgsea-raw-8-9.json"), at("ssgsea-10-20.json"), "-o", at("x.tsv"));
    expect(r.code).toBe(3);
    expect(r.err).toContain("ssgsea-raw-8-9.json: this part comes from another run (mixture or options)");
  });
});

describe("sample selection and number transport", () => {
  const names = ["a", "b", "c", "d"];
  it("--sample-list names samples one a line; unknown or repeated names are refused with the line", () => {
    expect(selectSamples(names, { list: { text: "d\n# comment\n\nb\n", file: "l.txt" } })).toEqual([1, 3]);
    expect(() => selectSamples(names, { list: { text: "a\nz\n", file: "l.txt" } })).toThrow('l.txt:2: sample "z" is not in the mixture');
    expect(() => selectSamples(names, { list: { text: "a\nb\na\n", file: "l.txt" } })).toThrow(
      'l.txt:3: sample "a" is listed twice (first on line 1)',
    );
  });
  it("--sample-range A-B is 1-based and inclusive; B past the end stops there, A past it is empty", () => {
    expect(selectSamples(names, { range: "2-3" })).toEqual([1, 2]);
    expect(selectSamples(names, { range: "3-99" })).toEqual([2, 3]);
    expect(selectSamples(names, { range: "5-8" })).toEqual([]); // past the end: an empty shard
    expect(() => selectSamples(names, { range: "3-2" })).toThrow("need 1 ≤ A ≤ B");
    expect(() => selectSamples(names, { range: "2" })).toThrow("expected A-B");
  });
  it("NaN, ±Infinity and extreme doubles survive a part's JSON", () => {
    const x = Float64Array.from([Number.NaN, Infinity, -Infinity, 0.1 + 0.2, 5e-324, Number.MAX_VALUE, -Math.PI * 1e-300, 1 / 3]);
    const back = decodeNumbers(JSON.parse(JSON.stringify(encodeNumbers(x))));
    expect(Array.from(back)).toEqual(Array.from(x));
  });
});
