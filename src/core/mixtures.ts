// Mixtures from several files (one per sample from a quantifier, or several cohorts): the options that say
// how a mixture is read (listed in every method of src/core/registry.ts), the merge by gene, sample names,
// and --na drop-gene. Reading the files is the host's (src/node/mixtures.ts, the page's run worker).
import { InputError, UsageError } from "./errors.js";
import { toSymbols } from "./genes.js";
import type { CollapseRule, QuantOptions, QuantValue } from "./formats/quant.js";
import type { ReadOptions } from "./formats/read.js";
import { type Matrix, makeMatrix, selectRows } from "./matrix.js";
import type { Coverage } from "./methods/types.js";
import type { FileRef, OptionSpec, OptionValues } from "./registry.js";
import { type Hdf5Options, parseSampleIds } from "./formats/hdf5.js";

const ALL = ["cli", "api", "page"] as const;

/** How the mixture file(s) are read: the same options for every method. */
export const MIXTURE_OPTIONS: readonly OptionSpec[] = [
  {
    name: "genes",
    type: "choice",
    choices: ["all", "intersect"],
    default: "all",
    arg: "G",
    help: "several mixture files: all (default: every file must have the same genes) or\nintersect (keep the genes every file has)",
    hosts: ALL,
    page: {
      id: "genes",
      label: "Genes of several files",
      group: "common",
      choiceLabels: { all: "all (every file has the same genes)", intersect: "intersect (the genes every file has)" },
    },
  },
  {
    name: "sample-names",
    type: "text",
    arg: "A,B,…",
    help: "name the samples (in file and column order), or title: a GEO series matrix's\n!Sample_title (default: GSM accession)",
    hosts: ALL,
    page: { id: "sample-names", label: "Sample names", group: "common", placeholder: "A,B,… or title (GEO)", testid: "sample-names" },
  },
  {
    name: "value",
    type: "choice",
    choices: ["tpm", "counts", "fpkm"],
    arg: "V",
    help: "quantifier outputs: tpm (default where the file has it or its lengths give it),\ncounts or fpkm",
    hosts: ALL,
    page: { id: "value", label: "Value", group: "quant", choiceLabels: { "": "default (TPM where the file has it)" } },
  },
  {
    name: "tx2gene",
    type: "file",
    bundled: [],
    arg: "F",
    help:
      "transcript → gene table (two columns) for transcript-level files (Salmon quant.sf,\n" +
      "kallisto); default: the gene field of GENCODE transcript names",
    hosts: ALL,
    page: { id: "tx2gene", label: "Transcript → gene table (tx2gene)", group: "quant", accept: ".tsv,.txt,.csv,.gz" },
  },
  {
    name: "probe-map",
    type: "file",
    bundled: [],
    arg: "F",
    help: "GEO series matrix: probe → gene symbol table (two columns, or a GEO platform table\nwith a Gene Symbol column)",
    hosts: ALL,
    page: { id: "probe-map", label: "GEO probe → gene symbol table", group: "quant", accept: ".tsv,.txt,.csv,.gz" },
  },
  {
    name: "collapse",
    type: "choice",
    choices: ["mean", "max", "first"],
    default: "mean",
    arg: "C",
    help: "--probe-map: a gene's probes become its mean (default), elementwise max or first probe",
    hosts: ALL,
    page: { id: "collapse", label: "Probes of one gene (probe map)", group: "quant" },
  },
  {
    name: "na",
    type: "choice",
    choices: ["error", "drop-gene"],
    default: "error",
    arg: "N",
    help: "missing values in the mixture: error (default) or drop-gene (drop such genes; stderr\nsays how many and which signature genes)",
    hosts: ALL,
    page: { id: "na", label: "Missing values", group: "common", choiceLabels: { "drop-gene": "drop-gene (drop such genes, listed)" } },
  },
];

/** The quantifier/GEO part of the read options, from option values (ID tables already parsed by the host). */
export function quantOptions(
  v: OptionValues,
  maps: { tx2gene?: ReadonlyMap<string, string>; probeMap?: ReadonlyMap<string, string> },
  onNote?: (m: string) => void,
): QuantOptions {
  return {
    value: v.value as QuantValue | undefined,
    collapse: (v.collapse as CollapseRule | undefined) ?? "mean",
    titles: v.sampleNames === "title",
    ...maps,
    onNote,
  };
}

