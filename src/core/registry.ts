// The one list of methods cellfrac runs, each with its option schema and run. The CLI (src/node/commands),
// the Node API (runMethod) and the page (its form and run worker) all take options through parseOptions
// here, so defaults, checks and messages exist once. Data a method needs (signatures, gene sets, EPIC's
// reference) comes from the host through MethodHost; a method's module is loaded on its first run, so
// reading the schema (the page's form, --help) loads no numeric code.
import type { CibersortOptions, CibersortResult } from "./cibersort/types.js";
import type { FitRunner } from "./cibersort/fits.js";
import { UsageError } from "./errors.js";
import { meetGenes } from "./genes.js";
import type { GeneSet } from "./genesets.js";
import type { Matrix } from "./matrix.js";
import { MIXTURE_OPTIONS } from "./mixtures.js";
import type { DeconvRunOptions } from "./methods/deconvkit.js";
import type { EpicReference } from "./methods/epic.js";
import type { Til10 } from "./methods/quantiseq.js";
import type { MethodTable } from "./methods/types.js";
import type { Core } from "./wasm.js";

/** Where an option can be given: the command line, the Node API, the browser page. */
export type Host = "cli" | "api" | "page";

/** A file the user gave: a path (Node) or a chosen file's bytes (the page, the API). */
export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}
export type FileRef = string | NamedBytes;

export type OptionValue = boolean | number | string | NamedBytes | readonly NamedBytes[] | undefined;
/** Option values by key (the camelCase of the option's name). */
export type OptionValues = Record<string, OptionValue>;

/** How the page shows an option (src/browser/page/page.ts renders it). */
export interface PageControl {
  /** Element id (kept stable: tests and styles use it). */
  id: string;
  label: string;
  /** The form group (fieldset) it sits in. */
  group: "input" | "cibersort" | "quantiseq" | "epic" | "score" | "common" | "quant" | "hdf5";
  testid?: string;
  /** Labels of a choice's values; "" labels the empty choice (option not given). */
  choiceLabels?: Readonly<Record<string, string>>;
  /** File inputs: accepted types; several files at once. */
  accept?: string;
  multiple?: boolean;
  placeholder?: string;
  /** A note shown above the control. */
  hint?: string;
  /** A file option with bundled choices: a select before the file input ("" = default, "file" = the file). */
  select?: { id: string; label: string; testid?: string; choiceLabels: Readonly<Record<string, string>> };
}

interface OptionBase {
  /** The CLI spelling: --name (a boolean that defaults to true is given as --no-name). */
  name: string;
  /** Placeholder in --help ("N", "S", "DIR"). */
  arg?: string;
  /** --help text; a "\n" continues on the next line. */
  help: string;
  hosts: readonly Host[];
  page?: PageControl;
}
export type OptionSpec =
  | (OptionBase & { type: "boolean"; default: boolean })
  | (OptionBase & { type: "integer"; default?: number; min: number; max?: number })
  | (OptionBase & { type: "choice"; default?: string; choices: readonly string[] })
  | (OptionBase & { type: "text"; default?: string })
  | (OptionBase & { type: "file"; default?: string; bundled: readonly string[]; required?: string });

/** What a host provides to the methods. Optional members have a default in the core. */
export interface MethodHost {
  /** A bundled signature by its key ("LM22", "TIL10"). */
  bundledSignature(key: string): Promise<Matrix>;
  /** A signature file the user gave. */
  signatureFile(ref: FileRef): Promise<Matrix>;
  /** Gene sets: a bundled collection (ESTIMATE, MCPcounter, Danaher, any case) or a GMT/TSV file. */
  geneSets(ref: FileRef, columns: { setColumn?: string; geneColumn?: string; genes?: ReadonlySet<string> }): Promise<GeneSet[]>;
  /** EPIC's reference: TRef/BRef or a directory (Node), or its three files (the page). */
  epicReference(ref: FileRef | readonly NamedBytes[], dataDir?: string): Promise<EpicReference>;
  til10?(): Promise<Til10>;
  estimateCommonGenes?(): Promise<ReadonlySet<string>>;
  /** CIBERSORT: the Wasm instance and where the fits run (default: a fresh instance, this thread). */
  core?: Core;
  fitRunner?: FitRunner;
}

export interface RunContext {
  host: MethodHost;
  onWarning?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
  /** The mixture's name for messages (CIBERSORT). */
  mixtureName?: string;
  /** The whole file's maximum when the mixture holds only some of its rows (CIBERSORT) or samples (a shard). */
  mixtureMax?: number;
  /** CIBERSORT shard: a plan's cohort pass and the sample columns to fit (see CibersortOptions). */
  cohort?: CibersortOptions["cohort"];
  columns?: readonly number[];
}

/** A run's result: the table every method has, and CIBERSORT's full result (its JSON, P-value details). */
export interface MethodOutput {
  table: MethodTable;
  cibersort?: CibersortResult;
}

