#!/usr/bin/env node
// Copies the reference outputs and input data the tests read from the steering repository's shared/
// folder into test/golden/, gzipped, so that a clone can test itself with nothing beside it.
// Usage: node test/golden/extract.mjs [path/to/shared]   (default: ../shared beside the repository)
// The same list (goldenFiles) and transformation (goldenContent) drive test/golden.test.ts, which checks
// that every file here still equals its source when shared/ is present.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";

export const GOLDEN_DIR = fileURLToPath(new URL("./", import.meta.url));
export const DEFAULT_SHARED = fileURLToPath(new URL("../../../shared/", import.meta.url));

/** Per method, the case files the tests read (a file a case does not have is skipped). */
const CASE_FILES = {
  cibersort: [
    "result.tsv",
    "genes.tsv",
    "X_standardized.tsv",
    "mixture_preprocessed.tsv",
    "corealg_unrounded.tsv",
    "sample1_y_standardized.tsv",
    "sample1_nu_dual_coefs.tsv",
    "sample1_nu_models.tsv",
    "perm1_draw.tsv",
    "nulldist_sorted.tsv",
    "sample1_exact_optimum.tsv",
    "exact_optimum_all.tsv",
  ],
  nnls: ["coefficients.tsv", "fractions.tsv", "genes.tsv", "fit_stats.tsv"],
  ssgsea: ["scores.tsv", "genesets_used.tsv"],
  mcp_mean: ["scores.tsv", "markers_used.tsv"],
  quantiseq: ["fractions.tsv"],
  epic: ["TRef_fractions.tsv", "BRef_fractions.tsv"],
  singscore: ["scores.tsv"],
  estimate: ["scores.tsv"],
};

/** Other files the tests read (paths under shared/). The MANIFEST's cases and their inputs are added from it. */
const EXTRA_FILES = [
  "reference/cibersort_lm6_linsley2014_noqn_perm0/CIBERSORT-Results.txt", // the file the script writes (compare.test)
  "data/finotello2019_pbmc_gse107572/GSE107572_facs_fractions.tsv",
  "data/finotello2019_pbmc_gse107572/GSE107572_counts_8samples.tsv.gz",
  "data/racle2017_melanoma_lymphnode_gse93722/GSE93722_tpm.tsv.gz",
  "data/racle2017_melanoma_lymphnode_gse93722/reference_outputs/EPIC_TRef_cellFractions_from_EPIC_package.tsv",
  "data/mcpcounter_markers/MCPcounter_genes.tsv",
  "data/epic_reference_profiles/EPIC_mRNA_cell_default.tsv",
  ...["TRef", "BRef"].flatMap((r) => [
    `data/epic_reference_profiles/EPIC_${r}_refProfiles.tsv.gz`,
    `data/epic_reference_profiles/EPIC_${r}_refProfiles_var.tsv.gz`,
    `data/epic_reference_profiles/EPIC_${r}_sigGenes.tsv`,
  ]),
  "data/epic_reference_profiles/EPIC_BRef_refProfiles_sigGenes.tsv",
  "data/epic_reference_profiles/EPIC_BRef_refProfiles_var_sigGenes.tsv",
];

/** The mixtures EPIC runs on in the tests: its full profiles keep only their genes (and its signature genes). */
const EPIC_MIXTURES = [
  "data/racle2017_melanoma_lymphnode_gse93722/GSE93722_tpm.tsv.gz",
  "data/finotello2019_pbmc_gse107572/GSE107572_tpm.tsv.gz",
  "data/linsley2014_whole_blood_gse60424/GSE60424_wholeblood_normalized_counts.tsv.gz",
];

/** SCAN-B: the cases use its first 100 samples (ssGSEA) and 60 (CIBERSORT); the other 300 are left out. */
const FIRST_COLUMNS = { "data/scanb_breast_gse96058_subset400/GSE96058_subset400_log2fpkm.tsv.gz": 100 };

