// The page's run worker (comlink): reads the inputs, does the cohort-wide pass (prepare, permutation
// draws) and hands the fits to a pool of fit workers, then serialises the result. Everything heavy stays
// off the page's thread; cancelling a run is terminating this worker (its fit workers go with it).
import { expose, type ProxyMarked } from "comlink";
import { cibersort } from "../cibersort/index.js";
import { resultColumns, resultValue, toResultsJSON, toResultsTable } from "../cibersort/output.js";
import type { AbsMethod, ScaleMode } from "../cibersort/types.js";
import { scoreTableJson, scoreTableTsv } from "../commands/score.js";
import { InputError, UsageError } from "../errors.js";
import type { DuplicatePolicy } from "../io/read.js";
import { ensemblStableId, toSymbols } from "../genes.js";
import type { Matrix } from "../matrix.js";
import { nnls } from "../methods/nnls.js";
import { browserFitRunner, defaultWorkers, type BrowserPoolInfo } from "./pool.js";
import { parseMatrixBytes } from "./parse.js";

export interface InputFile {
  name: string;
  bytes: Uint8Array;
}

export interface RunRequest {
  /** cibersort (CIBERSORT v1.04) or nnls (R nnls on the signature); the page's method select. */
  method: "cibersort" | "nnls";
  mixture: InputFile;
  /** Absent: the bundled LM22. */
  signature?: InputFile;
  perm: number;
  seed: number;
  qn: boolean;
  absolute: AbsMethod | false;
  scale: ScaleMode;
  duplicates: DuplicatePolicy;
  /** Fit workers (default: hardware concurrency). */
  workers?: number;
}