/** Whether the options ask for more than streaming one plain table (several files, names, NA handling, …). */
export function wantsWholeRead(v: Readonly<Record<string, unknown>>): boolean {
  return (
    (v.na ?? "error") !== "error" ||
    v.sampleNames !== undefined ||
    v.tx2gene !== undefined ||
    v.probeMap !== undefined ||
    v.value !== undefined
  );
}

/**
 * --transpose, --var-column and --samples-from as Hdf5Options (undefined when none is given). A path's list
 * is read by the host later (a missing mixture is named first); given bytes (the page, the API) are parsed here.
 */
export function hdf5Options(v: OptionValues): Hdf5Options | undefined {
  const transpose = v.transpose === true;
  const varColumn = v.varColumn as string | undefined;
  const from = v.samplesFrom as FileRef | undefined;
  if (!transpose && varColumn === undefined && from === undefined) return undefined;
  if (from === undefined || typeof from === "string") return { transpose, varColumn, samplesFile: from };
  return { transpose, varColumn, samplesFile: from.name, samples: parseSampleIds(new TextDecoder().decode(from.bytes), from.name) };
}

/** ReadOptions for one mixture file (`hdf5`: the host's reading of --transpose, --var-column, --samples-from). */
export function mixtureReadOptions(
  v: OptionValues,
  quant: QuantOptions,
  onWarning?: (m: string) => void,
  hdf5?: ReadOptions["hdf5"],
): ReadOptions {
  const duplicates = v.duplicates as ReadOptions["duplicates"];
  return { what: "mixture", duplicates, onWarning, na: v.na as ReadOptions["na"], layout: v.layout as ReadOptions["layout"], hdf5, quant };
}

/** What --value, --tx2gene and --probe-map apply to (by option key; no import of the registry, which imports this). */
const APPLIES: Record<string, [flag: string, what: string]> = {
  value: ["--value", "quantifier outputs (Salmon, kallisto, RSEM, GDC STAR, STAR ReadsPerGene, featureCounts)"],
  tx2gene: ["--tx2gene", "transcript-level files (Salmon quant.sf with transcript names, kallisto abundance.tsv)"],
  probeMap: ["--probe-map", "GEO series matrices"],
};

/** An option that no mixture file used (QuantOptions.onUse: the option's name) is a usage error, not silently ignored. */
export function checkUsed(v: OptionValues, used: ReadonlySet<string>): void {
  for (const [key, [flag, what]] of Object.entries(APPLIES)) {
    if (v[key] === undefined || used.has(flag.slice(2))) continue;
    throw new UsageError(`${flag} applies to ${what}; no mixture file is one`);
  }
}

/**
 * The files' matrices as one mixture, as the CLI and the page both make it: merged by gene (--genes),
 * samples renamed (--sample-names), Ensembl IDs mapped to symbols (the gene table loaded by the host when
 * a row is one), and (--na drop-gene) genes with a missing value dropped. `used`: options the files used.
 */
export function combineMixtures(
  parts: readonly { name: string; matrix: Matrix }[],
  v: OptionValues,
  used: ReadonlySet<string>,
  onWarning?: (m: string) => void,
): { matrix: Matrix; dropped: string[] } {
  checkUsed(v, used);
  const names = v.sampleNames as string | undefined;
  const merged = renameSamples(mergeByGene(parts, v.genes === "intersect", names !== undefined && names !== "title"), names);
  const symbols = toSymbols(merged, { duplicates: v.duplicates as ReadOptions["duplicates"], onWarning });
  return v.na === "drop-gene" ? dropMissingGenes(symbols, onWarning) : { matrix: symbols, dropped: [] };
}

/**
 * Mixtures of several files as one, by gene: the first file's gene order; every file must have the same
 * genes unless `intersect` (then the genes all files have). Sample names must differ across files unless
 * `renamed` (--sample-names names them afterwards).
 */
