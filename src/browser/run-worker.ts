// The page's run worker (comlink): reads the inputs, runs the chosen method and serialises the result
// with the CLI's own writers. CIBERSORT does the cohort-wide pass (prepare, permutation draws) here and
// hands the fits to a pool of fit workers; the other methods (NNLS, quanTIseq, EPIC, the score methods)
// run in this worker. Everything heavy stays off the page's thread; cancelling a run is terminating this
// worker (its fit workers go with it).
import { expose, type ProxyMarked } from "comlink";
import "./host.js";
import { InputError, RunError, UsageError, withRole } from "../core/errors.js";
import { renamedNote, resultText } from "../core/formats/results.js";
import { BUILTIN_GENE_SETS, builtinGeneSetName, parseGeneSets } from "../core/genesets.js";
import { ensemblStableId, GENE_TABLE_FILE, geneTableLoaded, useGeneTable } from "../core/genes.js";
import { type EpicReference, parseEpicGeneList, validateReference } from "../core/methods/epic.js";
import { ESTIMATE_COMMON_GENES_FILE, parseEstimateCommonGenes } from "../core/methods/estimate.js";
import { TIL10_FILES, til10FromTexts } from "../core/methods/quantiseq.js";
import type { Coverage, MethodTable } from "../core/methods/types.js";
import { type MethodHost, type NamedBytes, methodByName, type OptionValue, parseOptions } from "../core/registry.js";
import { browserFitRunner, defaultWorkers, type BrowserPoolInfo } from "./pool.js";
import { gunzipIfNeeded, parseMatrixBytes, parseMatrixFile } from "./parse.js";
import { combineMixtures, droppedSignatureGenes, hdf5Options, mixtureReadOptions, quantOptions } from "../core/mixtures.js";
import { isStandardQuantName, parseIdMap } from "../core/formats/quant.js";

export type InputFile = NamedBytes;
/** A chosen mixture file: read here (HDF5 in place, never copied whole); `name` is its folder path when a folder was chosen. */
export interface MixtureFile {
  name: string;
  file: Blob;
}

export interface RunRequest {
  /** A registry method (src/core/registry.ts). */
  method: string;
  /** One file, or several merged by gene (src/core/mixtures.ts). */
  mixture: MixtureFile | MixtureFile[];
  /** The method's options as the form gives them (keys: option keys); the registry checks them. */
  options: Record<string, unknown>;
  /** Fit workers (default: hardware concurrency). */
  workers?: number;
  /** A fit-worker failure to inject (core/cibersort/faults.ts): set only by the page's tests. */
  testFault?: string;
}

export interface RunResult {
  ok: true;
  /** The CLI's output text (TSV) and JSON for this method, byte for byte. */
  table: string;
  json: string;
  /** "fractions" (deconvolution: stacked bars and a 0..max heatmap) or "scores" (heatmap scaled per row). */
  kind: "fractions" | "scores";
  /** What ran, for the summary line (e.g. "CIBERSORT (exact solver, 100 permutations)"). */
  label: string;
  samples: string[];
  /** The estimate columns: cell types or gene sets. */
  cellTypes: string[];
  /** The table's columns after the first (estimates, then fit columns such as P-value or RMSE). */
  columns: string[];
  /** The table's numbers, samples × columns row-major (the same doubles the TSV prints). */
  values: Float64Array;
  /** Estimates, samples × cell types row-major. */
  fractions: Float64Array;
  warnings: string[];
  /** Gene coverage per signature / gene set (`missing`: every gene absent from the mixture). */
  coverage: Coverage[];
  /** Whether the mixture was anti-logged (CIBERSORT; other methods say so in a warning). */
  antilog?: boolean;
  workers: number;
  shared: boolean;
  ms: number;
}

/** A failure, worded as the CLI prints it (`cellfrac: error: …` for bad input, exit code 3). */
export interface RunFailure {
  ok: false;
  kind: "input" | "usage" | "run" | "internal";
  message: string;
}

export type ProgressFn = ((done: number, total: number) => void) & ProxyMarked;

