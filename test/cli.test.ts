// The `cellfrac` command line: exit codes, both option spellings, outputs, bad input (exit 3, no output
// file), and bit-identity with the Node API. Most cases call main() in-process; one spawns the built bin.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { cibersort, readMatrix, toResultsTable } from "../src/node/index.js";
import { formatTable } from "../src/core/formats/write.js";
import { cibersortCases } from "./helpers/reference.js";

const CASE = cibersortCases().find((c) => c.name === "cibersort_lm6_linsley2014_noqn_perm0")!;
const PERM = ["--perm", "10", "--seed", "5"]; // small null: keeps the test quick, still exercises P-values

async function run(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

let dir: string;
let apiTable: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cellfrac-cli-"));
  apiTable = toResultsTable(await cibersort(CASE.input, { signature: CASE.signature, perm: 10, seed: 5 }));
}, 60_000);

describe("usage", () => {
  it("help and version exit 0; no command, unknown command or option exit 2", async () => {
    expect((await run("--help")).code).toBe(0);
    expect((await run("cibersort", "--help")).out).toMatch(/--perm N/);
    expect((await run("--version")).out).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await run()).code).toBe(2);
    const unknown = await run("cibersrot");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command "cibersrot"/);
    expect((await run("cibersort", CASE.input, "--frobnicate")).code).toBe(2);
  });

  it("bad option values exit 2 with the option named", async () => {
    for (const [args, re] of [
      [["--perm", "-1"], /--perm/],
      [["--perm", "ten"], /--perm/],
      [["--QN", "maybe"], /--QN/],
      [["--absolute", "yes"], /--absolute/],
      [["--abs_method", "sig.score"], /--abs_method needs --absolute TRUE/],
      [["--scale", "ln"], /--scale/],
      [["--duplicates", "sum"], /--duplicates/],
      [["-o", "out.csv"], /--output/],
      [["--qn", "--QN", "FALSE"], /contradict/],
      [["--signature", "a", "--sigmatrix", "b"], /not both/],
    ] as [string[], RegExp][]) {
      const r = await run("cibersort", CASE.input, ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(re);
    }
    expect((await run("cibersort")).err).toMatch(/no mixture file/);
  });
});