export function mergeByGene(parts: readonly { name: string; matrix: Matrix }[], intersect: boolean, renamed = false): Matrix {
  if (parts.length === 1) return parts[0].matrix;
  const index = parts.map((p) => new Map(p.matrix.rows.map((g, i) => [g, i])));
  const first = parts[0].matrix.rows;
  if (!renamed) checkSampleNames(parts.map((p) => ({ name: p.name, cols: p.matrix.cols })));
  let genes = first;
  if (intersect) genes = first.filter((g) => index.every((ix) => ix.has(g)));
  else {
    for (let k = 1; k < parts.length; k++) {
      missingGene(first, index[k], parts[k].name, parts[0].name);
      missingGene(parts[k].matrix.rows, index[0], parts[0].name, parts[k].name);
    }
  }
  if (genes.length === 0) throw new InputError(`no gene is in every mixture file (${parts.map((p) => p.name).join(", ")})`);
  const cols = parts.flatMap((p) => p.matrix.cols);
  const n = genes.length;
  const data = new Float64Array(n * cols.length);
  let c0 = 0;
  parts.forEach((p, k) => {
    const nr = p.matrix.rows.length;
    const rowOf = genes.map((g) => index[k].get(g)!);
    for (let c = 0; c < p.matrix.cols.length; c++, c0++) {
      for (let r = 0; r < n; r++) data[c0 * n + r] = p.matrix.data[c * nr + rowOf[r]];
    }
  });
  return makeMatrix(genes, cols, data, parts[0].matrix.rowHeader);
}

/** Sample names must differ across files (mergeByGene without --sample-names). */
export function checkSampleNames(parts: readonly { name: string; cols: readonly string[] }[]): void {
  const owner = new Map<string, string>();
  for (const p of parts) {
    for (const s of p.cols) {
      const other = owner.get(s);
      if (other !== undefined) {
        throw new InputError(`sample "${s}" is also a sample of ${other}: give --sample-names A,B,… to name the samples`, {
          file: p.name,
          sample: s,
        });
      }
      owner.set(s, p.name);
    }
  }
}

/** The first gene of `genes` (from `from`) that `file` lacks, as an error. */
function missingGene(genes: readonly string[], has: ReadonlyMap<string, number>, file: string, from: string): void {
  const absent = genes.filter((g) => !has.has(g));
  if (absent.length === 0) return;
  const more = absent.length > 1 ? ` (and ${absent.length - 1} more genes)` : "";
  throw new InputError(`gene of ${from} missing from this file${more}; --genes intersect keeps the genes every file has`, {
    file,
    gene: absent[0],
  });
}

/** --sample-names A,B,…: the samples renamed in order (their count must match); "title" is for GEO files. */
export function renameSamples(m: Matrix, names: string | undefined): Matrix {
  if (names === undefined || names === "title") return m;
  const list = names.split(",").map((s) => s.trim());
  if (list.length !== m.cols.length) {
    throw new UsageError(`--sample-names gives ${list.length} names for ${m.cols.length} samples (${listed(m.cols)})`);
  }
  const seen = new Set<string>();
  for (const s of list) {
    if (s === "" || seen.has(s)) throw new UsageError(`--sample-names: ${s === "" ? "an empty name" : `"${s}" twice`}`);
    seen.add(s);
  }
  return makeMatrix(m.rows, list, m.data, m.rowHeader);
}

/** --na drop-gene: the genes with a missing value (NaN) in any sample removed, and their names. */
export function dropMissingGenes(m: Matrix, onWarning?: (m: string) => void): { matrix: Matrix; dropped: string[] } {
  const n = m.rows.length;
  const bad = new Uint8Array(n);
  for (let i = 0; i < m.data.length; i++) if (Number.isNaN(m.data[i])) bad[i % n] = 1;
  const dropped = m.rows.filter((_, r) => bad[r]);
  if (dropped.length === 0) return { matrix: m, dropped };
  if (dropped.length === n) throw new InputError("every gene of the mixture has a missing value (--na drop-gene left none)");
  const keep = [...bad.keys()].filter((r) => !bad[r]);
  onWarning?.(`--na drop-gene: dropped ${dropped.length} gene${dropped.length > 1 ? "s" : ""} with a missing value: ${list(dropped)}`);
  return { matrix: selectRows(m, keep), dropped };
}

const listed = (xs: readonly string[]) => xs.slice(0, 5).join(", ") + (xs.length > 5 ? ", …" : "");
const list = (xs: readonly string[]) => xs.slice(0, 10).join(", ") + (xs.length > 10 ? `, … (${xs.length} in all)` : "");

/** Which of the dropped genes each signature or gene set wanted (its coverage's missing genes), for stderr. */
export function droppedSignatureGenes(dropped: readonly string[], coverage: readonly Coverage[]): string | undefined {
  if (dropped.length === 0) return undefined;
  const gone = new Set(dropped);
  const parts = coverage.map((c) => {
    const hit = c.missing.filter((g) => gone.has(g));
    return `${c.name}: ${hit.length ? list(hit) : "none"}`;
  });
  return `signature genes among the ${dropped.length} dropped for missing values — ${parts.join("; ")}`;
}