/** The page's bundled data (dist/web/data: copies of data/ made by scripts/build-page.mjs). */
const DATA_URL = new URL("../../data/", import.meta.url);

async function fetchData(path: string, what: string): Promise<Uint8Array> {
  const res = await fetch(new URL(path, DATA_URL));
  if (!res.ok) throw new Error(`the bundled ${what} could not be loaded (${res.status} ${res.statusText})`);
  return new Uint8Array(await res.arrayBuffer());
}
const fetchText = async (path: string, what: string) => new TextDecoder().decode(await fetchData(path, what));

/** The bundled gene table (genes.ts), fetched and inflated once: the core has no synchronous gunzip here. */
async function loadGeneTable(): Promise<void> {
  if (geneTableLoaded()) return;
  useGeneTable(await gunzipIfNeeded(await fetchData(GENE_TABLE_FILE, "gene table"), GENE_TABLE_FILE));
}

export const runWorkerApi = {
  async run(req: RunRequest, onProgress?: ProgressFn): Promise<RunResult | RunFailure> {
    const t0 = performance.now();
    try {
      const method = methodByName(req.method);
      const v = parseOptions(method, req.options, "page");
      // Warnings of reading the inputs; the methods' own come back in their table (MethodTable.warnings).
      const warnings: string[] = [];
      const onWarning = (m: string) => warnings.push(m);
      const files = Array.isArray(req.mixture) ? req.mixture : [req.mixture];
      const mixtureName = files.map((f) => f.name).join(", ");
      checkSampleNaming(files, v.sampleNames);
      // Read and combined as `cellfrac <method> FILE…` reads them (src/node/mixtures.ts): the same core steps.
      const maps = { tx2gene: await idMap(v.tx2gene as InputFile | undefined), probeMap: await idMap(v.probeMap as InputFile | undefined) };
      const used = new Set<string>();
      const quant = { ...quantOptions(v, maps, onWarning), onUse: (o: string) => used.add(o) };
      const read = mixtureReadOptions(v, quant, onWarning, hdf5Options(v));
      const parts = [];
      for (const f of files) parts.push({ name: f.name, matrix: await parseMatrixFile(f.file, { ...read, name: f.name }) });
      // Ensembl gene IDs are mapped to symbols and genes meet under other names, as in the CLI.
      const ids = parts.some((p) => p.matrix.rows.some((g) => ensemblStableId(g) !== undefined));
      if (ids || v.geneMatch !== "exact") await loadGeneTable();
      const { matrix: mix, dropped } = combineMixtures(parts, v, used, onWarning);
      const info: BrowserPoolInfo = { workers: 0, shared: false };
      const host = browserHost(onWarning, browserFitRunner(req.workers ?? defaultWorkers(), info, req.testFault));
      const progress = onProgress ? (d: number, t: number) => void onProgress(d, t) : undefined;
      const out = await method.run(mix, v, { host, onProgress: progress, mixtureName });
      const droppedNote = droppedSignatureGenes(dropped, out.table.coverage);
      if (droppedNote) warnings.push(droppedNote);
      const renamed = renamedNote(out.table);
      if (renamed) warnings.push(renamed);
      return {
        ...fromTable(out.table, warnings, method.kind),
        table: resultText(out, "tsv"),
        json: resultText(out, "json"),
        label: method.describe?.(v) ?? method.title,
        antilog: out.cibersort?.diagnostics.antilog,
        workers: info.workers,
        shared: info.shared,
        ms: performance.now() - t0,
      };
    } catch (e) {
      if (e instanceof InputError) return { ok: false, kind: "input", message: `cellfrac: error: ${e.message}` };
      if (e instanceof UsageError) return { ok: false, kind: "usage", message: `cellfrac: ${e.message}` };
      if (e instanceof RunError) return { ok: false, kind: "run", message: `cellfrac: error: ${e.message}` };
      return { ok: false, kind: "internal", message: `cellfrac: internal error: ${(e as Error)?.message ?? String(e)}` };
    }
  },
};

/**
 * Files named only by their tool (quant.sf, abundance.tsv, …) are named by their folder, which the page sees
 * only when a folder is chosen: two such files without one would collide, so they are refused, never renamed.
 */