export interface MethodSpec {
  name: string;
  title: string;
  /** "fractions" (deconvolution) or "scores" (gene-set scores, chosen with `cellfrac score --method`). */
  kind: "fractions" | "scores";
  /** What it computes, for `cellfrac score --help`'s method list ("\n" continues a line). */
  summary: string;
  options: readonly OptionSpec[];
  /** Checks between options, after each one's own. */
  check?(v: OptionValues): void;
  /** The page's method list entry and help line. */
  page: { label: string; help: string };
  /** A short description of a run for the page's summary line (default: the title). */
  describe?(v: OptionValues): string;
  run(mixture: Matrix, v: OptionValues, ctx: RunContext): Promise<MethodOutput>;
  /** Runs on part of the samples (docs/scale.md "Sharding"); absent: each sample's row depends on it alone. */
  shards?: ShardSpec;
}

/** What a method's sharded run needs (src/node/shard.ts, cellfrac merge). */
export interface ShardSpec {
  /** The shards need the cohort-wide pass of a plan (`cellfrac plan <method>`). */
  plan?: boolean;
  /** Why a run with these options (and this whole mixture) cannot be split by samples; undefined: it can. */
  refuse?(v: OptionValues, mixture?: Matrix): string | undefined;
  /** A boolean option the merge applies to the whole table instead of the shards (ssGSEA's normalisation). */
  inMerge?: string;
}

const ALL: readonly Host[] = ["cli", "api", "page"];
const NO_PAGE: readonly Host[] = ["cli", "api"];

// ---- messages: every option error cellfrac reports is worded here ----

/** "a, b or c". */
export function orList(xs: readonly string[]): string {
  return xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`;
}

/** The option as typed on the command line: --perm, or --no-normalize for a boolean on by default. */
export function flagOf(o: OptionSpec): string {
  return o.type === "boolean" && o.default ? `--no-${o.name}` : `--${o.name}`;
}

const shown = (v: unknown) => JSON.stringify(typeof v === "string" ? v : typeof v === "object" && v && "name" in v ? v.name : String(v));

export const optionMessages = {
  choice: (flag: string, allowed: readonly string[], got: unknown) => `${flag} takes ${orList(allowed)}; got ${shown(got)}`,
  integer: (flag: string, min: number, max: number | undefined, got: unknown) =>
    `${flag} takes an integer ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`}; got ${shown(got)}`,
  text: (flag: string, got: unknown) => `${flag} takes text; got ${shown(got)}`,
  file: (flag: string, got: unknown) => `${flag} takes a file; got ${shown(got)}`,
  required: (who: string, flag: string, hint: string) => `${who} needs ${flag} (${hint})`,
  onlyFor: (flag: string, owners: readonly string[]) => `${flag} applies to --method ${orList(owners)} only`,
  unknown: (key: string, method: string) => `${method} has no option "${key}"`,
  output: (allowed: readonly string[], got: string) => `--output must end in ${orList(allowed.map((e) => `.${e}`))} (got "${got}")`,
  conflict: (a: string, b: string, why: string) => `${a} and ${b} ${why}`,
  notBoth: (a: string, b: string) => `give ${a} or ${b}, not both`,
  needs: (a: string, b: string) => `${a} needs ${b}`,
  missing: (flag: string, choices: readonly string[]) => `${flag} is required (${orList(choices)})`,
};