export interface RunResult {
  ok: true;
  table: string;
  json: string;
  samples: string[];
  cellTypes: string[];
  /** The table's columns after Mixture (cell types, P-value, Correlation, RMSE[, Absolute score]). */
  columns: string[];
  /** The table's numbers, samples × columns row-major (the same doubles the TSV prints). */
  values: Float64Array;
  /** Fractions, samples × cell types row-major. */
  fractions: Float64Array;
  warnings: string[];
  genesUsed: number;
  signatureGenes: number;
  /** Signature genes absent from the mixture (all of them; the page shows a few). */
  missingGenes: string[];
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

const LM22_URL = new URL("../../data/LM22.tsv", import.meta.url);
const ENSEMBL_URL = new URL("../../data/identifiers/ensembl_symbols.tsv", import.meta.url);

/** The bundled Ensembl → symbol table, fetched only for a mixture with Ensembl IDs (toSymbols' `table`). */
async function ensemblTable(): Promise<Map<string, string>> {
  const res = await fetch(ENSEMBL_URL);
  if (!res.ok) throw new Error(`the bundled Ensembl table could not be loaded (${res.status} ${res.statusText})`);
  const map = new Map<string, string>();
  for (const line of (await res.text()).split("\n").slice(1)) {
    const [id, symbol] = line.split("\t");
    if (id && symbol) map.set(id, symbol.trim());
  }
  return map;
}

async function signatureBytes(req: RunRequest): Promise<InputFile> {
  if (req.signature) return req.signature;
  const res = await fetch(LM22_URL);
  if (!res.ok) throw new Error(`the bundled LM22 signature could not be loaded (${res.status} ${res.statusText})`);
  return { name: "LM22", bytes: new Uint8Array(await res.arrayBuffer()) };
}

export const runWorkerApi = {
  async run(req: RunRequest, onProgress?: ProgressFn): Promise<RunResult | RunFailure> {
    const t0 = performance.now();
    try {
      if (req.method !== "cibersort" && req.method !== "nnls") throw new UsageError(`unknown method "${String(req.method)}"`);
      const sigFile = await signatureBytes(req);
      const sig = await parseMatrixBytes(sigFile.bytes, { what: "signature", name: sigFile.name });
      const warnings: string[] = [];
      const onWarning = (m: string) => warnings.push(m);
      let mix = await parseMatrixBytes(req.mixture.bytes, { what: "mixture", name: req.mixture.name, duplicates: req.duplicates, onWarning });
      // Ensembl gene IDs are mapped to symbols for CIBERSORT, as `cellfrac cibersort` does.
      if (req.method === "cibersort" && mix.rows.some((g) => ensemblStableId(g) !== undefined)) {
        mix = toSymbols(mix, { duplicates: req.duplicates, onWarning, table: await ensemblTable() });
      }
      if (req.method === "nnls") return await runNnls(mix, sig, sigFile.name, req, warnings, t0, onProgress);
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
          names: { mixture: req.mixture.name, signature: sigFile.name },
          onProgress: onProgress ? (d, t) => void onProgress(d, t) : undefined,
        },
        undefined,
        browserFitRunner(req.workers ?? defaultWorkers(), info),
      );
      const S = res.samples.length;
      const T = res.cellTypes.length;
      const fractions = new Float64Array(S * T);
      for (let s = 0; s < S; s++) for (let t = 0; t < T; t++) fractions[s * T + t] = res.fractions.data[t * S + s];
      const columns = resultColumns(res);
      const values = new Float64Array(S * columns.length);
      for (let s = 0; s < S; s++) for (let c = 0; c < columns.length; c++) values[s * columns.length + c] = resultValue(res, s, c);
      const used = new Set(res.diagnostics.genes);
      return {
        ok: true,
        table: toResultsTable(res),
        json: toResultsJSON(res),
        columns,
        values,
        samples: res.samples,
        cellTypes: res.cellTypes,
        fractions,
        warnings: [...warnings, ...res.warnings],
        genesUsed: res.diagnostics.signatureCoverage.used,
        signatureGenes: res.diagnostics.signatureCoverage.total,
        missingGenes: sig.rows.filter((g) => !used.has(g)),
        antilog: res.diagnostics.antilog,
        workers: info.workers,
        shared: info.shared,
        ms: performance.now() - t0,
      };
    } catch (e) {
      if (e instanceof InputError) return { ok: false, kind: "input", message: `cellfrac: error: ${e.message}` };
      if (e instanceof UsageError) return { ok: false, kind: "usage", message: `cellfrac: ${e.message}` };
      return { ok: false, kind: "internal", message: `cellfrac: internal error: ${(e as Error)?.message ?? String(e)}` };
    }
  },
};

/** NNLS in this worker (one small solve per sample), as `cellfrac nnls` writes it. */
async function runNnls(mix: Matrix, sig: Matrix, sigName: string, req: RunRequest, readWarnings: string[], t0: number, onProgress?: ProgressFn): Promise<RunResult> {
  const t = await nnls.run(mix, { signature: sig, signatureName: sigName, scale: req.scale, onProgress: onProgress ? (d, n) => void onProgress(d, n) : undefined });
  const S = t.values.rows.length;
  const C = t.values.cols.length;
  const T = t.estimateColumns;
  const values = new Float64Array(S * C);
  for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) values[s * C + c] = t.values.data[s + c * S];
  const fractions = new Float64Array(S * T);
  for (let s = 0; s < S; s++) fractions.set(values.subarray(s * C, s * C + T), s * T);
  const cov = t.coverage[0];
  return {
    ok: true,
    table: scoreTableTsv(t),
    json: scoreTableJson(t),
    columns: t.values.cols,
    values,
    samples: t.values.rows,
    cellTypes: t.values.cols.slice(0, T),
    fractions,
    warnings: [...readWarnings, ...t.warnings],
    genesUsed: cov.found,
    signatureGenes: cov.total,
    missingGenes: cov.missing,
    workers: 0,
    shared: false,
    ms: performance.now() - t0,
  };
}

export type RunWorkerApi = typeof runWorkerApi;

expose(runWorkerApi);