function checkSampleNaming(files: readonly MixtureFile[], names: OptionValue): void {
  if (typeof names === "string" && names !== "title") return;
  const seen = new Map<string, number>();
  for (const f of files) if (!f.name.includes("/") && isStandardQuantName(f.name)) seen.set(f.name, (seen.get(f.name) ?? 0) + 1);
  const [name, n] = [...seen].find(([, k]) => k > 1) ?? [];
  if (name === undefined) return;
  throw new UsageError(
    `${n} files named ${name} without their folders: such files are named by their folder (S1/${name} is sample S1), ` +
      `which the page sees only when you choose the folder: choose the folder that holds the samples' folders with ` +
      `"Mixture folder", or name the samples in "Sample names" (A,B,… in the order of the files)`,
  );
}

/** A chosen ID table (--tx2gene, --probe-map) read as the CLI reads it. */
async function idMap(ref: InputFile | undefined): Promise<Map<string, string> | undefined> {
  if (ref === undefined) return undefined;
  return parseIdMap(new TextDecoder("utf-8").decode(await gunzipIfNeeded(ref.bytes, ref.name)), ref.name);
}

/** The page's host for the registry: bundled data fetched from the page's data folder, chosen files as bytes. */
function browserHost(onWarning: (m: string) => void, fitRunner: MethodHost["fitRunner"]): MethodHost {
  return {
    bundledSignature: async (key) => {
      const path = key === "TIL10" ? `til10/${TIL10_FILES.signature}` : `${key}.tsv`;
      return parseMatrixBytes(await fetchData(path, `${key} signature`), { what: "signature", name: key });
    },
    signatureFile: async (ref) => {
      if (typeof ref === "string") throw new UsageError(`choose the signature file "${ref}" in the page`);
      return parseMatrixBytes(ref.bytes, { what: "signature", name: ref.name });
    },
    geneSets: (ref, columns) => geneSets(ref, columns, onWarning),
    epicReference: (ref) => epicReference(ref),
    til10,
    estimateCommonGenes: async () =>
      parseEstimateCommonGenes(await fetchText(`genesets/${ESTIMATE_COMMON_GENES_FILE}`, "ESTIMATE common genes")),
    fitRunner,
  };
}

/** quanTIseq's bundled TIL10 (fetched from the page's data folder). */
async function til10() {
  const dir = "til10/";
  const [sigBytes, mRNAScaling, rmGenes, aberrantGenes] = await Promise.all([
    fetchData(dir + TIL10_FILES.signature, "TIL10 signature"),
    fetchText(dir + TIL10_FILES.mRNAScaling, "TIL10 mRNA scaling"),
    fetchText(dir + TIL10_FILES.rmGenes, "TIL10 gene list"),
    fetchText(dir + TIL10_FILES.aberrantGenes, "TIL10 gene list"),
  ]);
  const signature = await parseMatrixBytes(sigBytes, { what: "signature", name: TIL10_FILES.signature });
  return til10FromTexts(signature, { mRNAScaling, rmGenes, aberrantGenes });
}

/** Which file of an EPIC reference directory a chosen file is (by the names `cellfrac epic` looks for). */
const EPIC_PARTS = [
  { key: "variability", re: /refProfiles_var\.tsv(\.gz)?$/i, want: "refProfiles_var.tsv[.gz]" },
  { key: "profiles", re: /refProfiles\.tsv(\.gz)?$/i, want: "refProfiles.tsv[.gz]" },
  { key: "sigGenes", re: /sigGenes\.tsv(\.gz)?$/i, want: "sigGenes.tsv" },
] as const;

