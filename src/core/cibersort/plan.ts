// A CIBERSORT plan (docs/scale.md, "Sharding"): the cohort-wide pass of one run, written once, so that runs on
// parts of the samples (on other machines) give exactly the rows of the one run. It holds the statistics, not
// the mixture: the anti-log decision and the maximum it saw, the QN target, the sig.score median, the sorted
// permutation null, the matched signature genes, and fingerprints (SHA-256) of the inputs plus the options, so
// that a shard refuses another mixture, signature or option.
import { InputError } from "../errors.js";
import { makeMatrix } from "../matrix.js";
import { type CibersortPartData, type JsonNumber, type PartFile, decodeNumbers, encodeNumbers } from "../shards.js";
import type { MethodTable } from "../methods/types.js";
import type { AbsMethod, CibersortResult, CohortPass } from "./types.js";

export const PLAN_FORMAT = "cellfrac-plan";
export const PLAN_VERSION = 1;
/** Plans are CIBERSORT's (the other methods need none); the field keeps the format open. */
const PLAN_METHOD = "cibersort";

/** An input as the plan knows it: its name for messages and the SHA-256 of its content. */
export interface Fingerprint {
  name: string;
  sha256: string;
}

/** The options a CIBERSORT run's numbers depend on (threads and chunking never change a byte). */
export interface PlanOptions {
  perm: number;
  seed: number;
  qn: boolean;
  absolute: AbsMethod | false;
  scale: string;
  solver: string;
  duplicates: string;
}

export interface CibersortPlan {
  format: typeof PLAN_FORMAT;
  version: number;
  method: "cibersort";
  /** The cellfrac version that wrote it (for people; the format version is what is checked). */
  cellfrac: string;
  inputs: { mixture: Fingerprint; signature: Fingerprint };
  options: PlanOptions;
  cohort: CohortPass;
}

/** The plan as its file's text (JSON; doubles round-trip exactly). */
export function planToText(plan: CibersortPlan): string {
  const c = plan.cohort;
  const cohort = {
    ...c,
    mixtureMax: encodeNumbers([c.mixtureMax])[0],
    yMedian: encodeNumbers([c.yMedian])[0],
    qnTarget: c.qnTarget ? encodeNumbers(c.qnTarget) : null,
    nullDistribution: encodeNumbers(c.nullDistribution),
  };
  return `${JSON.stringify({ ...plan, cohort })}\n`;
}

/** Parse a plan file's text; InputError naming `file` when it is not a plan this version reads. */
export function planFromText(text: string, file: string): CibersortPlan {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(text);
  } catch {
    throw new InputError("not a cellfrac plan (not JSON); plans are written by `cellfrac plan cibersort`", { file });
  }
  if (p?.format !== PLAN_FORMAT) throw new InputError("not a cellfrac plan (written by `cellfrac plan cibersort`)", { file });
  if (p.version !== PLAN_VERSION)
    throw new InputError(`plan format version ${p.version}; this cellfrac reads version ${PLAN_VERSION}`, { file });
  if (p.method !== PLAN_METHOD) throw new InputError(`a plan for ${p.method}; this run is ${PLAN_METHOD}`, { file });
  const c = p.cohort as Record<string, unknown> | undefined;
  if (!c || !Array.isArray(c.genes) || !Array.isArray(c.nullDistribution) || typeof c.samples !== "number") {
    throw new InputError("damaged plan: its cohort section is incomplete", { file });
  }
  const num = (x: unknown) => decodeNumbers([x as JsonNumber])[0];
  const cohort: CohortPass = {
    ...(c as unknown as CohortPass),
    mixtureMax: num(c.mixtureMax),
    yMedian: num(c.yMedian),
    qnTarget: c.qnTarget ? decodeNumbers(c.qnTarget as JsonNumber[]) : undefined,
    nullDistribution: decodeNumbers(c.nullDistribution as JsonNumber[]),
  };
  return { ...(p as unknown as CibersortPlan), cohort };
}

const OPTION_FLAGS: Record<keyof PlanOptions, string> = {
  perm: "--perm",
  seed: "--seed",
  qn: "--qn",
  absolute: "--absolute",
  scale: "--scale",
  solver: "--solver",
  duplicates: "--duplicates",
};

/**
 * Refuse a run whose inputs or options are not the plan's: InputError naming the plan file and what differs.
 * `mixture` and `signature` carry this run's fingerprints.
 */
export function checkPlan(
  plan: CibersortPlan,
  file: string,
  run: { mixture: Fingerprint; signature: Fingerprint; options: PlanOptions },
): void {
  for (const k of Object.keys(OPTION_FLAGS) as (keyof PlanOptions)[]) {
    if (plan.options[k] !== run.options[k]) {
      const show = (v: unknown) => (v === false ? "off" : v === true ? "on" : String(v));
      throw new InputError(`the plan was made with ${OPTION_FLAGS[k]} ${show(plan.options[k])}, this run has ${show(run.options[k])}`, {
        file,
      });
    }
  }
  for (const what of ["mixture", "signature"] as const) {
    const a = plan.inputs[what];
    const b = run[what];
    if (a.sha256 !== b.sha256) {
      throw new InputError(
        `the plan was made for ${what} ${a.name} (SHA-256 ${a.sha256.slice(0, 12)}…); ${b.name} has SHA-256 ${b.sha256.slice(0, 12)}…`,
        { file },
      );
    }
  }
}

