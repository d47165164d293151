// `cellfrac report`: the figures written by --figures hold the expected marks (one bar group per sample,
// one box per group level, a fitted line per panel and factor level, a point per model row), the report's
// bytes depend only on the inputs (apart from the timestamp line), large cohorts are binned and say so,
// and bad input or usage give exit 3 / 2 with the place named. Inputs: the bundled 20-sample SCAN-B
// example, its CIBERSORT result and R-made stats tables (test/fixtures/report/make-stats.R).
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { escapeHtml } from "../src/core/report/html.js";
import { FULL_ARGS as FULL, KRUSKAL, MCPCOUNTER_TSV, MODELS, RESULTS, SAMPLES } from "./helpers/report-inputs.js";
import { cellTypeColours, knownColour } from "../src/core/charts/palette.js";
import { DEFAULT_LIMITS, groupBoxSpec, sampleOrder, scatterSpec } from "../src/core/charts/specs.js";

const tmp = mkdtempSync(join(tmpdir(), "cellfrac-report-"));

/** `cellfrac report <args>` (or `cellfrac <args>` when the first is --help). */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args[0] === "--help" ? args : ["report", ...args], {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

/** The items (paths) of the mark groups whose class names a spec's named mark, e.g. "bar" → bar_marks. */
function markItems(svg: string, name: string): string[][] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*?(/>|>([\\s\\S]*?)</g>)`, "g"))];
  return groups.map((g) => [...(g[2] ?? "").matchAll(/<path [^>]*>/g)].map((m) => m[0]));
}
const annotation = readFileSync(SAMPLES, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split("\t"));

describe("cellfrac report --figures", async () => {
  const dir = join(tmp, "fig");
  const r = await run([...FULL, "-o", join(tmp, "r.html"), "--figures", dir]);
  const fig = (id: string) => readFileSync(join(dir, `${id}.svg`), "utf8");

  it("exits 0 and names the charts", () => {
    expect(r.stderr).toBe("cellfrac: report: 6 charts\n");
    expect(r.code).toBe(0);
  });
  it("composition: one bar group per sample, a segment per cell type", () => {
    const items = markItems(fig("composition"), "bar").flat();
    const samples = new Map<string, number>();
    for (const p of items) {
      const s = /aria-label="sample: ([^;]+);/.exec(p)![1];
      samples.set(s, (samples.get(s) ?? 0) + 1);
    }
    expect([...samples.keys()].sort()).toEqual(annotation.map((a) => a[0]).sort());
    expect(new Set(samples.values())).toEqual(new Set([22]));
  });
  it("composition: a facet per PAM50 level present, samples in group order", () => {
    const svg = fig("composition");
    const levels = [...new Set(annotation.map((a) => a[8]))].sort();
    expect(markItems(svg, "bar")).toHaveLength(levels.length);
    const firstOfFacet = markItems(svg, "bar").map((g) => /sample: ([^;]+);/.exec(g[0])![1]);
    expect(firstOfFacet.map((s) => annotation.find((a) => a[0] === s)![8])).toEqual(levels);
  });
  it("heatmap: a cell per sample and cell type", () => {
    expect(markItems(fig("heatmap"), "cell").flat()).toHaveLength(20 * 22);
  });
  it("groups: one box per group level in each of the 22 panels, titled with the kruskal q", () => {
    const boxes = markItems(fig("groups"), "box");
    expect(boxes).toHaveLength(22);
    const levels = new Set(annotation.map((a) => a[8]));
    for (const b of boxes) expect(b).toHaveLength(levels.size);
    const q = readFileSync(KRUSKAL, "utf8").split("\n")[1].split("\t")[11];
    expect(fig("groups")).toMatch(new RegExp(`>B cells naive</tspan><tspan [^>]*>q = ${Number(Number(q).toPrecision(2))} \\(kruskal\\)<`));
  });
  it("scatter: points for samples with age and HER2 status; a line per panel and HER2 level (the stats' interaction)", () => {
    const known = annotation.filter((a) => a[5] !== "NA").length;
    const points = markItems(fig("scatter"), "point");
    expect(points).toHaveLength(22);
    for (const p of points) expect(p).toHaveLength(known);
    expect(markItems(fig("scatter"), "fit")).toHaveLength(22 * 2);
    expect(fig("scatter")).toContain("least-squares line per her2_status level");
  });
  it("forest: a point per lm/cox row; volcano: a point per row with a p-value", () => {
    const models = readFileSync(MODELS, "utf8").trim().split("\n").length - 1;
    expect(markItems(fig("forest"), "estimate").flat()).toHaveLength(models);
    expect(markItems(fig("volcano"), "feature").flat()).toHaveLength(models);
  });
});

describe("cellfrac report: bytes", () => {
  const stamp = /^<p class="stamp">.*$/m;
  it("same inputs give the same bytes apart from the timestamp line, wherever the files are", async () => {
    const other = mkdtempSync(join(tmpdir(), "cellfrac-report-copy-"));
    for (const f of [RESULTS, SAMPLES, KRUSKAL, MODELS]) copyFileSync(f, join(other, f.split("/").pop()!));
    const a = join(tmp, "a.html");
    const b = join(tmp, "b.html");
    expect((await run([...FULL, "-o", a, "-q"])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    const moved = FULL.map((x) => (x.startsWith("/") ? join(other, x.split("/").pop()!) : x));
    expect((await run([...moved, "-o", b, "-q"])).code).toBe(0);
    const [ta, tb] = [readFileSync(a, "utf8"), readFileSync(b, "utf8")];
    expect(ta).not.toBe(tb);
    expect(ta.match(stamp)).toHaveLength(1);
    expect(ta.replace(stamp, "")).toBe(tb.replace(stamp, ""));
  }, 60_000);
  it("SOURCE_DATE_EPOCH fixes the timestamp line", async () => {
    process.env.SOURCE_DATE_EPOCH = "1700000000";
    try {
      await run([RESULTS, "-o", join(tmp, "e.html"), "-q"]);
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
    expect(readFileSync(join(tmp, "e.html"), "utf8").match(stamp)![0]).toBe('<p class="stamp">Generated 2023-11-14T22:13:20Z</p>');
  }, 30_000);
  it("records method, coverage, warnings and SHA-256 of the inputs", async () => {
    const html = readFileSync(join(tmp, "r.html"), "utf8");
    const { createHash } = await import("node:crypto");
    for (const f of [RESULTS, SAMPLES, KRUSKAL, MODELS]) expect(html).toContain(createHash("sha256").update(readFileSync(f)).digest("hex"));
    expect(html).toContain("<tr><td>method</td><td>cibersort</td></tr>");
    expect(html).toContain("signature: 287 of 547 genes found");
    expect(html).toContain("anti-logged");
    expect(html).not.toContain(tmp);
  });
});

describe("cellfrac report: large cohorts and other inputs", () => {
  it("bins bars above --max-bars within groups and says so", async () => {
    const dir = join(tmp, "binned");
    expect((await run([...FULL, "--max-bars", "7", "--figures", dir, "-q"])).code).toBe(0);
    const svg = readFileSync(join(dir, "composition.svg"), "utf8");
    // ceil(20 / 7) = 3 samples a bar, runs not crossing groups: Basal 9 → 3, Her2 10 → 4, LumA 1 → 1.
    expect(svg).toContain("20 samples shown as 8 columns: each the mean of up to 3 consecutive samples in this order");
    expect(markItems(svg, "bar").flat()).toHaveLength(8 * 22);
  }, 30_000);
  it("draws scores (MCP-counter TSV) without a composition chart, and says why", async () => {
    const r = await run([MCPCOUNTER_TSV, "-o", join(tmp, "m.html")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("not drawn: composition (the results are scores, not fractions: nothing to stack)");
    const html = readFileSync(join(tmp, "m.html"), "utf8");
    expect(html).toContain('data-testid="chart-heatmap" data-drawn="yes"');
    expect(html).toContain("not recorded (TSV results");
  });
});

describe("cellfrac report: a method table as JSON (quanTIseq)", () => {
  it("names the method, shows its coverage and warnings, stacks its fractions including Other", async () => {
    const file = new URL("./fixtures/report/scanb20_quantiseq.json", import.meta.url).pathname;
    const json = JSON.parse(readFileSync(file, "utf8"));
    const dir = join(tmp, "quantiseq");
    expect((await run([file, "-o", join(tmp, "q.html"), "--figures", dir, "-q"])).code).toBe(0);
    const html = readFileSync(join(tmp, "q.html"), "utf8");
    expect(html).toContain("<tr><td>method</td><td>quantiseq</td></tr>");
    const c = json.coverage[0];
    expect(html).toContain(`${c.name}: ${c.found} of ${c.total} genes found`);
    for (const w of json.warnings) expect(html).toContain(escapeHtml(w));
    const bars = readFileSync(join(dir, "composition.svg"), "utf8");
    expect(markItems(bars, "bar").flat()).toHaveLength(20 * json.columns.length);
    expect(bars).toContain("cell type: Other;");
  });
});

describe("cellfrac report: errors", () => {
  const bad = (name: string, text: string) => {
    const p = join(tmp, name);
    writeFileSync(p, text);
    return p;
  };
  it("usage errors exit 2", async () => {
    expect((await run([RESULTS])).code).toBe(2);
    expect((await run([RESULTS, "-o", "x.pdf"])).code).toBe(2);
    expect((await run([RESULTS, "--group-by", "x", "-o", join(tmp, "x.html")])).stderr).toContain("need --samples");
  });
  it("an unknown --group-by column names the file", async () => {
    const r = await run([RESULTS, "--samples", SAMPLES, "--group-by", "stage", "-o", join(tmp, "x.html")]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${SAMPLES}:1: --group-by stage: no such column`);
  });
  it("a non-numeric --score value names file, line, column and sample", async () => {
    const r = await run([RESULTS, "--samples", SAMPLES, "--score", "nhg", "-o", join(tmp, "x.html")]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cellfrac: error: ${SAMPLES}:2:8, sample "F2007": --score nhg: not a number: "G3"\n`);
  });
  it("a bad stats cell or missing stats column names the place; nothing is written", async () => {
    const head = readFileSync(KRUSKAL, "utf8").split("\n")[0];
    const s1 = bad("s1.tsv", `${head}\nB cells naive\t\tkruskal\tpam50_subtype\t20\tNA\tNA\tbig\t2\tNA\t0.1\t0.2\n`);
    const out = join(tmp, "never.html");
    const r1 = await run([RESULTS, "--stats", s1, "-o", out]);
    expect([r1.code, r1.stderr]).toEqual([3, `cellfrac: error: ${s1}:2:8: not a number: "big"\n`]);
    const s2 = bad("s2.tsv", `${head.replace("\tq_value", "")}\nx\t\tlm\tg\t20\t1\t1\t1\t18\tNA\t0.1\n`);
    expect((await run([RESULTS, "--stats", s2, "-o", out])).stderr).toContain('stats table has no column "q_value"');
    const s3 = bad("s3.tsv", `${head}\nx\t\tttest\tg\t20\t1\t1\t1\t1\tNA\t0.1\t0.2\n`);
    expect((await run([RESULTS, "--stats", s3, "-o", out])).stderr).toContain(`${s3}:2:3: unknown test "ttest"`);
    expect(() => readFileSync(out)).toThrow();
  });
  it("a results table with a bad number or a repeated sample names the line", async () => {
    const r1 = await run([bad("r1.tsv", "Mixture\tA\tB\nS1\t0.5\t0.5\nS2\t0.5\tx\n"), "-o", join(tmp, "x.html")]);
    expect(r1.stderr).toMatch(/r1\.tsv:3:3: not a number: "x"/);
    const r2 = await run([bad("r2.tsv", "Mixture\tA\tB\nS1\t0.5\t0.5\nS1\t0.5\t0.5\n"), "-o", join(tmp, "x.html")]);
    expect(r2.stderr).toMatch(/r2\.tsv:3: sample "S1" appears twice/);
    expect((await run([bad("r3.json", "{}"), "-o", join(tmp, "x.html")])).stderr).toContain("JSON is not a cellfrac result");
  });
  it("--help lists every option", async () => {
    const r = await run(["--help"]);
    expect(r.stdout).toContain("cellfrac report <results>");
    const h = (await run(["-h"])).stdout;
    for (const o of ["--samples", "--stats", "--group-by", "--score", "--figures", "--max-bars", "--max-points", "--output", "--quiet"])
      expect(h).toContain(o);
  });
});

describe("colours and order", () => {
  it("a cell type's colour does not depend on the other names or their order", () => {
    const lm22 = JSON.parse(readFileSync(RESULTS, "utf8")).cellTypes as string[];
    const all = cellTypeColours(lm22);
    expect(new Set(all).size).toBe(22);
    expect(cellTypeColours([...lm22].reverse())).toEqual([...all].reverse());
    expect(cellTypeColours(["Macrophages M2"])).toEqual([all[15]]);
    expect(knownColour("Macrophages M2")).toBe(all[15]);
    const odd = cellTypeColours(["zeta", "alpha", "beta", "T cells CD8"]);
    expect(new Set(odd).size).toBe(4);
    expect(cellTypeColours(["T cells CD8", "beta", "alpha", "zeta"])).toEqual([...odd].reverse());
  });
  it("samples order by group level, then dominant type, then its value", () => {
    const comp = {
      samples: ["a", "b", "c", "d"],
      cellTypes: ["X", "Y"],
      values: Float64Array.from([0.9, 0.2, 0.6, 0.3, 0.1, 0.8, 0.4, 0.7]),
      valueTitle: "f",
    };
    expect(sampleOrder(comp).map((s) => comp.samples[s])).toEqual(["a", "c", "b", "d"]);
    const g = { name: "g", levels: ["L1", "L2"], of: ["L2", "L1", null, "L1"] };
    expect(sampleOrder(comp, g).map((s) => comp.samples[s])).toEqual(["b", "d", "a", "c"]);
  });
});

describe("chart specs at cohort scale", () => {
  // 1,000 samples, 3 cell types: the first sample of every ten is an outlier in type 0.
  const S = 1000;
  const values = new Float64Array(S * 3);
  for (let s = 0; s < S; s++) {
    values[s] = s % 10 === 0 ? 0.9 : 0.1 + (s % 7) / 100;
    values[s + S] = 0.5;
    values[s + 2 * S] = 1 - values[s] - 0.5;
  }
  const comp = {
    samples: Array.from({ length: S }, (_, s) => `S${s}`),
    cellTypes: ["B cells naive", "T cells CD8", "Neutrophils"],
    values,
    valueTitle: "fraction",
  };
  const groups = { name: "arm", levels: ["a", "b"], of: comp.samples.map((_, s) => (s < 600 ? "a" : "b")) };
  const rows = (spec: Record<string, unknown>) => (spec.data as { values: Record<string, unknown>[] }).values;
  const subtitle = (spec: Record<string, unknown>) => (spec.title as { subtitle: string[] }).subtitle.join("\n");

  it("box plots: five numbers per box and at most maxOutliers outliers, thinning said", () => {
    const spec = groupBoxSpec(comp, groups, [], { ...DEFAULT_LIMITS, maxOutliers: 10 });
    const out = rows(spec).filter((r) => r.kind === "out" && r.panel === "B cells naive");
    expect(rows(spec).filter((r) => r.kind === "box")).toHaveLength(3 * 2);
    // 60 and 40 outliers (0.9) in the two arms: every 6th / 4th (10 each) plus the last one.
    expect(out.filter((r) => r.group === "a")).toHaveLength(11);
    expect(out.filter((r) => r.group === "b")).toHaveLength(11);
    expect(subtitle(spec)).toContain("more than 10 outliers");
    expect(subtitle(groupBoxSpec(comp, groups, []))).not.toContain("outliers show");
  });
  it("scatter: at most maxPoints points a panel, lines from every sample, thinning said", () => {
    const score = { name: "age", of: comp.samples.map((_, s) => s) };
    const spec = scatterSpec(comp, score, groups, { ...DEFAULT_LIMITS, maxPoints: 100 });
    expect(rows(spec).filter((r) => r.kind === "point" && r.cellType === "T cells CD8")).toHaveLength(100);
    const fit = rows(spec).filter((r) => r.kind === "fit" && r.cellType === "T cells CD8");
    expect(fit.map((r) => [r.level, r.score, r.value])).toEqual([
      ["a", 0, 0.5],
      ["a", 599, 0.5],
      ["b", 600, 0.5],
      ["b", 999, 0.5],
    ]);
    expect(subtitle(spec)).toContain("points: every 10th of 1,000 samples; lines fitted on all");
  });
});