/** `cellfrac epic --reference <dir>` with the reference's three files chosen in the page. */
async function epicReference(ref: string | InputFile | readonly InputFile[]): Promise<EpicReference> {
  const chosen = typeof ref === "string" ? [] : "bytes" in ref ? [ref as InputFile] : (ref as readonly InputFile[]);
  if (chosen.length === 0) {
    throw new UsageError(
      "EPIC needs a reference: choose its three files (refProfiles.tsv[.gz], refProfiles_var.tsv[.gz], sigGenes.tsv); " +
        "EPIC's TRef/BRef are licensed for academic non-commercial use and not shipped with cellfrac",
    );
  }
  const files: Partial<Record<(typeof EPIC_PARTS)[number]["key"], InputFile>> = {};
  for (const f of chosen) {
    const part = EPIC_PARTS.find((p) => p.re.test(f.name));
    if (!part) throw new UsageError(`EPIC reference: "${f.name}" is none of refProfiles.tsv[.gz], refProfiles_var.tsv[.gz], sigGenes.tsv`);
    if (files[part.key]) throw new UsageError(`EPIC reference: two files for ${part.want} ("${files[part.key]!.name}", "${f.name}")`);
    files[part.key] = f;
  }
  const missing = EPIC_PARTS.filter((p) => !files[p.key]).map((p) => p.want);
  if (missing.length) throw new UsageError(`EPIC reference: no ${missing.join(", ")} among the chosen files`);
  const profiles = await parseMatrixBytes(files.profiles!.bytes, { what: "signature", name: files.profiles!.name });
  const variability = await parseMatrixBytes(files.variability!.bytes, { what: "signature", name: files.variability!.name });
  const sigGenes = parseEpicGeneList(new TextDecoder().decode(await gunzipIfNeeded(files.sigGenes!.bytes, files.sigGenes!.name)));
  // Named as `cellfrac epic` names it: TRef/BRef for EPIC's own files (EPIC_TRef_…), else the file stem.
  const stem = files.profiles!.name.replace(/_?refProfiles\.tsv(\.gz)?$/i, "");
  const reference: EpicReference = {
    name: /^EPIC_(TRef|BRef)$/i.exec(stem)?.[1] ?? (stem || "reference"),
    profiles,
    variability,
    sigGenes,
  };
  validateReference(reference);
  return reference;
}

/** A bundled collection or a chosen GMT/TSV file, read as `cellfrac score --gene-sets` reads it. */
async function geneSets(ref: string | InputFile, columns: { setColumn?: string; geneColumn?: string }, onWarning: (m: string) => void) {
  if (typeof ref === "string") {
    const key = builtinGeneSetName(ref);
    if (!key) throw new UsageError(`unknown bundled gene sets "${ref}" (ESTIMATE, MCPcounter, Danaher)`);
    const b = BUILTIN_GENE_SETS[key];
    const text = await fetchText(`genesets/${b.file}`, `${key} gene sets`);
    const setColumn = columns.setColumn ?? b.setColumn;
    return parseGeneSets(text, { setColumn, geneColumn: columns.geneColumn ?? b.geneColumn, name: key, format: "tsv", onWarning });
  }
  const gmt = /\.gmt(\.gz)?$/i.test(ref.name);
  try {
    const text = new TextDecoder("utf-8").decode(await gunzipIfNeeded(ref.bytes, ref.name));
    return parseGeneSets(text, { ...columns, name: ref.name, format: gmt ? "gmt" : "tsv", onWarning });
  } catch (e) {
    throw withRole(e, "gene sets"); // as the CLI's messages (src/node/genesets.ts)
  }
}

/** A method's table as the page's result (the numbers row-major for the charts). */
function fromTable(t: MethodTable, readWarnings: string[], kind: RunResult["kind"]) {
  const S = t.values.rows.length;
  const C = t.values.cols.length;
  const T = t.estimateColumns;
  const values = new Float64Array(S * C);
  for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) values[s * C + c] = t.values.data[s + c * S];
  const fractions = new Float64Array(S * T);
  for (let s = 0; s < S; s++) fractions.set(values.subarray(s * C, s * C + T), s * T);
  return {
    ok: true as const,
    kind,
    columns: t.values.cols,
    values,
    samples: t.values.rows,
    cellTypes: t.values.cols.slice(0, T),
    fractions,
    warnings: [...readWarnings, ...t.warnings],
    coverage: t.coverage,
  };
}

export type RunWorkerApi = typeof runWorkerApi;

expose(runWorkerApi);