/** What a CIBERSORT part carries beyond its table (the result of a run with the plan's cohort). */
export function cibersortPartData(res: CibersortResult, cohort: CohortPass): CibersortPartData {
  const d = res.diagnostics;
  return {
    cohort: {
      warnings: cohort.warnings,
      antilog: cohort.antilog,
      yMedian: encodeNumbers([cohort.yMedian])[0],
      genes: cohort.genes,
      signatureCoverage: cohort.signatureCoverage,
      nullDistribution: encodeNumbers(cohort.nullDistribution),
    },
    nu: encodeNumbers(d.nu),
    iterations: Array.from(d.iterations),
    // The run's warnings start with the cohort's (the same pass); the rest name this part's samples.
    warnings: res.warnings.slice(cohort.warnings.length),
  };
}

/** samples × types column-major → row-major (the layout of `diagnostics.unrounded.weights`). */
function rowMajor(colMajor: Float64Array, S: number, T: number): Float64Array {
  const out = new Float64Array(S * T);
  for (let s = 0; s < S; s++) for (let t = 0; t < T; t++) out[s * T + t] = colMajor[t * S + s];
  return out;
}

/**
 * The one run's CibersortResult from merged parts: the table in the mixture's order plus each part's
 * CIBERSORT data (`where` says which part and row holds each sample). Only the written values survive a
 * part: `diagnostics.unrounded` holds the rounded ones.
 */
export function mergeCibersort(
  table: MethodTable,
  all: readonly { file: string; part: PartFile }[],
  where: readonly { part: number; row: number }[],
): CibersortResult {
  // Empty shards' parts (emptyPart) have no CIBERSORT data and no rows: mergeTables checked their plan.
  const parts = all.filter(({ part }) => part.columns.length > 0);
  const first = parts[0].part.cibersort;
  if (!first) throw new InputError("a cibersort part without its CIBERSORT data", { file: parts[0].file });
  for (const { file, part } of parts) {
    if (JSON.stringify(part.cibersort?.cohort) !== JSON.stringify(first.cohort)) {
      throw new InputError(`its cohort pass differs from ${parts[0].file}'s: the parts come from two plans`, { file });
    }
  }
  const index = parts.map(({ part }) => all.findIndex((p) => p.part === part));
  const v = table.values;
  const S = v.rows.length;
  const T = table.estimateColumns;
  const absCol = v.cols[T + 3];
  const absMethod = absCol ? (/\((.*)\)$/.exec(absCol)?.[1] as AbsMethod) : undefined;
  const col = (c: number) => v.data.slice(c * S, (c + 1) * S);
  const nNu = S ? first.iterations.length / Math.max(1, parts[0].part.columns.length) : 0;
  const nu = new Float64Array(S);
  const iterations = new Int32Array(S * nNu);
  const warnings = [...first.cohort.warnings];
  const perPart = new Map(parts.map(({ part }, i) => [index[i], decodeNumbers(part.cibersort!.nu)]));
  where.forEach(({ part, row }, s) => {
    nu[s] = perPart.get(part)![row];
    iterations.set(all[part].part.cibersort!.iterations.slice(row * nNu, (row + 1) * nNu), s * nNu);
  });
  // Sample warnings in the mixture's order (each part's are in its own order, which is the mixture's).
  const ordered = parts.map((p, i) => ({ p, i })).sort((a, b) => (a.p.part.columns[0] ?? 0) - (b.p.part.columns[0] ?? 0));
  for (const { p } of ordered) warnings.push(...p.part.cibersort!.warnings);
  if (S > 0 && nu.every(Number.isNaN)) throw new InputError(`no sample could be deconvolved (all ${S} rows are NaN)`);
  const cellTypes = v.cols.slice(0, T);
  const fractions = makeMatrix([...v.rows], cellTypes, v.data.slice(0, S * T));
  const [pValue, correlation, rmse] = [col(T), col(T + 1), col(T + 2)];
  const absoluteScore = absMethod ? col(T + 3) : undefined;
  return {
    samples: [...v.rows],
    cellTypes,
    fractions,
    pValue,
    correlation,
    rmse,
    absoluteScore,
    absMethod,
    warnings,
    diagnostics: {
      genes: first.cohort.genes,
      signatureCoverage: first.cohort.signatureCoverage,
      antilog: first.cohort.antilog,
      yMedian: decodeNumbers([first.cohort.yMedian])[0],
      nu,
      iterations,
      nullDistribution: decodeNumbers(first.cohort.nullDistribution),
      unrounded: { weights: rowMajor(fractions.data, S, T), correlation, rmse, pValue, absoluteScore },
    },
  };
}
