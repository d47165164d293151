// The page's run worker (comlink): reads the inputs, runs the chosen method and serialises the result
// with the CLI's own writers. CIBERSORT does the cohort-wide pass (prepare, permutation draws) here and
// hands the fits to a pool of fit workers; the other methods (NNLS, quanTIseq, EPIC, the score methods)
// run in this worker. Everything heavy stays off the page's thread; cancelling a run is terminating this
// worker (its fit workers go with it).
import { expose, type ProxyMarked } from "comlink";
import { preloadData } from "./host.js";
import { cibersort } from "../core/cibersort/index.js";
import { toResultsJSON, toResultsTable } from "../core/cibersort/output.js";
import type { AbsMethod, ScaleMode } from "../core/cibersort/types.js";
import { InputError, UsageError } from "../core/errors.js";
import { BUILTIN_GENE_SETS, GENESETS_FOLDER, type GeneSet, builtinGeneSetName } from "../core/genesets.js";
import { bundledGeneSets, geneSetFormat, parseGeneSets } from "../core/genesets.js";
import type { DuplicatePolicy } from "../core/formats/read.js";
import { ENSEMBL_TABLE_FILE, ensemblStableId, toSymbols } from "../core/genes.js";
import { host } from "../core/host.js";
import type { Matrix } from "../core/matrix.js";
import { cibersortTable } from "../core/methods/cibersort.js";
import { EPIC_MRNA_CELL, type EpicReference, epicDeconvolve, parseEpicGeneList, validateReference } from "../core/methods/epic.js";
import { ESTIMATE_COMMON_GENES_FILE } from "../core/methods/estimate.js";
import { nnls } from "../core/methods/nnls.js";
import { TIL10_FILES, TIL10_FOLDER, loadTil10, quantiseqDeconvolve } from "../core/methods/quantiseq.js";
import { SCORE_METHODS, type ScoreMethod, runScoreMethod, scoreTableJson, scoreTableTsv } from "../core/methods/score.js";
import type { ScoreTransform } from "../core/methods/scorekit.js";
import type { Coverage, MethodTable } from "../core/methods/types.js";
import { browserFitRunner, defaultWorkers, type BrowserPoolInfo } from "./pool.js";
import { gunzipIfNeeded, parseMatrixBytes } from "./parse.js";

export interface InputFile {
  name: string;
  bytes: Uint8Array;
}

export const DECONV_METHODS = ["cibersort", "nnls", "quantiseq", "epic"] as const;
export type PageMethod = (typeof DECONV_METHODS)[number] | ScoreMethod;

export interface RunRequest {
  /** The page's method select: a deconvolution method or a `cellfrac score --method` method. */
  method: PageMethod;
  mixture: InputFile;
  /** CIBERSORT and NNLS; absent: the bundled LM22. */
  signature?: InputFile;
  perm: number;
  seed: number;
  qn: boolean;
  /** CIBERSORT's ν-SVR solver: libsvm (R-identical, default) or exact (the true optimum). */
  solver: "libsvm" | "exact";
  absolute: AbsMethod | false;
  /** CIBERSORT, NNLS, quanTIseq, EPIC (`--scale`). */
  scale: ScaleMode;
  duplicates: DuplicatePolicy;
  /** `cellfrac quantiseq` options. */
  quantiseq?: { tumor: boolean; arrays: boolean; mrnaScaling: boolean };
  /** `cellfrac epic` options; `reference` holds the files of a reference directory (profiles, variability, sigGenes). */
  epic?: { reference: InputFile[]; otherCells: boolean; mrnaScaling: boolean; mrnaProportions: boolean };
  /** `cellfrac score` options; `geneSets` is a bundled name (ESTIMATE, MCPcounter, Danaher), a file, or absent (the method's default). */
  score?: { geneSets?: string | InputFile; setColumn?: string; geneColumn?: string; transform: ScoreTransform; normalize: boolean };
  /** Fit workers (default: hardware concurrency). */
  workers?: number;
}

export interface RunResult {
  ok: true;
  /** The CLI's output text (TSV) and JSON for this method, byte for byte. */
  table: string;
  json: string;
  /** "fractions" (deconvolution: stacked bars and a 0..max heatmap) or "scores" (heatmap scaled per row). */
  kind: "fractions" | "scores";
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
  kind: "input" | "usage" | "internal";
  message: string;
}

export type ProgressFn = ((done: number, total: number) => void) & ProxyMarked;

async function signatureFile(req: RunRequest): Promise<InputFile> {
  if (req.signature) return req.signature;
  await preloadData(["LM22.tsv"]);
  return { name: "LM22", bytes: host().dataFile("LM22.tsv") };
}

