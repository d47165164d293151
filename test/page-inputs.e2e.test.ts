// The page's input options end to end in Debian's Chromium (playwright-core), served by `cellfrac serve`:
// the controls built from the CLI's option definitions (Layout, the quantifier/GEO options, Sample names,
// the HDF5 options shown for HDF5 files only), the mixture folder picker, and quantifier files without
// folders refused rather than renamed. Every table equals `cellfrac nnls`'s output on the same files and
// options byte for byte; every refusal shows the CLI's message (or the page's own, for the folder rule).
// Needs the built page (npm test builds it) and /usr/bin/chromium.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startServer } from "../src/node/commands/serve.js";
import { HAVE_CHROMIUM, NO_CHROMIUM, watchedPage } from "./helpers/chromium.js";
import { cli } from "./helpers/cli.js";

const fixture = (f: string) => fileURLToPath(new URL(`fixtures/${f}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "cellfrac-page-inputs-"));

let browser: Browser;
let page: Page;
let origin: string;
let close: () => Promise<void>;
let requests: string[] = [];
let consoleErrors: string[] = [];

/** The results table's text, rebuilt as TSV. */
async function tableText(): Promise<string> {
  const rows = page.getByTestId("results").locator("tr");
  const lines = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? "").join("\t")));
  return `${lines.join("\n")}\n`;
}

async function downloadedTsv(): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-tsv").click()]);
  return readFileSync((await dl.path())!).toString("utf8");
}

/** NNLS (bundled LM22) on `files` (or a folder) after `setup` set the options; waits for the end of the run. */
async function runNnls(files: { files?: string | string[]; folder?: string }, setup?: () => Promise<void>): Promise<"done" | "failed"> {
  await page.getByTestId("method-select").selectOption("nnls");
  if (files.folder) await page.getByTestId("mixture-folder").setInputFiles(files.folder);
  else await page.getByTestId("mixture-input").setInputFiles(files.files ?? []);
  await setup?.();
  await page.getByTestId("run").click();
  await page.waitForSelector("body[data-state=done], body[data-state=failed]", { timeout: 240_000 });
  return (await page.getAttribute("body", "data-state")) as "done" | "failed";
}

const errorText = async () => (await page.getByTestId("error").textContent()) ?? "";
/** The CLI's stderr as the page's error box shows it (paths as the page names the files). */
const asPage = (err: string, dir: string) => err.trim().split(dir).join("");

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return; // the suite below is skipped, and says so
  const srv = await startServer({ port: 0 });
  origin = srv.url.replace(/\/$/, "");
  close = srv.close;
  ({ browser, page, requests, consoleErrors } = await watchedPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
});

describe.skipIf(!HAVE_CHROMIUM)(`the page's input options in Chromium${NO_CHROMIUM}`, () => {
  beforeEach(async () => {
    await page.goto(`${origin}/`);
    await page.waitForSelector("body[data-ready]");
  }, 60_000);

  it("a long table of one sample: refused by auto as by the CLI; Layout long reads it as --layout long", async () => {
    const lines = readFileSync(fixture("hdf5/mixture.tsv"), "utf8").trimEnd().split("\n");
    const long = join(tmp, "one-sample-long.tsv");
    writeFileSync(
      long,
      `gene\tsample\tvalue\n${lines
        .slice(1)
        .map((l) => `${l.split("\t")[0]}\tMix1\t${l.split("\t")[1]}`)
        .join("\n")}\n`,
    );
    const auto = await cli("nnls", long, "-q");
    expect(auto.code).toBe(3);
    expect(await runNnls({ files: long })).toBe("failed");
    expect(await errorText()).toBe(asPage(auto.err, `${tmp}/`));
    const ref = await cli("nnls", long, "--layout", "long", "-q");
    expect(ref.code, ref.err).toBe(0);
    expect(await runNnls({ files: long }, () => page.selectOption("#layout", "long").then(() => {}))).toBe("done");
    expect(await tableText()).toBe(ref.out);
    expect(await downloadedTsv()).toBe(ref.out);
  }, 240_000);

  it("a GEO series matrix with a probe map and --collapse max: the CLI's table; " +
    "the probe map on a plain table: the CLI's message", async () => {
    const geo = fixture("quant/geo/GSE2000_series_matrix.txt");
    const map = fixture("quant/geo/GPL-probe-map.tsv");
    const ref = await cli("nnls", geo, "--probe-map", map, "--collapse", "max", "-q");
    expect(ref.code, ref.err).toBe(0);
    const state = await runNnls({ files: geo }, async () => {
      await page.setInputFiles("#probe-map", map);
      await page.selectOption("#collapse", "max");
    });
    expect(state, await errorText()).toBe("done");
    expect(await tableText()).toBe(ref.out);
    const coverage = (await page.getByTestId("coverage").textContent()) ?? "";
    expect(coverage).toMatch(/301 probes → 150 genes through --probe-map \(--collapse max/);
    const plain = fixture("quant/plain-gsm.tsv");
    const bad = await cli("nnls", plain, "--probe-map", map);
    expect(bad.code).toBe(2);
    expect(await runNnls({ files: plain }, () => page.setInputFiles("#probe-map", map))).toBe("failed");
    expect(await errorText()).toBe(bad.err.trim());
  }, 240_000);

  it("Salmon transcript-level files with a tx2gene table: `cellfrac nnls … --tx2gene` byte for byte", async () => {
    const dir = mkdtempSync(join(tmp, "salmon-"));
    const files = ["S1", "S2", "S3"].map((s) => {
      const f = join(dir, `${s}.quant.sf`);
      copyFileSync(fixture(`quant/salmon/${s}/quant.sf`), f);
      return f;
    });
    const tx2gene = fixture("quant/tx2gene.tsv");
    const ref = await cli("nnls", ...files, "--tx2gene", tx2gene, "-q");
    expect(ref.code, ref.err).toBe(0);
    const state = await runNnls({ files }, () => page.setInputFiles("#tx2gene", tx2gene));
    expect(state, await errorText()).toBe("done");
    expect(await tableText()).toBe(ref.out);
    expect(await page.getByTestId("coverage").textContent()).toMatch(/transcripts summed to genes \(--tx2gene\)/);
  }, 240_000);

  it("two quant.sf without folders are refused, never renamed; " +
    "with Sample names, or their folder chosen, they are the CLI's samples", async () => {
    const salmon = fixture("quant/salmon");
    const two = [`${salmon}/S1/quant.sf`, `${salmon}/S2/quant.sf`];
    expect(await runNnls({ files: two })).toBe("failed");
    expect(await errorText()).toMatch(
      new RegExp(
        '^cellfrac: 2 files named quant\\.sf without their folders: .*choose the folder .* "Mixture folder", ' +
          'or name the samples in "Sample names"',
      ),
    );
    const named = await cli("nnls", ...two, "--sample-names", "A,B", "-q");
    expect(named.code, named.err).toBe(0);
    expect(named.out.split("\n")[1]).toMatch(/^A\t/);
    expect(await runNnls({ files: two }, () => page.getByTestId("sample-names").fill("A,B"))).toBe("done");
    expect(await tableText()).toBe(named.out);
    // The folder: each sample's quant.sf (quant.sf is taken over quant.genes.sf), named by its folder.
    const byFolder = await cli("nnls", `${salmon}/S1/quant.sf`, `${salmon}/S2/quant.sf`, `${salmon}/S3/quant.sf`, "-q");
    expect(byFolder.code, byFolder.err).toBe(0);
    expect(byFolder.out.split("\n").map((l) => l.split("\t")[0])).toEqual(["Mixture", "S1", "S2", "S3", ""]);
    await page.reload();
    await page.waitForSelector("body[data-ready]");
    const state = await runNnls({ folder: salmon });
    expect(state, await errorText()).toBe("done");
    expect(await page.locator("#folder-note").textContent()).toBe(
      "3 quant.sf files: salmon/S1/quant.sf, salmon/S2/quant.sf, salmon/S3/quant.sf",
    );
    expect(await tableText()).toBe(byFolder.out);
  }, 240_000);

  it("Compare: the run's table against a ground truth with --map, as `cellfrac compare`: report and TSV byte for byte; " +
    "a bad map the CLI's message", async () => {
    const mixture = fileURLToPath(new URL("golden/data/gse65133_pbmc_array/GSE65133_expression_LM22genes.tsv.gz", import.meta.url));
    const flow = readFileSync(fixture("compare/truth/GSE65133_flow_cytometry_9types_percent.tsv"), "utf8").trimEnd().split("\n");
    // Two of the real columns under names no vocabulary knows, mapped by the user.
    const truth = join(tmp, "truth.tsv");
    const cells = flow.map((l) => l.split("\t")).map((f) => [f[0], f[3], f[9]].join("\t"));
    writeFileSync(truth, `${["sample\tCD8 cytotoxic T lymphos\tMonos", ...cells.slice(1)].join("\n")}\n`);
    const map = join(tmp, "map.tsv");
    writeFileSync(map, "column\tlineage\nCD8 cytotoxic T lymphos\tCD8 T\n");
    const results = join(tmp, "GSE65133_expression_LM22genes.nnls.tsv");
    expect((await cli("nnls", mixture, "-q", "-o", results)).code).toBe(0);
    const ref = await cli("compare", results, truth, "--map", map);
    expect(ref.code, ref.err).toBe(0);
    expect(ref.out).toMatch(/CD8 T/);
    const refTsv = await cli("compare", results, truth, "--map", map, "-o", join(tmp, "c.tsv"));
    expect(refTsv.code).toBe(0);
    expect(await runNnls({ files: mixture })).toBe("done");
    await page.getByTestId("compare-reference").setInputFiles(truth);
    await page.getByTestId("compare-map").setInputFiles(map);
    await page.getByTestId("compare-run").click();
    await page.waitForSelector("body[data-compare=done], body[data-compare=failed]");
    expect(await page.getByTestId("compare-report").textContent()).toBe(ref.out.split(`${tmp}/`).join(""));
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-compare").click()]);
    expect(readFileSync((await dl.path())!, "utf8")).toBe(readFileSync(join(tmp, "c.tsv"), "utf8").split(`${tmp}/`).join(""));
    const bad = join(tmp, "bad-map.tsv");
    writeFileSync(bad, "a\tT\nCD8 cytotoxic T lymphos\tkiller cells\n");
    const refused = await cli("compare", results, truth, "--map", bad);
    expect(refused.code).toBe(3);
    await page.getByTestId("compare-map").setInputFiles(bad);
    await page.getByTestId("compare-run").click();
    await page.waitForSelector("body[data-compare=failed]");
    expect(await page.getByTestId("compare-error").textContent()).toBe(asPage(refused.err, `${tmp}/`));
  }, 240_000);

  it("HDF5 options appear for HDF5 files only; --transpose, --var-column and --samples-from give the CLI's tables", async () => {
    const h5 = (f: string) => fixture(`hdf5/${f}`);
    await page.getByTestId("mixture-input").setInputFiles(h5("mixture.tsv"));
    await page.waitForSelector("body[data-files='1']");
    expect(await page.isHidden("#hdf5-options")).toBe(true);
    const cases: [string, string[], () => Promise<void>][] = [
      ["genes-as-obs.h5ad", ["--transpose"], () => page.check("#transpose")],
      ["csr-f32.h5ad", ["--var-column", "gene_symbols"], () => page.fill("#var-column", "gene_symbols")],
      ["archs4.h5", ["--samples-from", h5("samples.txt")], () => page.setInputFiles("#samples-from", h5("samples.txt"))],
    ];
    for (const [file, args, setup] of cases) {
      const ref = await cli("nnls", h5(file), ...args, "-q");
      expect(ref.code, ref.err).toBe(0);
      await page.goto(`${origin}/`);
      await page.waitForSelector("body[data-ready]");
      const state = await runNnls({ files: h5(file) }, async () => {
        await page.waitForSelector("#hdf5-options:not([hidden])");
        await setup();
      });
      expect(state, `${file}: ${await errorText()}`).toBe("done");
      expect(await tableText(), file).toBe(ref.out);
    }
    // Without --transpose the genes-as-obs file has no LM22 gene: the CLI's error (its last stderr line).
    const bad = await cli("nnls", h5("genes-as-obs.h5ad"));
    expect(bad.code).toBe(3);
    await page.goto(`${origin}/`);
    await page.waitForSelector("body[data-ready]");
    expect(await runNnls({ files: h5("genes-as-obs.h5ad") })).toBe("failed");
    expect(await errorText()).toBe(asPage(bad.err, h5("")).split("\n").pop());
    // --transpose given for a file that is not HDF5 is refused; the page shows HDF5 options only for HDF5 files.
    const notH5 = await cli("nnls", h5("mixture.tsv"), "--transpose");
    expect(notH5.code).toBe(3);
    expect(notH5.err).toMatch(/--transpose applies to HDF5 files/);
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((u) => !/^http:\/\/127\.0\.0\.1:\d+\//.test(u) && !/^(blob|data):/.test(u))).toEqual([]);
  }, 360_000);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));
