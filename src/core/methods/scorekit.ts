// What the score methods (ssGSEA, singscore, MCP-counter, ESTIMATE, zscore/mean/pc1) share: options,
// gene-set resolution, the optional log2(x + 1) transform, and the output table.
import { InputError, UsageError } from "../errors.js";
import { type GeneSet, type MappedSet, bundledGeneSets, mapGeneSets, packSets } from "../genesets.js";
import { type Matrix, makeMatrix } from "../matrix.js";
import { type Core, loadCore } from "../wasm.js";
import type { Coverage, MethodRunOptions, MethodTable } from "./types.js";

/** How the mixture is transformed before scoring. */
export type ScoreTransform = "none" | "log2p1";

export interface ScoreRunOptions extends MethodRunOptions {
  /** Gene sets: a built-in name (ESTIMATE, MCPcounter, Danaher) or parsed sets (files: the host's loadGeneSets). */
  geneSets: string | readonly GeneSet[];
  /** "log2p1": score log2(x + 1) of the mixture (e.g. for TPM); default "none" (use values as given). */
  transform?: ScoreTransform;
  /** A Wasm instance to use (default: a fresh one); its memory is reset. */
  core?: Core;
}

export function resolveGeneSets(spec: string | readonly GeneSet[], onWarning?: (m: string) => void): readonly GeneSet[] {
  if (typeof spec !== "string") return spec;
  const sets = bundledGeneSets(spec, { onWarning });
  if (!sets)
    throw new UsageError(`"${spec}" is not a bundled gene-set collection (ESTIMATE, MCPcounter, Danaher); read a file with loadGeneSets`);
  return sets;
}

/** Copy of the mixture's data, transformed as asked, in the instance's memory; returns its pointer. */
export function putMixture(core: Core, mixture: Matrix, transform: ScoreTransform = "none"): number {
  const p = core.putF64(mixture.data);
  if (transform === "log2p1") {
    // The first value ≤ −1 in sample-major order (data is column-major: index = row + col · rows).
    const at = mixture.data.findIndex((v) => v <= -1);
    if (at >= 0) {
      const nr = mixture.rows.length;
      throw new InputError(
        `log2(x + 1) needs values above -1, found ${mixture.data[at]}: is the mixture already log-scaled? (use --transform none)`,
        {
          gene: mixture.rows[at % nr],
          sample: mixture.cols[Math.floor(at / nr)],
        },
      );
    }
    core.x.log2p1(p, mixture.data.length);
  }
  return p;
}

/** The mapped sets as a CSR list in the instance's memory (see assembly/scores.ts). */
export function putSets(core: Core, sets: readonly MappedSet[]): { rows: number; off: number; count: number; maxSize: number } {
  const packed = packSets(sets);
  const putI32 = (a: Int32Array) => {
    const p = core.x.alloc(Math.max(8, a.length * 4));
    new Int32Array(core.x.memory.buffer, p, a.length).set(a);
    return p;
  };
  return { rows: putI32(packed.rows), off: putI32(packed.off), count: sets.length, maxSize: packed.maxSize };
}

/** Room for n i32 values. */
export function allocI32(core: Core, n: number): number {
  return core.x.alloc(Math.max(8, n * 4));
}

export function checkMixture(mixture: Matrix, minSamples = 1): void {
  if (mixture.cols.length < minSamples) {
    throw new InputError(`the mixture has ${mixture.cols.length} sample(s); this method needs at least ${minSamples}`);
  }
  if (mixture.rows.length === 0) throw new InputError("the mixture has no genes");
}

/** Sets mapped onto the mixture, with warnings sent to the collector. */
export function mapSets(
  mixture: Matrix,
  spec: string | readonly GeneSet[],
  warn: (m: string) => void,
): { mapped: MappedSet[]; coverage: Coverage[] } {
  return mapGeneSets(resolveGeneSets(spec, warn), mixture.rows, warn);
}

/**
 * Run `fn` on the caller's instance (opts.core) or a fresh one, with its memory reset before and after
 * (so pointers never leak between runs).
 */
export async function withCore<T>(opts: { core?: Core }, fn: (core: Core) => T): Promise<T> {
  const core = opts.core ?? (await loadCore());
  core.reset();
  try {
    return fn(core);
  } finally {
    core.reset();
  }
}

/** The common start of a score method: check the mixture, collect warnings, map the gene sets. */
export function prepareScores(
  mixture: Matrix,
  opts: MethodRunOptions,
  geneSets: string | readonly GeneSet[],
  minSamples = 1,
): { warnings: string[]; warn: (m: string) => void; mapped: MappedSet[]; coverage: Coverage[] } {
  checkMixture(mixture, minSamples);
  const sink = warningSink(opts);
  return { ...sink, ...mapSets(mixture, geneSets, sink.warn) };
}

/** Collects warnings for MethodTable.warnings and forwards them to onWarning as they happen. */
export function warningSink(opts: MethodRunOptions): { warnings: string[]; warn: (m: string) => void } {
  const warnings: string[] = [];
  return {
    warnings,
    warn: (m) => {
      warnings.push(m);
      opts.onWarning?.(m);
    },
  };
}

/** A samples × columns score table (values column-major: data[sample + column · samples]). */
export function scoreTable(
  method: string,
  samples: readonly string[],
  columns: readonly string[],
  data: Float64Array,
  coverage: Coverage[],
  warnings: string[],
  estimateColumns = columns.length,
): MethodTable {
  return {
    method,
    rowHeader: "sample",
    values: makeMatrix([...samples], [...columns], data, "sample"),
    estimateColumns,
    coverage,
    warnings,
  };
}