const isMethod = (m: unknown): m is PageMethod => (DECONV_METHODS as readonly unknown[]).includes(m) || (SCORE_METHODS as readonly unknown[]).includes(m);

export const runWorkerApi = {
  async run(req: RunRequest, onProgress?: ProgressFn): Promise<RunResult | RunFailure> {
    const t0 = performance.now();
    try {
      if (!isMethod(req.method)) throw new UsageError(`unknown method "${String(req.method)}"`);
      // Warnings of reading the inputs; the methods' own come back in their table (MethodTable.warnings).
      const warnings: string[] = [];
      const onWarning = (m: string) => warnings.push(m);
      const progress = onProgress ? (d: number, t: number) => void onProgress(d, t) : undefined;
      let mix = await parseMatrixBytes(req.mixture.bytes, { what: "mixture", name: req.mixture.name, duplicates: req.duplicates, onWarning });
      let out: Omit<RunResult, "ms">;
      switch (req.method) {
        case "cibersort":
          // Ensembl gene IDs are mapped to symbols, as `cellfrac cibersort` does.
          if (mix.rows.some((g) => ensemblStableId(g) !== undefined)) {
            await preloadData([ENSEMBL_TABLE_FILE]);
            mix = toSymbols(mix, { duplicates: req.duplicates, onWarning });
          }
          out = await runCibersort(mix, req, warnings, progress);
          break;
        case "nnls": {
          const sig = await signatureFile(req);
          const signature = await parseMatrixBytes(sig.bytes, { what: "signature", name: sig.name });
          out = fromTable(await nnls.run(mix, { signature, signatureName: sig.name, scale: req.scale, onProgress: progress }), warnings);
          break;
        }
        case "quantiseq":
          out = fromTable(await runQuantiseq(mix, req), warnings);
          break;
        case "epic":
          out = fromTable(await runEpic(mix, req), warnings);
          break;
        default:
          out = fromTable(await runScore(req.method, mix, req, onWarning), warnings, "scores");
      }
      return { ...out, ms: performance.now() - t0 };
    } catch (e) {
      if (e instanceof InputError) return { ok: false, kind: "input", message: `cellfrac: error: ${e.message}` };
      if (e instanceof UsageError) return { ok: false, kind: "usage", message: `cellfrac: ${e.message}` };
      return { ok: false, kind: "internal", message: `cellfrac: internal error: ${(e as Error)?.message ?? String(e)}` };
    }
  },
};

async function runCibersort(mix: Matrix, req: RunRequest, warnings: string[], progress?: (d: number, t: number) => void): Promise<Omit<RunResult, "ms">> {
  const sigFile = await signatureFile(req);
  const sig = await parseMatrixBytes(sigFile.bytes, { what: "signature", name: sigFile.name });
  const info: BrowserPoolInfo = { workers: 0, shared: false };
  const res = await cibersort(
    mix,
    sig,
    {
      perm: req.perm,
      seed: req.seed,
      qn: req.qn,
      absolute: req.absolute,
      scale: req.scale,
      solver: req.solver,
      names: { mixture: req.mixture.name, signature: sigFile.name },
      onProgress: progress,
    },
    undefined,
    browserFitRunner(req.workers ?? defaultWorkers(), info),
  );
  const t = cibersortTable(res);
  const { used, total, missing } = res.diagnostics.signatureCoverage;
  t.coverage = [{ name: sigFile.name, found: used, total, missing }];
  t.warnings = [...warnings, ...res.warnings];
  return { ...fromTable(t, [], "fractions", toResultsTable(res), toResultsJSON(res)), antilog: res.diagnostics.antilog, workers: info.workers, shared: info.shared };
}

/** `cellfrac quantiseq` on the bundled TIL10 (fetched from the data folder beside the page). */
async function runQuantiseq(mix: Matrix, req: RunRequest): Promise<MethodTable> {
  const o = req.quantiseq ?? { tumor: false, arrays: false, mrnaScaling: true };
  await preloadData(Object.values(TIL10_FILES).map((f) => TIL10_FOLDER + f));
  const til10 = loadTil10();
  return quantiseqDeconvolve(mix, { til10, tumor: o.tumor, arrays: o.arrays, scaleMRNA: o.mrnaScaling, scale: req.scale });
}

/** Which file of an EPIC reference directory a chosen file is (by the names `cellfrac epic` looks for). */
const EPIC_PARTS = [
  { key: "variability", re: /refProfiles_var\.tsv(\.gz)?$/i, want: "refProfiles_var.tsv[.gz]" },
  { key: "profiles", re: /refProfiles\.tsv(\.gz)?$/i, want: "refProfiles.tsv[.gz]" },
  { key: "sigGenes", re: /sigGenes\.tsv(\.gz)?$/i, want: "sigGenes.tsv" },
] as const;