function text(path) {
  const bytes = readFileSync(path);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
}

function manifest(shared) {
  const [head, ...rows] = text(join(shared, "reference/MANIFEST.tsv"))
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

/** Every golden file as its path under shared/ (the golden file is that path, with ".gz" unless it has it). */
export function goldenFiles(shared = DEFAULT_SHARED) {
  const files = new Set(["reference/MANIFEST.tsv"]);
  for (const c of manifest(shared)) {
    const want = CASE_FILES[c.method];
    if (!want) throw new Error(`extract.mjs: no file list for method "${c.method}" (case ${c.case})`);
    for (const f of want) if (existsSync(join(shared, "reference", c.case, f))) files.add(`reference/${c.case}/${f}`);
    if (c.input.startsWith("data/")) files.add(c.input);
    if (c.signature_or_gene_sets.startsWith("data/") && /\.tsv(\.gz)?$/.test(c.signature_or_gene_sets)) files.add(c.signature_or_gene_sets);
  }
  for (const f of EXTRA_FILES) files.add(f);
  return [...files].sort();
}

export const goldenPath = (rel) => join(GOLDEN_DIR, rel.endsWith(".gz") ? rel : `${rel}.gz`);

let epicGenes;
/** The text a golden file holds (decompressed): its source, trimmed where this script says so. */
export function goldenContent(rel, shared = DEFAULT_SHARED) {
  const src = text(join(shared, rel));
  const n = FIRST_COLUMNS[rel];
  if (n !== undefined)
    return src
      .split("\n")
      .map((l) =>
        l === ""
          ? l
          : l
              .split("\t")
              .slice(0, n + 1)
              .join("\t"),
      )
      .join("\n");
  if (/^data\/epic_reference_profiles\/EPIC_\wRef_refProfiles(_var)?\.tsv\.gz$/.test(rel)) {
    epicGenes ??= new Map();
    if (!epicGenes.has(shared)) {
      const keep = new Set();
      for (const m of EPIC_MIXTURES) for (const l of text(join(shared, m)).split("\n").slice(1)) keep.add(l.split("\t")[0]);
      for (const r of ["TRef", "BRef"])
        for (const g of text(join(shared, `data/epic_reference_profiles/EPIC_${r}_sigGenes.tsv`)).split("\n")) keep.add(g.split("\t")[0]);
      epicGenes.set(shared, keep);
    }
    const keep = epicGenes.get(shared);
    return src
      .split("\n")
      .filter((l, i) => i === 0 || l === "" || keep.has(l.split("\t")[0]))
      .join("\n");
  }
  return src;
}

/** Whether the golden file can be the source's bytes (gzipped sources copied as they are). */
const copiedAsIs = (rel) => rel.endsWith(".gz") && FIRST_COLUMNS[rel] === undefined && !/EPIC_\wRef_refProfiles/.test(rel);

function extract(shared) {
  const files = goldenFiles(shared);
  for (const top of ["data", "reference"]) rmSync(join(GOLDEN_DIR, top), { recursive: true, force: true });
  for (const rel of files) {
    const out = goldenPath(rel);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, copiedAsIs(rel) ? readFileSync(join(shared, rel)) : gzipSync(goldenContent(rel, shared), { level: 9 }));
  }
  const count = (d) => readdirSync(d, { recursive: true }).filter((f) => f.endsWith(".gz")).length;
  console.log(
    `test/golden: ${files.length} files (${count(join(GOLDEN_DIR, "data"))} data, ${count(join(GOLDEN_DIR, "reference"))} reference)`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const shared = process.argv[2] ?? DEFAULT_SHARED;
  if (!existsSync(join(shared, "reference/MANIFEST.tsv"))) {
    console.error(`extract.mjs: no reference/MANIFEST.tsv in ${shared}`);
    process.exit(2);
  }
  extract(shared.endsWith("/") ? shared : `${shared}/`);
}
