// The page end to end in Debian's Chromium (playwright-core, never a downloaded browser), served by
// `cellfrac serve`'s server: the table and the TSV download equal the Node API's result bit for bit (and R
// CIBERSORT's own result within 1e-9), no request leaves 127.0.0.1, the CSP refuses any other connection,
// cancel stops a run, and bad input shows the CLI's message. Each test has a fresh page. Needs the built page
// (npm test builds it) and /usr/bin/chromium (.ci/run installs it); without Chromium the tests are skipped
// and their suite's name says why.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startServer } from "../src/node/commands/serve.js";
import { main } from "../src/node/cli.js";
import { methodTableTsv } from "../src/core/formats/results.js";
import { readSignature } from "../src/node/data.js";
import {
  cibersort,
  ensemblSymbols,
  formatNumber,
  InputError,
  nnls,
  parseMatrix,
  readMatrix,
  toResultsJSON,
  toResultsTable,
} from "../src/node/index.js";
import { DATA, cibersortCases, dataFile, golden, readGolden, readRefTable } from "./helpers/reference.js";

import { CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM, NO_CHROMIUM } from "./helpers/chromium.js";
import { cli } from "./helpers/cli.js";
const OUT = new URL("../test-results/", import.meta.url).pathname;
const cases = cibersortCases();
const GSE = cases.find((c) => c.name === "cibersort_lm22_gse65133_noqn_perm0")!;
const LM6 = cases.find((c) => c.name === "cibersort_lm6_linsley2014_noqn_perm0")!;
const FINOTELLO_TPM = dataFile("finotello2019_pbmc_gse107572/GSE107572_tpm.tsv.gz");
const RACLE_TPM = dataFile("racle2017_melanoma_lymphnode_gse93722/GSE93722_tpm.tsv.gz");
const EPIC_DIR = `${DATA}epic_reference_profiles`;
const tmp = mkdtempSync(join(tmpdir(), "cellfrac-web-"));
/** A TPM table with one negative value (quanTIseq refuses it, naming gene and sample). */
const NEGATIVE = join(tmp, "negative.tsv");

let browser: Browser;
let context: BrowserContext;
let page: Page;
let origin: string;
let close: () => Promise<void>;
/** Every request of the context since the current test began. */
const requests: string[] = [];

/** The server and browser for the whole file; a new page (and an empty request log) for every test. */
function useBrowser(): void {
  beforeAll(async () => {
    writeFileSync(NEGATIVE, "Gene\tS1\tS2\nCD3D\t100\t120\nCD19\t60\t-1\nCD14\t70\t80\n");
    const srv = await startServer({ port: 0 });
    origin = srv.url.replace(/\/$/, "");
    close = srv.close;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ acceptDownloads: true });
    context.on("request", (r) => requests.push(r.url()));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  beforeEach(async () => {
    requests.length = 0;
    page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForSelector("body[data-ready]");
  }, 60_000);

  afterEach(async () => {
    await page?.close();
  });
}

async function runInPage(
  mixture: string | string[],
  opts: { perm: number; seed?: number; signature?: string; method?: string; setup?: () => Promise<void>; fails?: boolean },
): Promise<void> {
  await page.getByTestId("method-select").selectOption(opts.method ?? "cibersort");
  await page.getByTestId("mixture-input").setInputFiles(mixture);
  if (opts.method === undefined || opts.method === "cibersort" || opts.method === "nnls")
    await page.getByTestId("signature-input").setInputFiles(opts.signature ? [opts.signature] : []);
  if ((opts.method ?? "cibersort") === "cibersort") {
    await page.fill("#perm", String(opts.perm));
    await page.fill("#seed", String(opts.seed ?? 1));
  }
  await opts.setup?.();
  await page.getByTestId("run").click();
  await page.waitForSelector("body[data-state=done], body[data-state=failed]", { timeout: 240_000 });
  if (opts.fails) expect(await page.getAttribute("body", "data-state")).toBe("failed");
  else expect(await page.getByTestId("error").isHidden(), (await page.getByTestId("error").textContent()) ?? "").toBe(true);
}