/** `cellfrac epic --reference <dir>` with the reference's three files chosen in the page. */
async function runEpic(mix: Matrix, req: RunRequest): Promise<MethodTable> {
  const o = req.epic;
  // In `cellfrac epic`'s order: the option conflict first, then the reference.
  if (o?.mrnaScaling === false && o.mrnaProportions) throw new UsageError("--no-mrna-scaling and --mrna-proportions give the same numbers; use one");
  if (!o || o.reference.length === 0) {
    throw new UsageError("EPIC needs a reference: choose its three files (refProfiles.tsv[.gz], refProfiles_var.tsv[.gz], sigGenes.tsv); EPIC's TRef/BRef are licensed for academic non-commercial use and not shipped with cellfrac");
  }
  const files: Partial<Record<(typeof EPIC_PARTS)[number]["key"], InputFile>> = {};
  for (const f of o.reference) {
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
  const reference: EpicReference = { name: /^EPIC_(TRef|BRef)$/i.exec(stem)?.[1] ?? (stem || "reference"), profiles, variability, sigGenes };
  validateReference(reference);
  return epicDeconvolve(mix, {
    reference,
    withOtherCells: o.otherCells,
    mRNACell: o.mrnaScaling ? EPIC_MRNA_CELL : { default: 1 },
    mRNAProportions: o.mrnaProportions,
    scale: req.scale,
  });
}

/** Methods with a bundled default gene-set collection (as `cellfrac score`). */
const DEFAULT_SETS: Partial<Record<ScoreMethod, string>> = { mcpcounter: "MCPcounter", estimate: "ESTIMATE" };

/** `cellfrac score --method M` with a bundled collection or a chosen GMT/TSV file; `onWarning` hears the gene-set reader. */
async function runScore(method: ScoreMethod, mix: Matrix, req: RunRequest, onWarning: (m: string) => void): Promise<MethodTable> {
  const o = req.score ?? { transform: "none" as const, normalize: true };
  const spec = o.geneSets ?? DEFAULT_SETS[method];
  if (spec === undefined) throw new UsageError(`--method ${method} needs --gene-sets (a .gmt/.tsv file, ESTIMATE, MCPcounter or Danaher)`);
  if (!o.normalize && method !== "ssgsea") throw new UsageError("--no-normalize applies to --method ssgsea only");
  const columns = { setColumn: o.setColumn || undefined, geneColumn: o.geneColumn || undefined };
  let sets: GeneSet[];
  if (typeof spec === "string") {
    const key = builtinGeneSetName(spec);
    if (!key) throw new UsageError(`unknown bundled gene sets "${spec}" (ESTIMATE, MCPcounter, Danaher)`);
    await preloadData([GENESETS_FOLDER + BUILTIN_GENE_SETS[key].file]);
    sets = bundledGeneSets(key, { ...columns, onWarning })!;
  } else {
    const format = geneSetFormat(spec.name);
    if (format === "gmt" && (columns.setColumn || columns.geneColumn)) throw new UsageError("--set-column/--gene-column apply to TSV gene-set files, not GMT");
    const text = new TextDecoder("utf-8").decode(await gunzipIfNeeded(spec.bytes, spec.name));
    sets = parseGeneSets(text, { ...columns, name: spec.name, format, onWarning });
  }
  if (method === "estimate") await preloadData([GENESETS_FOLDER + ESTIMATE_COMMON_GENES_FILE]);
  const opts = { geneSets: sets, transform: o.transform, normalize: o.normalize };
  return runScoreMethod(method, mix, opts);
}

/** A method's table as the page's result, with the CLI's TSV/JSON writers (`cellfrac nnls|quantiseq|epic|score`). */
function fromTable(t: MethodTable, readWarnings: string[], kind: RunResult["kind"] = "fractions", table = scoreTableTsv(t), json = scoreTableJson(t)): Omit<RunResult, "ms"> {
  const S = t.values.rows.length;
  const C = t.values.cols.length;
  const T = t.estimateColumns;
  const values = new Float64Array(S * C);
  for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) values[s * C + c] = t.values.data[s + c * S];
  const fractions = new Float64Array(S * T);
  for (let s = 0; s < S; s++) fractions.set(values.subarray(s * C, s * C + T), s * T);
  return {
    ok: true,
    table,
    json,
    kind,
    columns: t.values.cols,
    values,
    samples: t.values.rows,
    cellTypes: t.values.cols.slice(0, T),
    fractions,
    warnings: [...readWarnings, ...t.warnings],
    coverage: t.coverage,
    workers: 0,
    shared: false,
  };
}

export type RunWorkerApi = typeof runWorkerApi;

expose(runWorkerApi);