/** camelCase key of an option name ("gene-sets" → "geneSets"). */
export function keyOf(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The bundled name `ref` selects (case-insensitive), if any. */
export function bundledKey(ref: FileRef, bundled: readonly string[]): string | undefined {
  return typeof ref === "string" ? bundled.find((b) => b.toLowerCase() === ref.toLowerCase()) : undefined;
}

const isBytes = (v: unknown): v is NamedBytes => typeof v === "object" && v !== null && "bytes" in v && "name" in v;

/**
 * One option's value, checked: undefined stays undefined (the caller applies the default). Hosts pass what
 * they have: the CLI and the page strings (and booleans), the API numbers and booleans too.
 */
export function checkValue(o: OptionSpec, v: unknown): OptionValue {
  if (v === undefined) return undefined;
  const flag = flagOf(o);
  switch (o.type) {
    case "boolean":
      if (typeof v !== "boolean") throw new UsageError(optionMessages.choice(flag, ["true", "false"], v));
      return v;
    case "integer": {
      const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
      const inRange = Number.isInteger(n) && n >= o.min && (o.max === undefined || n <= o.max);
      if (!inRange) throw new UsageError(optionMessages.integer(flag, o.min, o.max, v));
      return n;
    }
    case "choice":
      if (typeof v !== "string" || !o.choices.includes(v)) throw new UsageError(optionMessages.choice(flag, o.choices, v));
      return v;
    case "text":
      if (typeof v !== "string") throw new UsageError(optionMessages.text(flag, v));
      return v;
    case "file":
      if (typeof v === "string" || isBytes(v)) return v;
      if (Array.isArray(v) && v.every(isBytes)) return v as NamedBytes[];
      throw new UsageError(optionMessages.file(flag, v));
  }
}

/** How a method is named in messages: score methods are chosen with --method. */
const methodRef = (m: MethodSpec) => (m.kind === "scores" ? `--method ${m.name}` : m.name);

/**
 * A method's options from what a host was given (keys: option keys), checked, with defaults filled in.
 * Options of the method's `family` (the other methods one command chooses between) that this method does
 * not take are refused by name; options the host does not show must not be given.
 */
export function parseOptions(
  m: MethodSpec,
  raw: Readonly<Record<string, unknown>>,
  host: Host,
  family: readonly MethodSpec[] = [],
): OptionValues {
  const own = m.options.filter((o) => o.hosts.includes(host));
  const ownKeys = new Set(own.map((o) => keyOf(o.name)));
  for (const [key, v] of Object.entries(raw)) {
    if (v === undefined || ownKeys.has(key)) continue;
    const owners = family.filter((f) => f.options.some((o) => keyOf(o.name) === key && o.hosts.includes(host)));
    const spec = owners[0]?.options.find((o) => keyOf(o.name) === key);
    if (spec)
      throw new UsageError(
        optionMessages.onlyFor(
          flagOf(spec),
          owners.map((f) => f.name),
        ),
      );
    throw new UsageError(optionMessages.unknown(key, m.name));
  }
  const out: OptionValues = {};
  for (const o of own) {
    const key = keyOf(o.name);
    const v = checkValue(o, raw[key]) ?? o.default;
    const missing = v === undefined && o.type === "file" && o.required;
    if (missing) throw new UsageError(optionMessages.required(methodRef(m), flagOf(o), o.required!));
    out[key] = v;
  }
  m.check?.(out);
  return out;
}

/** --help rows for options: the flag as typed (with its argument) and the help text. */
export function helpRows(options: readonly OptionSpec[]): [string, string][] {
  return options.map((o) => [flagOf(o) + (o.type === "boolean" ? "" : ` ${o.arg ?? "V"}`), o.help]);
}

/** `  --flag ARG   help` lines, help aligned after the longest flag; "\n" in a help continues aligned. */
export function formatHelpRows(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  const pad = " ".repeat(width + 2);
  return rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help.split("\n").join(`\n${pad}`)}`).join("\n");
}

/** Every option of `methods` a host shows, once each (by name), in first-seen order. */
export function unionOptions(methods: readonly MethodSpec[], host: Host): OptionSpec[] {
  const seen = new Map<string, OptionSpec>();
  for (const m of methods) for (const o of m.options) if (o.hosts.includes(host) && !seen.has(o.name)) seen.set(o.name, o);
  return [...seen.values()];
}

// ---- the options ----

const SCALE: OptionSpec = {
  name: "scale",
  type: "choice",
  choices: ["auto", "linear", "log2"],
  default: "auto",
  arg: "S",
  help: "auto (default: 2^x when the mixture's max < 50, announced), linear or log2",
  hosts: ALL,
  page: { id: "scale", label: "Scale", group: "common", choiceLabels: { auto: "auto (2^x when max < 50)" } },
};
const DUPLICATES: OptionSpec = {
  name: "duplicates",
  type: "choice",
  choices: ["error", "first", "mean", "max"],
  default: "error",
  arg: "D",
  help: "duplicate gene symbols in the mixture: error (default), first, mean or max",
  hosts: ALL,
  page: { id: "duplicates", label: "Duplicate genes", group: "common" },
};
const LAYOUT: OptionSpec = {
  name: "layout",
  type: "choice",
  choices: ["auto", "wide", "long"],
  default: "auto",
  arg: "L",
  help: "mixture layout: auto (default: a long gene/sample/value table is told by content), wide or long",
  hosts: ALL,
  page: {
    id: "layout",
    label: "Layout",
    group: "common",
    choiceLabels: { auto: "auto (a long gene/sample/value table told by content)", wide: "wide (genes × samples)", long: "long" },
  },
};
// How to read an HDF5 mixture (src/core/formats/hdf5.ts); other files refuse them (exit 3).
const HDF5_INPUT: readonly OptionSpec[] = [
  {
    name: "transpose",
    type: "boolean",
    default: false,
    help: "HDF5 AnnData mixture: obs are genes and var are samples (default: obs = samples, var = genes)",
    hosts: ALL,
    page: { id: "transpose", label: "AnnData: obs are genes, var are samples (--transpose)", group: "hdf5" },
  },
  {
    name: "var-column",
    type: "text",
    arg: "C",
    help:
      "HDF5 mixture: the column naming the genes: of var (AnnData; default var's index; of obs with\n" +
      "--transpose), of meta/genes (ARCHS4-style; default symbol, else gene_symbol)",
    hosts: ALL,
    page: { id: "var-column", label: "Gene column (of var, or meta/genes)", group: "hdf5", placeholder: "var's index / symbol" },
  },
  {
    name: "samples-from",
    type: "file",
    bundled: [],
    arg: "FILE",
    help:
      "HDF5 mixture: only the samples FILE lists (one ID per line: obs names, or ARCHS4 geo_accession),\n" +
      "in its order; a missing ID is an error",
    hosts: ALL,
    page: { id: "samples-from", label: "Only the samples listed in (one ID per line)", group: "hdf5", accept: ".txt,.tsv,.csv" },
  },
];
const GENE_MATCH: OptionSpec = {
  name: "gene-match",
  type: "choice",
  choices: ["current", "exact"],
  default: "current",
  arg: "M",
  help:
    "current (default): a signature/set gene absent under its own name takes the mixture row\n" +
    "naming the same gene by its current HGNC symbol or an unambiguous previous name;\n" +
    "exact: names as given (as the R tools)",
  hosts: ALL,
  page: {
    id: "gene-match",
    label: "Gene names",
    group: "common",
    choiceLabels: { current: "meet on current HGNC symbols", exact: "exactly as given" },
  },
};
/** How every method reads its mixture (the deconvolution methods take --scale before these). */
const READ_OPTIONS: readonly OptionSpec[] = [DUPLICATES, LAYOUT, ...MIXTURE_OPTIONS, ...HDF5_INPUT, GENE_MATCH];
const SIGNATURE_PAGE: PageControl = {
  id: "signature",
  testid: "signature-input",
  label: "Signature (CIBERSORT, NNLS; optional; default: bundled LM22)",
  group: "input",
  accept: ".tsv,.txt,.csv,.gz,.gct,.arrow",
};
const MRNA_SCALING_HELP = "mRNA per cell 1 for every type (immunedeconv's scale_mrna = FALSE)";

const CIBERSORT_OPTIONS: readonly OptionSpec[] = [
  {
    name: "signature",
    type: "file",
    bundled: ["LM22"],
    default: "LM22",
    arg: "F",
    help: "signature matrix, genes × cell types (a file), or LM22 (bundled; default)",
    hosts: ALL,
    page: SIGNATURE_PAGE,
  },
  {
    name: "perm",
    type: "integer",
    min: 0,
    default: 100,
    arg: "N",
    help: "permutations for P-values (default 100; 0 gives P-value 9999 as in R)",
    hosts: ALL,
    page: { id: "perm", label: "Permutations", group: "cibersort" },
  },
  {
    name: "seed",
    type: "integer",
    min: -(2 ** 31 - 1),
    max: 2 ** 31 - 1,
    default: 1,
    arg: "S",
    help: "R set.seed value for the permutations (default 1)",
    hosts: ALL,
    page: { id: "seed", label: "Seed", group: "cibersort" },
  },
  {
    name: "qn",
    type: "boolean",
    default: false,
    help: "quantile-normalise the mixture (default off: RNA-seq practice; on for arrays)",
    hosts: ALL,
    page: { id: "qn", label: "Quantile normalisation (QN; arrays)", group: "cibersort" },
  },
  {
    name: "solver",
    type: "choice",
    choices: ["libsvm", "exact"],
    default: "libsvm",
    arg: "S",
    help: "libsvm (default: R's e1071 to the bit) or exact (the true ν-SVR optimum)",
    hosts: ALL,
    page: {
      id: "solver",
      testid: "solver-select",
      label: "Solver",
      group: "cibersort",
      choiceLabels: { libsvm: "R-identical (libsvm trajectory)", exact: "exact (true ν-SVR optimum)" },
    },
  },
  {
    name: "absolute",
    type: "choice",
    choices: ["sig.score", "no.sumto1"],
    arg: "M",
    help: "absolute mode: sig.score or no.sumto1 (default off: relative fractions)",
    hosts: ALL,
    page: { id: "absolute", label: "Absolute mode", group: "cibersort", choiceLabels: { "": "off (relative fractions)" } },
  },
  SCALE,
  ...READ_OPTIONS,
  {
    name: "threads",
    type: "integer",
    min: 1,
    arg: "N",
    help: "worker threads for the fits and for reading a large mixture (default: available cores); results never depend on it",
    hosts: NO_PAGE,
  },
];

const NNLS_OPTIONS: readonly OptionSpec[] = [
  {
    name: "signature",
    type: "file",
    bundled: ["LM22", "TIL10"],
    default: "LM22",
    arg: "S",
    help:
      "signature matrix, genes × cell types: a file, LM22 (bundled; default) or TIL10\n" +
      "(bundled quanTIseq signature, used plainly: no gene removal, no mRNA scaling)",
    hosts: ALL,
    page: SIGNATURE_PAGE,
  },
  { name: "coefficients", type: "boolean", default: false, help: "write the raw NNLS coefficients instead of fractions", hosts: NO_PAGE },
  SCALE,
  ...READ_OPTIONS,
];

const QUANTISEQ_OPTIONS: readonly OptionSpec[] = [
  {
    name: "tumor",
    type: "boolean",
    default: false,
    help: "tumour samples: also remove the 17 TCGA-aberrant genes (immunedeconv's default)",
    hosts: ALL,
    page: { id: "q-tumor", label: "Tumour samples (also remove the TCGA-aberrant genes)", group: "quantiseq" },
  },
  {
    name: "arrays",
    type: "boolean",
    default: false,
    help: "microarray data: quantile-normalise, keep the RNA-seq-specific genes",
    hosts: ALL,
    page: { id: "q-arrays", label: "Microarray data (quantile-normalise, keep RNA-seq-specific genes)", group: "quantiseq" },
  },
  {
    name: "mrna-scaling",
    type: "boolean",
    default: true,
    help: "report mRNA fractions (no mRNA scaling)",
    hosts: ALL,
    page: { id: "q-mrna", label: "mRNA scaling (cell fractions; off: mRNA fractions)", group: "quantiseq" },
  },
  SCALE,
  ...READ_OPTIONS,
];

const EPIC_OPTIONS: readonly OptionSpec[] = [
  {
    name: "reference",
    type: "file",
    bundled: ["TRef", "BRef"],
    default: "TRef",
    arg: "R",
    help:
      "TRef (tumour-infiltrating cells; default), BRef (blood), or a directory with\n" +
      "refProfiles.tsv[.gz], refProfiles_var.tsv[.gz] and sigGenes.tsv",
    hosts: ALL,
    page: {
      id: "epic-reference",
      testid: "epic-reference-input",
      label: "EPIC reference files (3)",
      group: "epic",
      accept: ".tsv,.gz,.txt",
      multiple: true,
      hint:
        "EPIC's TRef/BRef profiles are licensed for academic non-commercial use and are not shipped with cellfrac. If you have them, " +
        "choose the three files of a reference: refProfiles.tsv[.gz], refProfiles_var.tsv[.gz] and sigGenes.tsv (EPIC_TRef_… names work " +
        "too). They are read in this page only.",
    },
  },
  {
    name: "epic-data",
    type: "text",
    arg: "DIR",
    help:
      "where TRef/BRef live (files EPIC_<R>_refProfiles.tsv.gz, EPIC_<R>_refProfiles_var.tsv.gz,\n" +
      "EPIC_<R>_sigGenes.tsv); default $CELLFRAC_EPIC_DATA, then data/epic. EPIC's\n" +
      "profiles are licensed for academic non-commercial use and not shipped with cellfrac",
    hosts: NO_PAGE,
  },
  {
    name: "other-cells",
    type: "boolean",
    default: true,
    help: 'no "other cells" fraction (fractions of the reference cell types sum to 1)',
    hosts: ALL,
    page: { id: "e-other", label: '"Other cells" fraction (uncharacterised cells, e.g. tumour)', group: "epic" },
  },
  {
    name: "mrna-scaling",
    type: "boolean",
    default: true,
    help: MRNA_SCALING_HELP,
    hosts: ALL,
    page: { id: "e-mrna", label: "mRNA scaling (EPIC's mRNA per cell)", group: "epic" },
  },
  {
    name: "mrna-proportions",
    type: "boolean",
    default: false,
    help: "report mRNA proportions instead of cell fractions",
    hosts: ALL,
    page: { id: "e-proportions", label: "Report mRNA proportions", group: "epic" },
  },
  SCALE,
  ...READ_OPTIONS,
];

const GENE_SETS_HINT = "a .gmt/.tsv file, ESTIMATE, MCPcounter or Danaher";
function geneSetsOption(def?: string): OptionSpec {
  return {
    name: "gene-sets",
    type: "file",
    bundled: ["ESTIMATE", "MCPcounter", "Danaher"],
    default: def,
    required: GENE_SETS_HINT,
    arg: "S",
    help:
      "a .gmt file, a TSV with a header (set and gene columns found by their values),\n" +
      "or a bundled set: ESTIMATE, MCPcounter, Danaher",
    hosts: ALL,
    page: {
      id: "geneset-file",
      testid: "geneset-input",
      label: "Gene-set file (.gmt, or a TSV with a set and a gene column; optionally .gz)",
      group: "score",
      accept: ".gmt,.tsv,.txt,.csv,.gz",
      select: {
        id: "genesets",
        testid: "genesets-select",
        label: "Gene sets",
        choiceLabels: {
          "": "the method's default (MCP-counter: MCPcounter, ESTIMATE: ESTIMATE)",
          ESTIMATE: "ESTIMATE (bundled)",
          MCPcounter: "MCPcounter (bundled)",
          Danaher: "Danaher 2017 (bundled)",
          file: "the gene-set file below",
        },
      },
    },
  };
}

function scoreOptions(defaultSets?: string, ...own: OptionSpec[]): OptionSpec[] {
  return [
    geneSetsOption(defaultSets),
    {
      name: "set-column",
      type: "text",
      arg: "NAME",
      help: "TSV: the column holding set names (default: of the other columns, the one with the fewest distinct values)",
      hosts: ALL,
      page: { id: "set-column", label: "TSV set column", group: "score", placeholder: "detected" },
    },
    {
      name: "gene-column",
      type: "text",
      arg: "NAME",
      help: "TSV: the column holding gene symbols (default: the column whose values are the mixture's genes)",
      hosts: ALL,
      page: { id: "gene-column", label: "TSV gene column", group: "score", placeholder: "detected" },
    },
    {
      name: "transform",
      type: "choice",
      choices: ["none", "log2p1"],
      default: "none",
      arg: "T",
      help: "none (default: values as given) or log2p1 (score log2(x + 1), e.g. for TPM)",
      hosts: ALL,
      page: {
        id: "transform",
        label: "Transform",
        group: "score",
        choiceLabels: { none: "none (values as given)", log2p1: "log2(x + 1) (e.g. TPM)" },
      },
    },
    ...own,
    ...READ_OPTIONS,
  ];
}

/** GMT files name sets and genes per line: the TSV column options do not apply. */
function checkGeneSetColumns(v: OptionValues): void {
  const sets = v.geneSets as FileRef | undefined;
  const name = sets === undefined ? "" : typeof sets === "string" ? sets : sets.name;
  if ((v.setColumn || v.geneColumn) && /\.gmt(\.gz)?$/i.test(name)) {
    throw new UsageError("--set-column/--gene-column apply to TSV gene-set files, not GMT");
  }
}

// ---- running ----

/**
 * The mixture with rows renamed to the names `wanted` (a signature's genes, gene sets) uses, where both
 * name one gene (genes.ts meetGenes), unless --gene-match exact. `done` adds the renames and the absent
 * genes with ambiguous names to the method's table, for its coverage report.
 */
export function meetMixture(mixture: Matrix, wanted: Iterable<string>, v: OptionValues, ctx: RunContext) {
  const met = v.geneMatch === "exact" ? { mixture, renamed: [], ambiguous: [] } : meetGenes(mixture, wanted);
  const done = (t: MethodTable): MethodTable => {
    if (met.renamed.length) t.renamed = met.renamed;
    if (met.ambiguous.length) {
      const list = met.ambiguous.join(", ");
      const w = `${met.ambiguous.length} genes absent whose names belong to several genes (not matched by other names): ${list}`;
      t.warnings.push(w);
      ctx.onWarning?.(w);
    }
    return t;
  };
  return { mixture: met.mixture, done };
}

/** The signature option's matrix and the name messages use (as given, or the file's name). */
export async function methodSignature(m: MethodSpec, v: OptionValues, host: MethodHost): Promise<{ name: string; matrix: Matrix }> {
  const o = m.options.find((x) => x.name === "signature");
  const ref = v.signature as FileRef;
  if (o?.type !== "file") throw new Error(`${m.name} takes no signature`);
  const key = bundledKey(ref, o.bundled);
  const name = typeof ref === "string" ? ref : ref.name;
  return { name, matrix: key ? await host.bundledSignature(key) : await host.signatureFile(ref) };
}

const scale = (v: OptionValues) => v.scale as "auto" | "linear" | "log2";

/**
 * NNLS's, quanTIseq's and EPIC's run: the mixture met with the genes the method looks up, `solve` on it with
 * the options the three share, the renames added to its table.
 */
async function deconvolve(
  mixture: Matrix,
  wanted: Iterable<string>,
  v: OptionValues,
  ctx: RunContext,
  solve: (mixture: Matrix, shared: DeconvRunOptions) => Promise<MethodTable>,
): Promise<MethodOutput> {
  const met = meetMixture(mixture, wanted, v, ctx);
  const table = await solve(met.mixture, { scale: scale(v), mixtureMax: ctx.mixtureMax, onWarning: ctx.onWarning });
  return { table: met.done(table) };
}

type ScoreInputs = Awaited<ReturnType<typeof scoreInputs>>;
async function scoreInputs(v: OptionValues, ctx: RunContext, mixture: Matrix) {
  const geneSets = await ctx.host.geneSets(v.geneSets as FileRef, {
    setColumn: v.setColumn as string | undefined,
    geneColumn: v.geneColumn as string | undefined,
    genes: new Set(mixture.rows),
  });
  return { geneSets, transform: v.transform as "none" | "log2p1", onWarning: ctx.onWarning };
}

function scoreMethod(
  name: string,
  title: string,
  summary: string,
  page: MethodSpec["page"],
  options: readonly OptionSpec[],
  run: (mixture: Matrix, v: OptionValues, ctx: RunContext, inputs: ScoreInputs) => Promise<MethodTable>,
  /** Genes the method looks up besides the sets' (ESTIMATE's common genes). */
  alsoWanted?: (ctx: RunContext) => Promise<Iterable<string>>,
): MethodSpec {
  return {
    name,
    title,
    kind: "scores",
    summary,
    options,
    page,
    check: checkGeneSetColumns,
    run: async (m, v, ctx) => {
      const inputs = await scoreInputs(v, ctx, m);
      const wanted = inputs.geneSets.flatMap((s) => s.genes).concat([...((await alsoWanted?.(ctx)) ?? [])]);
      const met = meetMixture(m, wanted, v, ctx);
      return { table: met.done(await run(met.mixture, v, ctx, inputs)) };
    },
    // ssGSEA divides by the range of the whole score matrix: the merge does it (the shards write raw scores).
    ...(name === "ssgsea" && { shards: { inMerge: "normalize" } }),
  };
}

/** mean, zscore and pc1 (src/core/methods/sigscore.ts). */
function sigScore(kind: "mean" | "zscore" | "pc1", title: string, summary: string, page: MethodSpec["page"]): MethodSpec {
  const spec = scoreMethod(kind, title, summary, page, scoreOptions(), async (mixture, _v, _ctx, inputs) => {
    const { signatureScores } = await import("./methods/sigscore.js");
    return signatureScores(kind, mixture, inputs);
  });
  const refuse = () => `--method ${kind} standardises across samples: it cannot run on a part of them`;
  return kind === "mean" ? spec : { ...spec, shards: { refuse } };
}

const CIBERSORT: MethodSpec = {
  name: "cibersort",
  title: "CIBERSORT",
  kind: "fractions",
  summary: "CIBERSORT v1.04, R-identical",
  options: CIBERSORT_OPTIONS,
  page: {
    label: "CIBERSORT v1.04 (R-identical)",
    help:
      "CIBERSORT v1.04 as “cellfrac cibersort”: ν-SVR on the bundled LM22 or your signature, with permutation P-values. " +
      "The exact solver gives the true ν-SVR optimum instead of R's libsvm trajectory.",
  },
  describe: (v) => `CIBERSORT (${v.solver === "exact" ? "exact" : "R-identical"} solver, ${v.perm} permutations)`,
  shards: { plan: true },
  async run(mixture, v, ctx) {
    const [{ cibersortMatrices }, { cibersortTable }] = await Promise.all([
      import("./cibersort/index.js"),
      import("./methods/cibersort-table.js"),
    ]);
    const sig = await methodSignature(CIBERSORT, v, ctx.host);
    const met = meetMixture(mixture, sig.matrix.rows, v, ctx);
    const res = await cibersortMatrices(
      met.mixture,
      sig.matrix,
      {
        perm: v.perm as number,
        seed: v.seed as number,
        qn: v.qn as boolean,
        absolute: (v.absolute as "sig.score" | "no.sumto1" | undefined) ?? false,
        scale: scale(v),
        threads: v.threads as number | undefined,
        solver: v.solver as "libsvm" | "exact",
        mixtureMax: ctx.mixtureMax,
        onWarning: ctx.onWarning,
        onProgress: ctx.onProgress,
        names: { mixture: ctx.mixtureName, signature: sig.name },
        cohort: ctx.cohort,
        columns: ctx.columns,
      },
      ctx.host.core,
      ctx.host.fitRunner,
    );
    const { used, total, missing } = res.diagnostics.signatureCoverage;
    return { table: met.done({ ...cibersortTable(res), coverage: [{ name: sig.name, found: used, total, missing }] }), cibersort: res };
  },
};

const NNLS: MethodSpec = {
  name: "nnls",
  title: "NNLS",
  kind: "fractions",
  summary: "NNLS deconvolution (Lawson–Hanson, as R nnls)",
  options: NNLS_OPTIONS,
  page: {
    label: "NNLS (R nnls, Lawson–Hanson) on the signature",
    help: "Non-negative least squares on the signature (LM22 or yours), as “cellfrac nnls”. The CIBERSORT options are off.",
  },
  async run(mixture, v, ctx) {
    const { nnlsDeconvolve } = await import("./methods/nnls.js");
    const sig = await methodSignature(NNLS, v, ctx.host);
    return deconvolve(mixture, sig.matrix.rows, v, ctx, (met, shared) =>
      nnlsDeconvolve(met, {
        ...shared,
        signature: sig.matrix,
        signatureName: sig.name,
        coefficients: v.coefficients as boolean | undefined,
        onProgress: ctx.onProgress,
      }),
    );
  },
};

const QUANTISEQ: MethodSpec = {
  name: "quantiseq",
  title: "quanTIseq",
  kind: "fractions",
  summary: "quanTIseq cell fractions (TIL10 + Other)",
  options: QUANTISEQ_OPTIONS,
  page: {
    label: "quanTIseq (bundled TIL10)",
    help: "quanTIseq with the bundled TIL10 signature (10 cell types + Other), as “cellfrac quantiseq”. Give TPM-like expression.",
  },
  shards: { refuse: (v) => (v.arrays ? "--arrays quantile-normalises across samples: it cannot run on a part of them" : undefined) },
  async run(mixture, v, ctx) {
    const { loadTil10, quantiseqDeconvolve } = await import("./methods/quantiseq.js");
    const til10 = (await ctx.host.til10?.()) ?? loadTil10();
    const wanted = [...til10.signature.rows, ...til10.rmGenes, ...til10.aberrantGenes];
    return deconvolve(mixture, wanted, v, ctx, (met, shared) =>
      quantiseqDeconvolve(met, {
        ...shared,
        til10,
        tumor: v.tumor as boolean,
        arrays: v.arrays as boolean,
        scaleMRNA: v.mrnaScaling as boolean,
      }),
    );
  },
};

const EPIC: MethodSpec = {
  name: "epic",
  title: "EPIC",
  kind: "fractions",
  summary: "EPIC cell fractions incl. uncharacterised cells",
  options: EPIC_OPTIONS,
  page: {
    label: "EPIC (with your copy of its reference)",
    help:
      "EPIC, as “cellfrac epic --reference <dir>”. Its reference profiles are not shipped (academic non-commercial licence): " +
      "choose your copy's three files under EPIC options.",
  },
  shards: {
    // EPIC keeps the genes measured in some sample: with missing values that depends on the other samples.
    refuse: (_, m) =>
      m?.data.some(Number.isNaN) ? "EPIC's gene filter looks at every sample: a mixture with missing values cannot be split" : undefined,
  },
  check(v) {
    if (!v.mrnaScaling && v.mrnaProportions)
      throw new UsageError(optionMessages.conflict("--no-mrna-scaling", "--mrna-proportions", "give the same numbers; use one"));
  },
  async run(mixture, v, ctx) {
    const { EPIC_MRNA_CELL, epicDeconvolve } = await import("./methods/epic.js");
    const reference = await ctx.host.epicReference(v.reference as FileRef | NamedBytes[], v.epicData as string | undefined);
    return deconvolve(mixture, reference.profiles.rows, v, ctx, (met, shared) =>
      epicDeconvolve(met, {
        ...shared,
        reference,
        withOtherCells: v.otherCells as boolean,
        mRNACell: v.mrnaScaling ? EPIC_MRNA_CELL : { default: 1 },
        mRNAProportions: v.mrnaProportions as boolean,
      }),
    );
  },
};

const SCORES: readonly MethodSpec[] = [
  scoreMethod(
    "ssgsea",
    "ssGSEA",
    "ssGSEA exactly as GSVA 1.46 (tau 0.25); scores divided by the range of the whole\nscore matrix unless --no-normalize",
    {
      label: "ssGSEA (GSVA 1.46)",
      help: "ssGSEA scores (GSVA 1.46), as “cellfrac score --method ssgsea”: choose bundled gene sets or a GMT/TSV file.",
    },
    scoreOptions(undefined, {
      name: "normalize",
      type: "boolean",
      default: true,
      help: "ssgsea: raw enrichment scores (GSVA ssgsea.norm = FALSE)",
      hosts: ALL,
      page: { id: "normalize", label: "ssGSEA: divide by the score range", group: "score" },
    }),
    async (mixture, v, _ctx, inputs) =>
      (await import("./methods/ssgsea.js")).ssgsea.run(mixture, { ...inputs, normalize: v.normalize as boolean }),
  ),
  scoreMethod(
    "singscore",
    "singscore",
    'singscore per sample; sets "<name>_UP" + "<name>_DN" are scored as one up/down pair',
    {
      label: "singscore",
      help: "singscore per sample, as “cellfrac score --method singscore”; sets <name>_UP and <name>_DN are scored as a pair.",
    },
    scoreOptions(),
    async (mixture, _v, _ctx, inputs) => (await import("./methods/singscore.js")).singscore.run(mixture, inputs),
  ),
  scoreMethod(
    "mcpcounter",
    "MCP-counter",
    "MCP-counter: mean of the markers present (default --gene-sets MCPcounter)",
    {
      label: "MCP-counter",
      help: "MCP-counter: mean of the population markers (default: bundled MCPcounter markers), as “cellfrac score --method mcpcounter”.",
    },
    scoreOptions("MCPcounter"),
    async (mixture, _v, _ctx, inputs) => (await import("./methods/mcpcounter.js")).mcpcounter.run(mixture, inputs),
  ),
  scoreMethod(
    "estimate",
    "ESTIMATE",
    "ESTIMATE stromal/immune/ESTIMATE score and tumour purity (default --gene-sets ESTIMATE)",
    {
      label: "ESTIMATE (stromal, immune, purity)",
      help:
        "ESTIMATE stromal, immune and ESTIMATE scores and tumour purity (default: bundled ESTIMATE sets), " +
        "as “cellfrac score --method estimate”.",
    },
    scoreOptions("ESTIMATE"),
    async (mixture, _v, ctx, inputs) => {
      const { estimate } = await import("./methods/estimate.js");
      return estimate.run(mixture, { ...inputs, commonGenes: await ctx.host.estimateCommonGenes?.() });
    },
    async (ctx) => (await ctx.host.estimateCommonGenes?.()) ?? (await import("./methods/estimate.js")).estimateCommonGenes(),
  ),
  sigScore("mean", "mean score", "mean value of the set's genes", {
    label: "mean of the set's genes",
    help: "Mean value of each set's genes, as “cellfrac score --method mean”: choose gene sets.",
  }),
  sigScore("zscore", "z-score", "mean of the set's genes standardised across samples", {
    label: "z-score of the set's genes",
    help: "Mean of each set's genes standardised across samples, as “cellfrac score --method zscore”: choose gene sets.",
  }),
  sigScore("pc1", "PC1 score", "first principal component of the set's standardised genes (sign: the loadings sum > 0)", {
    label: "first principal component of the set's genes",
    help: "First principal component of each set's standardised genes, as “cellfrac score --method pc1”: choose gene sets.",
  }),
];

/** Every method, deconvolution first, in the order the page lists them. */
export const METHODS: readonly MethodSpec[] = [CIBERSORT, NNLS, QUANTISEQ, EPIC, ...SCORES];

/** The method called `name`; UsageError naming the choices otherwise. */
export function methodByName(name: string, among: readonly MethodSpec[] = METHODS, flag = "--method"): MethodSpec {
  const m = among.find((x) => x.name === name);
  if (!m)
    throw new UsageError(
      optionMessages.choice(
        flag,
        among.map((x) => x.name),
        name,
      ),
    );
  return m;
}