/** The CLI's warnings ("cellfrac: warning: …" lines of its stderr) as the page lists them ("warning: …"). */
const warningsOf = (stderr: string) =>
  stderr
    .split("\n")
    .filter((l) => l.startsWith("cellfrac: warning: "))
    .map((l) => l.slice("cellfrac: ".length));
/** The CLI's warnings and its note of genes met under another name, which the page lists as a warning (sorted). */
const pageWarningsOf = (stderr: string) =>
  [
    ...warningsOf(stderr),
    ...stderr
      .split("\n")
      .filter((l) => / genes found under another name /.test(l))
      .map((l) => `warning: ${l.replace(/^cellfrac: [^:]+: /, "")}`),
  ].sort();

/** The results table's text, rebuilt as TSV (header, then one line per sample). */
async function tableText(): Promise<string> {
  const rows = await page
    .getByTestId("results")
    .locator("tr")
    .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? "").join("\t")));
  return `${rows.join("\n")}\n`;
}

async function download(testId: string): Promise<Buffer> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
  return readFileSync(await dl.path());
}
const downloadedTsv = async () => (await download("download-tsv")).toString("utf8");

describe.skipIf(!HAVE_CHROMIUM)(`the page in Chromium${NO_CHROMIUM}`, () => {
  useBrowser();

  it("defaults are the CLI's: method CIBERSORT, LM22, perm 100, seed 1, QN off, R-identical solver", async () => {
    expect(await page.getByTestId("method-select").inputValue()).toBe("cibersort");
    expect(await page.inputValue("#perm")).toBe("100");
    expect(await page.inputValue("#seed")).toBe("1");
    expect(await page.isChecked("#qn")).toBe(false);
    expect(await page.inputValue("#solver")).toBe("libsvm");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  });

  it("GSE65133 with the bundled LM22 (perm 0): table and TSV equal the Node result bit for bit, " +
    "and R CIBERSORT's result.tsv within 1e-9", async () => {
    const node = toResultsTable(await cibersort(GSE.input, { signature: "LM22", perm: 0, threads: 1 }));
    await runInPage(GSE.input, { perm: 0 });
    expect(await tableText()).toBe(node);
    const tsv = await downloadedTsv();
    expect(tsv).toBe(node);
    // Against the tool's own code run by us (R CIBERSORT v1.04), so that a core bug shared by both hosts shows.
    const R_TOL = 1e-9; // the CIBERSORT golden tests' bound
    const ref = readRefTable(`${GSE.dir}result.tsv`);
    const [head, ...rows] = tsv
      .trimEnd()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(head.slice(1)).toEqual(ref.header.slice(1));
    expect(rows.map((r) => r[0])).toEqual(ref.ids);
    for (const [j, col] of head.entries()) {
      if (j === 0) continue;
      ref.num(col).forEach((want, i) => expect(Math.abs(Number(rows[i][j]) - want), `${col} ${ref.ids[i]}`).toBeLessThanOrEqual(R_TOL));
    }
    expect(await page.textContent("#summary")).toMatch(/SharedArrayBuffer/);
    await page.screenshot({ path: join(OUT, "browser-e2e-gse65133.png"), fullPage: true });
  }, 300_000);

  it("a custom signature (LM6) with permutations and a seed gives the Node bits too", async () => {
    const res = await cibersort(LM6.input, { signature: LM6.signature, perm: 10, seed: 5, threads: 1 });
    const node = toResultsTable(res);
    await runInPage(LM6.input, { perm: 10, seed: 5, signature: LM6.signature });
    expect(await tableText()).toBe(node);
    expect((await download("download-json")).toString("utf8")).toBe(toResultsJSON(res));
    // The Arrow file holds the same doubles: rebuilt as TSV text it is the Node table again.
    const arrow = tableFromIPC(await download("download-arrow"));
    const names = arrow.schema.fields.map((f) => f.name);
    const cols = names.map((n) => arrow.getChild(n)!);
    expect(names.join("\t")).toBe(node.split("\n")[0]);
    const lines = Array.from({ length: arrow.numRows }, (_, s) =>
      cols.map((c, i) => (i === 0 ? String(c.get(s)) : formatNumber(c.get(s) as number))).join("\t"),
    );
    expect(`${[names.join("\t"), ...lines].join("\n")}\n`).toBe(node);
    expect(await page.textContent("[data-testid=coverage]")).toMatch(/Genes used: \d+ of \d+ signature genes/);
  }, 300_000);

  it("the bundled gzipped example with every default (perm 100, seed 1): the Node bits, and the anti-log warning shown", async () => {
    const example = new URL("../data/example/scanb20_log2fpkm.tsv.gz", import.meta.url).pathname;
    const res = await cibersort(example, { threads: 1 });
    await runInPage(example, { perm: 100, seed: 1 });
    expect(await tableText()).toBe(toResultsTable(res));
    expect(res.warnings.length).toBeGreaterThan(0);
    for (const w of res.warnings) expect(await page.textContent("[data-testid=coverage]")).toContain(`warning: ${w}`);
  }, 300_000);

  it("a mixture named by Ensembl IDs is mapped as `cellfrac cibersort` maps it: the CLI's table and warning", async () => {
    const idOf = new Map<string, string>();
    for (const [id, sym] of ensemblSymbols()) if (!idOf.has(sym)) idOf.set(sym, id);
    const lines = readGolden(GSE.input).split("\n");
    let n = 0;
    const renamed = lines.map((l, i) => {
      const tab = l.indexOf("\t");
      const id = i > 0 && tab > 0 ? idOf.get(l.slice(0, tab)) : undefined;
      if (id) n++;
      return id ? `${id}.7${l.slice(tab)}` : l; // versioned IDs, as GENCODE writes them
    });
    expect(n).toBeGreaterThan(400);
    const file = join(mkdtempSync(join(tmpdir(), "cellfrac-web-")), "ensembl.tsv");
    writeFileSync(file, renamed.join("\n"));
    let out = "";
    let err = "";
    expect(
      await main(["cibersort", file, "--perm", "0", "--threads", "1"], {
        stdout: (s) => (out += s),
        stderr: (s) => (err += s),
        isTTY: false,
      }),
    ).toBe(0);
    const warning = /warning: (\d+ rows named by Ensembl gene ID[^\n]*)/.exec(err)![1];
    await runInPage(file, { perm: 0 });
    expect(await tableText()).toBe(out);
    expect(await page.textContent("[data-testid=coverage]")).toContain(`warning: ${warning}`);
  }, 300_000);

  it("NNLS (method select) with the bundled LM22 gives `cellfrac nnls`'s table bit for bit", async () => {
    const node = methodTableTsv(
      await nnls.run(readMatrix(GSE.input, { what: "mixture" }), { signature: readSignature("LM22"), signatureName: "LM22" }),
    );
    await runInPage(GSE.input, { perm: 0, method: "nnls" });
    expect(await page.isDisabled("#perm")).toBe(true);
    expect(await tableText()).toBe(node);
    expect(await downloadedTsv()).toBe(node);
  }, 120_000);

  it("the exact solver (perm 3): the table equals `cellfrac cibersort --solver exact` bit for bit, not the libsvm one", async () => {
    const exact = await cli("cibersort", GSE.input, "--solver", "exact", "--perm", "3", "--threads", "1");
    expect(exact.code, exact.err).toBe(0);
    const libsvm = await cli("cibersort", GSE.input, "--perm", "3", "--threads", "1");
    expect(exact.out).not.toBe(libsvm.out);
    await runInPage(GSE.input, {
      perm: 3,
      setup: () =>
        page
          .getByTestId("solver-select")
          .selectOption("exact")
          .then(() => {}),
    });
    expect(await tableText()).toBe(exact.out);
    expect(await downloadedTsv()).toBe(exact.out);
    expect(await page.textContent("#summary")).toMatch(/exact solver/);
  }, 120_000);

  it("quanTIseq (bundled TIL10, gzipped TPM): `cellfrac quantiseq` bit for bit, default and --tumor --no-mrna-scaling", async () => {
    const plain = await cli("quantiseq", FINOTELLO_TPM);
    expect(plain.code, plain.err).toBe(0);
    await runInPage(FINOTELLO_TPM, { perm: 0, method: "quantiseq" });
    expect(await page.isDisabled("#perm")).toBe(true);
    expect(await page.isDisabled("[data-testid=signature-input]")).toBe(true);
    expect(await tableText()).toBe(plain.out);
    expect(await downloadedTsv()).toBe(plain.out);
    const json = await cli("quantiseq", FINOTELLO_TPM, "-o", join(tmp, "q.json"));
    expect(json.code, json.err).toBe(0);
    expect((await download("download-json")).toString("utf8")).toBe(readFileSync(join(tmp, "q.json"), "utf8"));
    // Four TIL10 genes are found under their current symbols (--gene-match current, the default as in the CLI).
    expect(await page.textContent("[data-testid=coverage]")).toMatch(/Genes used: 153 of 153 signature genes/);
    expect((await page.locator("[data-testid=coverage] li.warn").allTextContents()).sort()).toEqual(pageWarningsOf(plain.err));
    const tumor = await cli("quantiseq", FINOTELLO_TPM, "--tumor", "--no-mrna-scaling");
    expect(tumor.out).not.toBe(plain.out);
    await runInPage(FINOTELLO_TPM, {
      perm: 0,
      method: "quantiseq",
      setup: async () => {
        await page.check("#q-tumor");
        await page.uncheck("#q-mrna");
      },
    });
    expect(await tableText()).toBe(tumor.out);
  }, 120_000);

  it("score methods: ESTIMATE (bundled sets, log2(x+1)) and ssGSEA with a dropped GMT file give `cellfrac score`'s tables", async () => {
    const est = await cli("score", FINOTELLO_TPM, "--method", "estimate", "--transform", "log2p1");
    expect(est.code, est.err).toBe(0);
    await runInPage(FINOTELLO_TPM, { perm: 0, method: "estimate", setup: () => page.selectOption("#transform", "log2p1").then(() => {}) });
    expect(await tableText()).toBe(est.out);
    expect(await page.isHidden("#bars")).toBe(true); // scores: no stacked bars, a heatmap scaled per row
    expect(await page.textContent("#heat-title")).toMatch(/scores/);
    expect(await page.textContent("[data-testid=coverage]")).toMatch(/Genes used \(ESTIMATE common genes\): \d+ of 10412 genes/);
    // The warnings are the CLI's (with its note of renamed genes), once each.
    const cliWarnings = pageWarningsOf(est.err);
    expect(cliWarnings.length).toBeGreaterThan(0);
    expect((await page.locator("[data-testid=coverage] li.warn").allTextContents()).sort()).toEqual(cliWarnings);
    const gmt = join(tmp, "immune.gmt");
    writeFileSync(
      gmt,
      "T_cells\tna\tCD3D\tCD3E\tCD2\tCD8A\nB_cells\tna\tCD19\tMS4A1\tCD79A\nMyeloid\tna\tCD14\tLYZ\tFCGR3A\tCSF1R\tNOT_A_GENE\n",
    );
    const ss = await cli(
      "score",
      FINOTELLO_TPM,
      "--method",
      "ssgsea",
      "--gene-sets",
      gmt,
      "--transform",
      "log2p1",
      "-o",
      join(tmp, "ss.json"),
    );
    expect(ss.code, ss.err).toBe(0);
    const ssTsv = await cli("score", FINOTELLO_TPM, "--method", "ssgsea", "--gene-sets", gmt, "--transform", "log2p1");
    await runInPage(FINOTELLO_TPM, { perm: 0, method: "ssgsea", setup: () => page.getByTestId("geneset-input").setInputFiles(gmt) });
    expect(await page.inputValue("[data-testid=genesets-select]")).toBe("file");
    expect(await tableText()).toBe(ssTsv.out);
    expect((await download("download-json")).toString("utf8")).toBe(readFileSync(join(tmp, "ss.json"), "utf8"));
  }, 120_000);

  it("EPIC with the reference's three files chosen in the page: `cellfrac epic --reference TRef` bit for bit", async () => {
    const epic = await cli("epic", RACLE_TPM, "--reference", "TRef", "--epic-data", EPIC_DIR);
    expect(epic.code, epic.err).toBe(0);
    const files = ["EPIC_TRef_refProfiles.tsv.gz", "EPIC_TRef_refProfiles_var.tsv.gz", "EPIC_TRef_sigGenes.tsv"].map((f) =>
      golden(join(EPIC_DIR, f)),
    );
    await runInPage(RACLE_TPM, { perm: 0, method: "epic", setup: () => page.getByTestId("epic-reference-input").setInputFiles(files) });
    expect(await tableText()).toBe(epic.out);
    expect(await page.textContent("#method-help")).toMatch(/not shipped/);
  }, 120_000);

  it("bad input in the other methods shows the CLI's message: a GMT line without genes, ssGSEA without gene sets, " +
    "EPIC's conflicting options, a negative TPM", async () => {
    const bad = join(tmp, "bad.gmt");
    writeFileSync(bad, "T_cells\tna\tCD3D\tCD3E\nB_cells\tna\n");
    const cases: { cli: string[]; method: string; mixture?: string; setup: () => Promise<void> }[] = [
      {
        cli: ["score", FINOTELLO_TPM, "--method", "mean", "--gene-sets", bad],
        method: "mean",
        setup: () => page.getByTestId("geneset-input").setInputFiles(bad),
      },
      {
        cli: ["score", FINOTELLO_TPM, "--method", "ssgsea"],
        method: "ssgsea",
        setup: () => page.selectOption("#genesets", "").then(() => {}),
      },
      {
        cli: ["epic", RACLE_TPM, "--reference", "TRef", "--epic-data", EPIC_DIR, "--no-mrna-scaling", "--mrna-proportions"],
        method: "epic",
        mixture: RACLE_TPM,
        setup: async () => {
          await page.getByTestId("epic-reference-input").setInputFiles([]);
          await page.uncheck("#e-mrna");
          await page.check("#e-proportions");
        },
      },
      { cli: ["quantiseq", NEGATIVE], method: "quantiseq", mixture: NEGATIVE, setup: async () => {} },
    ];
    for (const c of cases) {
      const r = await cli(...c.cli);
      expect(r.code, r.out).toBeGreaterThan(1);
      const message = r.err.trim().replace(`${tmp}/`, "");
      await runInPage(c.mixture ?? FINOTELLO_TPM, { perm: 0, method: c.method, setup: c.setup, fails: true });
      expect(await page.getByTestId("error").textContent(), c.cli.join(" ")).toBe(message);
      expect(await page.isHidden("#out")).toBe(true);
    }
    await page.getByTestId("method-select").selectOption("epic");
    await page.check("#e-mrna");
    await page.uncheck("#e-proportions");
    // EPIC without its reference files: the page says why it has none of its own.
    await runInPage(RACLE_TPM, { perm: 0, method: "epic", fails: true });
    expect(await page.getByTestId("error").textContent()).toMatch(/^cellfrac: EPIC needs a reference: .*not shipped with cellfrac$/);
  }, 120_000);

  it("keyboard: every control has a label, and Tab from the method select visits the method's enabled controls in order", async () => {
    // The input options every method shares (the HDF5 ones are hidden until an HDF5 file is chosen).
    const input = ["layout", "genes", "sample-names", "na", "gene-match", "value", "tx2gene", "probe-map", "collapse"];
    const order: Record<string, string[]> = {
      cibersort: ["signature", "perm", "seed", "qn", "solver", "absolute", "scale", "duplicates", ...input],
      quantiseq: ["q-tumor", "q-arrays", "q-mrna", "scale", "duplicates", ...input],
      epic: ["epic-reference", "e-other", "e-mrna", "e-proportions", "scale", "duplicates", ...input],
      ssgsea: ["genesets", "geneset-file", "set-column", "gene-column", "transform", "normalize", "duplicates", ...input],
      mcpcounter: ["genesets", "geneset-file", "set-column", "gene-column", "transform", "duplicates", ...input],
    };
    const unlabeled = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLInputElement>("form input, form select, form button"))
        .filter((c) => !(c.labels?.length || c.getAttribute("aria-label") || c.textContent?.trim()))
        .map((c) => c.id),
    );
    expect(unlabeled).toEqual([]);
    for (const [method, ids] of Object.entries(order)) {
      await page.getByTestId("method-select").selectOption(method);
      await page.getByTestId("method-select").focus();
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press("Tab");
        const id = await page.evaluate(() => document.activeElement?.id ?? "");
        if (id === "run") break;
        seen.push(id);
      }
      expect(seen, method).toEqual(ids);
    }
    // Space toggles a focused checkbox; Enter on Run submits (the bad-mixture test below runs from the keyboard).
    await page.getByTestId("method-select").selectOption("quantiseq");
    await page.focus("#q-arrays");
    await page.keyboard.press("Space");
    expect(await page.isChecked("#q-arrays")).toBe(true);
    await page.keyboard.press("Space");
    expect(await page.isChecked("#q-arrays")).toBe(false);
  });

  it("Parquet mixtures (SNAPPY, GZIP, ZSTD) give the tables of their TSVs, and a null cell the CLI's message", async () => {
    const fixture = (f: string) => new URL(`fixtures/parquet/${f}`, import.meta.url).pathname;
    const lm22 = new URL("../data/LM22.tsv", import.meta.url).pathname;
    const full = await cli("cibersort", lm22, "--perm", "0", "--threads", "1");
    expect(full.code, full.err).toBe(0);
    await runInPage(fixture("lm22-snappy-dict-v1.parquet"), { perm: 0 });
    expect(await tableText()).toBe(full.out);
    // The GZIP fixture holds LM22's first 160 genes (test/fixtures/parquet/README.md).
    const head = join(tmp, "lm22-160.tsv");
    writeFileSync(head, `${readFileSync(lm22, "utf8").split("\n").slice(0, 161).join("\n")}\n`);
    const part = await cli("nnls", head);
    expect(part.code, part.err).toBe(0);
    await runInPage(fixture("lm22-gzip-dict-v2-rowgroups.parquet"), { perm: 0, method: "nnls" });
    expect(await tableText()).toBe(part.out);
    // ZSTD (DuckDB; LM22's first 100 genes): hyparquet-compressors in the worker, as in Node.
    const head100 = join(tmp, "lm22-100.tsv");
    writeFileSync(head100, `${readFileSync(lm22, "utf8").split("\n").slice(0, 101).join("\n")}\n`);
    const zstd = await cli("nnls", head100);
    expect(zstd.code, zstd.err).toBe(0);
    await runInPage(fixture("duckdb-lm22-zstd.parquet"), { perm: 0, method: "nnls" });
    expect(await tableText()).toBe(zstd.out);
    const bad = await cli("nnls", fixture("null-cell.parquet"));
    expect(bad.code).toBe(3);
    await runInPage(fixture("null-cell.parquet"), { perm: 0, method: "nnls", fails: true });
    expect(await page.getByTestId("error").textContent()).toBe(bad.err.trim().replace(fixture(""), ""));
  }, 120_000);

  it("an AnnData .h5ad (h5wasm in the run worker) gives the table of its TSV; " +
    "an HDF5 file of unknown layout the CLI's message", async () => {
    const fixture = (f: string) => new URL(`fixtures/hdf5/${f}`, import.meta.url).pathname;
    const tsv = await cli("nnls", fixture("mixture.tsv"));
    expect(tsv.code, tsv.err).toBe(0);
    await runInPage(fixture("dense-f32.h5ad"), { perm: 0, method: "nnls" });
    expect(await tableText()).toBe(tsv.out);
    const bad = await cli("nnls", fixture("unknown.h5"));
    expect(bad.code).toBe(3);
    await runInPage(fixture("unknown.h5"), { perm: 0, method: "nnls", fails: true });
    expect(await page.getByTestId("error").textContent()).toBe(bad.err.trim().replace(fixture(""), ""));
  }, 180_000);

  it("a run makes no request outside 127.0.0.1, and the CSP refuses a connection elsewhere (securitypolicyviolation)", async () => {
    await runInPage(LM6.input, { perm: 10, seed: 5, signature: LM6.signature }); // 15 fits: enough for the fit workers
    expect(requests.some((u) => u.endsWith("/build/cellfrac.wasm"))).toBe(true);
    expect(requests.some((u) => u.endsWith("/browser/fit-worker.js"))).toBe(true); // worker requests are seen
    const foreign = requests.filter((u) => !/^http:\/\/127\.0\.0\.1:\d+\//.test(u) && !u.startsWith("blob:") && !u.startsWith("data:"));
    expect(foreign).toEqual([]);
    // The fetch would fail without a CSP too (nothing answers there): what shows the CSP is the violation
    // event the browser fires when the policy, not the network, refuses the connection.
    const [violation, fetched] = await page.evaluate(async () => {
      const after = (ms: number, v: string) => new Promise<string>((ok) => setTimeout(() => ok(v), ms));
      const seen = new Promise<string>((ok) =>
        document.addEventListener("securitypolicyviolation", (e) => ok(`${e.effectiveDirective} ${e.blockedURI}`), { once: true }),
      );
      const result = fetch("http://10.255.255.1/").then(
        () => "fetched",
        (e) => String(e),
      );
      return [
        await Promise.race([seen, after(5_000, "no securitypolicyviolation")]),
        await Promise.race([result, after(5_000, "pending")]),
      ];
    });
    expect(violation).toMatch(/^connect-src http:\/\/10\.255\.255\.1\/?$/);
    expect(fetched).toBe("TypeError: Failed to fetch");
    const res = await fetch(`${origin}/`);
    expect(res.headers.get("content-security-policy")).toMatch(/connect-src 'self'/);
    expect(res.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
  }, 120_000);

  it("without cross-origin isolation (a plain static host) the fit workers get transferred buffers: the same bits", async () => {
    const plain = await startServer({ port: 0, isolate: false });
    const p2 = await context.newPage();
    try {
      await p2.goto(plain.url);
      await p2.waitForSelector("body[data-ready]");
      expect(await p2.evaluate(() => crossOriginIsolated)).toBe(false);
      const node = toResultsTable(await cibersort(LM6.input, { signature: LM6.signature, perm: 10, seed: 5, threads: 1 }));
      await p2.getByTestId("mixture-input").setInputFiles(LM6.input);
      await p2.getByTestId("signature-input").setInputFiles(LM6.signature);
      await p2.fill("#perm", "10");
      await p2.fill("#seed", "5");
      await p2.getByTestId("run").click();
      await p2.waitForSelector("body[data-state=done], body[data-state=failed]", { timeout: 240_000 });
      expect(await p2.textContent("#summary")).toMatch(/on \d+ fit workers \(transferred buffers\)/);
      const rows = await p2
        .getByTestId("results")
        .locator("tr")
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? "").join("\t")));
      expect(`${rows.join("\n")}\n`).toBe(node);
    } finally {
      await p2.close();
      await plain.close();
    }
  }, 300_000);

  it("cancel stops a running job and leaves the page ready for the next", async () => {
    await page.getByTestId("method-select").selectOption("cibersort");
    await page.getByTestId("mixture-input").setInputFiles(GSE.input);
    await page.getByTestId("signature-input").setInputFiles([]);
    // Workers that Playwright lists and that answer within 3 s. (Playwright can miss the detach of a nested
    // fit worker whose parent, the run worker, was terminated first, so its list alone can keep a dead one.)
    const answering = async () => {
      const answers = await Promise.all(
        page
          .workers()
          .map((w) => Promise.race([w.evaluate(() => 1).catch(() => 0), new Promise<number>((ok) => setTimeout(() => ok(0), 3_000))])),
      );
      return answers.filter((a) => a === 1).length;
    };
    await page.fill("#perm", "5000");
    await page.getByTestId("run").click();
    await expect
      .poll(() => page.getByTestId("progress").evaluate((p) => (p as HTMLProgressElement).position), { timeout: 60_000 })
      .toBeGreaterThan(0);
    expect(await page.getByTestId("cancel").isEnabled()).toBe(true);
    // The probe sees live workers: at least the run worker, idle while it waits for fits, answers (busy fit
    // workers may not within 3 s; once their run worker is gone they would be idle, and answer).
    expect(await answering()).toBeGreaterThanOrEqual(1);
    await page.getByTestId("cancel").click();
    expect(await page.textContent("#status")).toBe("Cancelled.");
    expect(await page.getByTestId("run").isEnabled()).toBe(true);
    expect(await page.getByTestId("cancel").isDisabled()).toBe(true);
    expect(await page.isHidden("#out")).toBe(true);
    await expect.poll(answering, { timeout: 10_000 }).toBe(0);
  }, 120_000);

  it("a bad mixture shows the CLI's message in the error box", async () => {
    const text = "GeneSymbol\tS1\tS2\nCD8A\t1.5\t2\nCD4\t3\tabc\n";
    let expected = "";
    try {
      parseMatrix(text, { what: "mixture", name: "bad.tsv" });
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expected = `cellfrac: error: ${(e as Error).message}`;
    }
    expect(expected).toMatch(/bad\.tsv:3:3/);
    await page.getByTestId("method-select").selectOption("cibersort");
    // Dropped on the mixture box this time, and run from the keyboard.
    await page.locator("#drop-zone").evaluate((zone, t) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], "bad.tsv", { type: "text/tab-separated-values" }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, text);
    expect(await page.getByTestId("mixture-input").evaluate((i) => (i as HTMLInputElement).files?.[0]?.name)).toBe("bad.tsv");
    await page.fill("#perm", "0");
    await page.getByTestId("run").focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-state=failed]", { timeout: 60_000 });
    expect(await page.getByTestId("error").textContent()).toBe(expected);
    expect(await page.getByTestId("error").getAttribute("role")).toBe("alert");
    expect(await page.isHidden("#out")).toBe(true);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, "browser-e2e-error.png") });
  }, 120_000);
  it("several Salmon files (one per sample, merged by gene) and a gzipped GEO series matrix: the CLI's table", async () => {
    const quant = new URL("./fixtures/quant/", import.meta.url).pathname;
    const dir = mkdtempSync(join(tmp, "salmon-"));
    // The page sees file names only: S1.quant.sf names its sample S1 (as the CLI does).
    const salmon = ["S1", "S2", "S3"].map((s) => {
      const f = join(dir, `${s}.quant.sf`);
      copyFileSync(join(quant, `salmon/${s}/quant.sf`), f);
      return f;
    });
    const ref = await cli("nnls", ...salmon, "-q");
    expect(ref.code, ref.err).toBe(0);
    await runInPage(salmon, { perm: 0, method: "nnls" });
    expect(await tableText()).toBe(ref.out);
    const geo = join(quant, "geo/GSE1000_series_matrix.txt.gz");
    const g = await cli("nnls", geo, "-q");
    expect(g.code, g.err).toBe(0);
    await runInPage(geo, { perm: 0, method: "nnls" });
    expect(await tableText()).toBe(g.out);
  }, 120_000);
});