describe("outputs", () => {
  it("stdout table equals the API's bit for bit; -o .tsv writes the same text atomically", async () => {
    const r = await run("cibersort", CASE.input, "--signature", CASE.signature, ...PERM);
    expect(r.code).toBe(0);
    expect(r.out).toBe(apiTable);
    const out = join(dir, "res.tsv");
    expect((await run("cibersort", CASE.input, "--signature", CASE.signature, ...PERM, "-o", out)).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(apiTable);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 60_000);

  it("CIBERSORTx spellings give the same table", async () => {
    const r = await run("cibersort", "--mixture", CASE.input, "--sigmatrix", CASE.signature, "--QN", "FALSE", ...PERM);
    expect(r.code).toBe(0);
    expect(r.out).toBe(apiTable);
  }, 60_000);

  it("signature coverage: found/total and the missing genes on stderr and in JSON; -q silences it", async () => {
    const sig = readMatrix(CASE.signature);
    const mix = readMatrix(CASE.input);
    const drop = new Set(sig.rows.filter((g) => mix.rows.includes(g)).slice(0, 3));
    const keep = mix.rows.map((g, r) => [g, r] as const).filter(([g]) => !drop.has(g));
    const n = mix.rows.length;
    const file = join(dir, "three-missing.tsv");
    writeFileSync(
      file,
      formatTable(
        "gene",
        mix.cols,
        keep.map(([g]) => g),
        (i, c) => mix.data[keep[i][1] + c * n],
      ),
    );
    const missing = sig.rows.filter((g) => !mix.rows.includes(g) || drop.has(g));
    expect(missing.length).toBeGreaterThanOrEqual(3);
    const out = join(dir, "cov.json");
    // Names as given: the missing list is the plain set difference (the default would also meet old names).
    const r = await run("cibersort", file, "--signature", CASE.signature, "--perm", "0", "--gene-match", "exact", "-o", out);
    expect(r.code).toBe(0);
    const shown = missing.slice(0, 20).join(", ");
    expect(r.err).toContain(
      `cellfrac: cibersort: ${CASE.signature}: ${sig.rows.length - missing.length} of ${sig.rows.length} genes found; missing: ${shown}`,
    );
    expect(JSON.parse(readFileSync(out, "utf8")).missingGenes).toEqual(missing);
    expect((await run("cibersort", file, "--signature", CASE.signature, "--perm", "0", "-q", "-o", out)).err).toBe("");
  }, 60_000);

  it("JSON output carries the same numbers", async () => {
    const out = join(dir, "res.json");
    expect((await run("cibersort", CASE.input, "--signature", CASE.signature, ...PERM, "-o", out)).code).toBe(0);
    const j = JSON.parse(readFileSync(out, "utf8"));
    const t = readMatrix(apiTable); // samples × (cell types, P-value, Correlation, RMSE)
    expect(j.samples.map((x: { sample: string }) => x.sample)).toEqual(t.rows);
    const col = (name: string) => t.data.subarray(t.cols.indexOf(name) * t.rows.length, (t.cols.indexOf(name) + 1) * t.rows.length);
    j.samples.forEach((x: { fractions: Record<string, number>; pValue: number; correlation: number; rmse: number }, s: number) => {
      for (const ct of j.cellTypes) expect(x.fractions[ct]).toBe(col(ct)[s]);
      expect([x.pValue, x.correlation, x.rmse]).toEqual([col("P-value")[s], col("Correlation")[s], col("RMSE")[s]]);
    });
  }, 60_000);

  it("the built bin runs under node with the same exit codes", () => {
    const bin = new URL("../dist/node/cli.js", import.meta.url).pathname;
    expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node")).toBe(true);
    const ok = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    const bad = spawnSync(process.execPath, [bin, "cibersort", join(dir, "missing.tsv")], { encoding: "utf8" });
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/missing\.tsv.*no such file/);
  });
});

describe("bad input: exit 3, a located message, no output file", () => {
  const sig = "gene\tA\tB\nG1\t1\t0\nG2\t0\t1\nG3\t1\t1\nG4\t2\t0\n";
  const cases: [string, string, RegExp][] = [
    ["non-numeric", "gene\ts1\ts2\nG1\t1\t2\nG2\tabc\t3\nG3\t1\t1\n", /line 3.*column 2|G2.*s1|abc/],
    ["NaN", "gene\ts1\ts2\nG1\t1\t2\nG2\tNaN\t3\nG3\t1\t1\n", /NaN/],
    ["empty cell", "gene\ts1\ts2\nG1\t1\t2\nG2\t\t3\nG3\t1\t1\n", /empty/],
    ["ragged row", "gene\ts1\ts2\nG1\t1\t2\nG2\t3\nG3\t1\t1\n", /expected 3 fields, found 2/],
    ["empty file", "", /empty/],
    ["header only", "gene\ts1\ts2\n", /no (data|genes|rows)|header only/],
    ["no shared gene", "gene\ts1\ts2\nX1\t1\t2\nX2\t3\t4\n", /no gene of the signature/],
    ["duplicate genes", "gene\ts1\ts2\nG1\t1\t2\nG1\t3\t4\nG3\t1\t1\n", /duplicate gene/],
  ];
  for (const [name, text, re] of cases) {
    it(name, async () => {
      const mix = join(dir, `${name.replace(/ /g, "_")}.tsv`);
      const sigFile = join(dir, "sig.tsv");
      writeFileSync(mix, text);
      writeFileSync(sigFile, sig);
      const out = join(dir, `${name.replace(/ /g, "_")}-out.tsv`);
      const r = await run("cibersort", mix, "--signature", sigFile, "--perm", "0", "-o", out);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(re);
      expect(r.err).toContain(mix); // the file is named
      expect(existsSync(out)).toBe(false);
    });
  }

  it("duplicate cell-type names in the signature name the signature file", async () => {
    const sigFile = join(dir, "dupsig.tsv");
    writeFileSync(sigFile, "gene\tA\tA\nG1\t1\t0\nG2\t0\t1\n");
    const r = await run("cibersort", CASE.input, "--signature", sigFile);
    expect(r.code).toBe(3);
    expect(r.err).toContain("dupsig.tsv");
  });

  it("log-scaled mixture: anti-logged as R does, announced on stderr; --scale linear silences it", async () => {
    const mix = join(dir, "log.tsv");
    writeFileSync(mix, "gene\ts1\ts2\nG1\t1.5\t2\nG2\t3\t1\nG3\t2\t2.5\nG4\t4\t1\n");
    const sigFile = join(dir, "sig.tsv");
    writeFileSync(sigFile, sig);
    const r = await run("cibersort", mix, "--signature", sigFile, "--perm", "0");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/looks log-scaled/);
    const lin = await run("cibersort", mix, "--signature", sigFile, "--perm", "0", "--scale", "linear");
    expect(lin.err).not.toMatch(/log-scaled/);
    expect(lin.out).not.toBe(r.out);
  });
});
