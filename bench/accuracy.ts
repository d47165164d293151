// Accuracy report: every available cellfrac method on every ground-truth set of the shared data folder,
// r and RMSE per cell type (or lineage) against the measured truth, next to the published outputs stored
// beside those sets (compared with the same code). Writes bench/ACCURACY.md.
//   node --import tsx bench/accuracy.ts [--threads N]
// Methods are reached through the public API (src/index.ts) only: a runner whose function is not
// exported is skipped, and any further exported Method object (id, title, run) is tried with defaults,
// so methods that land later show up when this is rerun.
import { execSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import * as api from "../src/node/index.js";
import type { CompareReport, Matrix } from "../src/node/index.js";
import type { Method, MethodTable } from "../src/core/methods/types.js";

const DATA = new URL("../../shared/data/", import.meta.url).pathname;
const OUT = new URL("./ACCURACY.md", import.meta.url).pathname;
const { values: args } = parseArgs({ options: { threads: { type: "string" } } });
const THREADS = Number(args.threads ?? 2);

interface Dataset {
  id: string;
  title: string;
  mixture: string;
  truth: string;
  /**
   * Microarray intensities: CIBERSORT with quantile normalisation, quanTIseq --arrays. (Every set here is
   * linear-scale, so MCP-counter always scores log2(x + 1).)
   */
  array: boolean;
  /** Published outputs stored beside the set: label → file. */
  published: [string, string][];
  note: string;
}

const gldadec = (dir: string, gse: string): [string, string][] =>
  ["CIBERSORT", "EPIC", "NNLS", "FARDEEP", "DCQ", "RLR", "ElasticNet"].map((m) => [
    `${m} LM22 (GLDADec)`,
    `${dir}/reference_outputs_gldadec/${m}_${gse}_LM22_Results.tsv`,
  ]);

const DATASETS: Dataset[] = [
  {
    id: "cibersort_example_mixtures",
    title: "CIBERSORT example mixtures (5 in-silico mixtures of LM22 profiles, exact fractions of the 22 types)",
    mixture: "cibersort_example_mixtures/ExampleMixtures_GEPs.tsv",
    truth: "cibersort_example_mixtures/ExampleMixtures_GroundTruth.tsv",
    array: false,
    published: [],
    note: "Built from LM22 itself, so LM22 methods should recover it almost exactly.",
  },
  {
    id: "gse65133_pbmc_array",
    title: "GSE65133: 20 PBMC arrays (Illumina HT-12, only the 511 LM22 genes on the array), flow cytometry of 9 types",
    mixture: "gse65133_pbmc_array/GSE65133_expression_LM22genes.tsv",
    truth: "gse65133_pbmc_array/GSE65133_flow_cytometry_9types_percent.tsv",
    array: true,
    published: gldadec("gse65133_pbmc_array", "GSE65133"),
    note:
      "Published outputs were computed on the full-transcriptome matrix, which is not available here; ours see only 511 genes " +
      "(methods with other signatures see few of their genes).",
  },
  {
    id: "finotello2019_pbmc_gse107572",
    title: "GSE107572 (Finotello 2019): 9 blood-derived immune-cell mixtures, RNA-seq TPM, flow cytometry of 8 types + Other",
    mixture: "finotello2019_pbmc_gse107572/GSE107572_tpm.tsv.gz",
    truth: "finotello2019_pbmc_gse107572/GSE107572_facs_fractions.tsv",
    array: false,
    published: gldadec("finotello2019_pbmc_gse107572", "GSE107572"),
    note:
      "GLDADec's outputs used its own count-scale matrix of the same samples " +
      "(reference_outputs_gldadec/GSE107572_expression_as_used_by_gldadec.tsv.gz), ours the TPM matrix.",
  },
  {
    id: "racle2017_melanoma_lymphnode_gse93722",
    title: "GSE93722 (Racle 2017): 4 melanoma lymph-node metastases, RNA-seq TPM, FACS (B, CD4, CD8, NK, cancer, other)",
    mixture: "racle2017_melanoma_lymphnode_gse93722/GSE93722_tpm.tsv.gz",
    truth: "racle2017_melanoma_lymphnode_gse93722/GSE93722_facs_fractions.tsv",
    array: false,
    published: [
      ["EPIC TRef (EPIC package)", "racle2017_melanoma_lymphnode_gse93722/reference_outputs/EPIC_TRef_cellFractions_from_EPIC_package.tsv"],
    ],
    note: "4 samples: every r rests on 4 points.",
  },
  {
    id: "linsley2014_whole_blood_gse60424",
    title: "GSE60424 (Linsley 2014): 5 whole-blood RNA-seq samples, blood counts (lymphocytes, monocytes, neutrophils, other)",
    mixture: "linsley2014_whole_blood_gse60424/GSE60424_wholeblood_normalized_counts.tsv.gz",
    truth: "linsley2014_whole_blood_gse60424/GSE60424_cell_fractions.tsv",
    array: false,
    published: gldadec("linsley2014_whole_blood_gse60424", "GSE60424"),
    note: "Coarse truth (3 lineages); LM6 was built from sorted cells of the same GEO series, so LM6 here is not independent.",
  },
];

type Runner = {
  label: string;
  /** Scores, not fractions: only r is shown. */
  scores?: boolean;
  run: (mix: Matrix, ds: Dataset, warn: (m: string) => void) => Promise<MethodTable> | undefined;
};

const sig = (file: string, name: string) => api.readMatrix(DATA + file, { what: "signature", name });
const EPIC_DATA = `${DATA}epic_reference_profiles`;

/** Explicit runners: methods that need a signature or options. undefined = that function is not exported (yet). */
const RUNNERS: Runner[] = [
  {
    label: "CIBERSORT LM22",
    run: async (mix, ds, warn) =>
      api.cibersortTable(await api.cibersort(mix, { signature: "LM22", perm: 0, qn: ds.array, threads: THREADS, onWarning: warn })),
  },
  {
    label: "CIBERSORT LM6",
    run: async (mix, ds, warn) =>
      api.cibersortTable(
        await api.cibersort(mix, {
          signature: sig("lm6_cibersort_rnaseq/LM6_rnaseq_GSE60424.tsv", "LM6"),
          perm: 0,
          qn: ds.array,
          threads: THREADS,
          onWarning: warn,
        }),
      ),
  },
  {
    label: "NNLS LM22",
    run: (mix, _ds, warn) =>
      api.nnlsDeconvolve?.(mix, { signature: sig("lm22_cibersort/LM22.tsv", "LM22"), signatureName: "LM22", onWarning: warn }),
  },
  {
    label: "NNLS TIL10",
    run: (mix, _ds, warn) =>
      api.nnlsDeconvolve?.(mix, {
        signature: sig("til10_quantiseq/TIL10_signature.tsv", "TIL10"),
        signatureName: "TIL10",
        onWarning: warn,
      }),
  },
  {
    label: "EPIC TRef",
    run: (mix, _ds, warn) => api.epicDeconvolve?.(mix, { reference: api.loadEpicReference("TRef", EPIC_DATA), onWarning: warn }),
  },
  {
    label: "EPIC BRef",
    run: (mix, _ds, warn) => api.epicDeconvolve?.(mix, { reference: api.loadEpicReference("BRef", EPIC_DATA), onWarning: warn }),
  },
  { label: "quanTIseq", run: (mix, ds, warn) => api.quantiseqDeconvolve?.(mix, { arrays: ds.array, onWarning: warn }) },
  {
    label: "MCP-counter (scores)",
    scores: true,
    run: (mix, _ds, warn) => api.mcpcounter?.run(mix, { transform: "log2p1", onWarning: warn }),
  },
];

/** Method ids the explicit runners cover, and gene-set scorers with no cell-type truth to meet. */
const COVERED = new Set(["nnls", "epic", "quantiseq", "mcpcounter", "ssgsea", "singscore", "estimate", "mean", "zscore", "pc1"]);

function discoveredRunners(): Runner[] {
  const out: Runner[] = [];
  for (const v of Object.values(api)) {
    const m = v as { id?: unknown; title?: unknown; run?: unknown };
    if (
      m &&
      typeof m === "object" &&
      typeof m.id === "string" &&
      typeof m.title === "string" &&
      typeof m.run === "function" &&
      !COVERED.has(m.id)
    ) {
      const method = v as Method;
      out.push({ label: `${method.id} (defaults)`, run: (mix, _ds, warn) => method.run(mix, { onWarning: warn }) });
    }
  }
  return out;
}

interface Cell {
  label: string;
  scores?: boolean;
  report?: CompareReport;
  error?: string;
  seconds?: number;
}

const fmt = (x: number | null | undefined, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));

async function main() {
  const started = new Date();
  const runners = [...RUNNERS, ...discoveredRunners()];
  const sections: string[] = [];
  const summary: string[] = ["| dataset | method | pooled r | mean r | mean RMSE |", "| --- | --- | --- | --- | --- |"];
  for (const ds of DATASETS) {
    console.error(`== ${ds.id}`);
    const truth = api.readTable(DATA + ds.truth, ds.truth);
    const mix = api.toSymbols(api.readMatrix(DATA + ds.mixture, { what: "mixture", duplicates: "first" }), { duplicates: "mean" });
    const cells: Cell[] = [];
    for (const r of runners) {
      const t0 = performance.now();
      const warnings: string[] = [];
      try {
        const table = await r.run(mix, ds, (w) => warnings.push(w));
        if (!table) continue;
        cells.push({
          label: r.label,
          scores: r.scores,
          report: api.compareTables(api.methodTableToNamed(table, r.label), truth, { by: "lineage" }),
          seconds: (performance.now() - t0) / 1000,
        });
      } catch (e) {
        cells.push({ label: r.label, error: (e as Error).message.split("\n")[0].slice(0, 160) });
      }
      console.error(`   ${r.label}: ${cells.at(-1)?.error ?? "ok"} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    const published: Cell[] = ds.published
      .filter(([, f]) => existsSync(DATA + f))
      .map(([label, f]) => {
        try {
          return { label, report: api.compareTables(api.readTable(DATA + f, f), truth, { by: "lineage" }) };
        } catch (e) {
          return { label, error: (e as Error).message.split("\n")[0] };
        }
      });
    sections.push(section(ds, cells, published));
    for (const c of [...cells, ...published.map((p) => ({ ...p, label: `*${p.label}*` }))]) {
      if (c.report) {
        const o = c.report.overall;
        const pooled = c.scores ? "–" : fmt(o.pooledPearson);
        summary.push(`| ${ds.id} | ${c.label} | ${pooled} | ${fmt(o.meanPearson)} | ${c.scores ? "–" : fmt(o.meanRmse, 3)} |`);
      }
    }
  }
  const commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  const doc = [
    "# cellfrac accuracy against measured ground truth",
    "",
    `Generated by \`node --import tsx bench/accuracy.ts --threads ${THREADS}\` on ${started.toISOString()} at commit \`${commit}\``,
    `(plus uncommitted changes, if any); machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}.`,
    "",
    "Each cell is **r / RMSE** of one method's estimate against the truth over the samples (Pearson r; RMSE in fraction units).",
    "Both sides are summed into the lineages of `data/lineages.tsv` (e.g. LM22's four CD4 subsets into *CD4 T conv*;",
    "`cellfrac compare --by lineage`), so every row means the same cells in every column; a lineage is shown where both",
    "sides measure it. *Pooled r* pools all (sample, lineage) pairs; *mean r* and *mean RMSE* average over lineages.",
    "Columns in *italics* are published outputs stored beside the data set (`../shared/data/<set>/reference_outputs*`),",
    "compared with the same code. MCP-counter gives scores, not fractions: only its per-lineage r is shown. `–`: not",
    "measurable (constant on one side, or the method has no such cell type). Truth in percent is divided by 100.",
    "Settings: CIBERSORT perm 0 (P-values do not change fractions), QN on for the array set only; NNLS and EPIC on",
    "the linear mixture (anti-logged when max < 50); quanTIseq default (no --tumor), --arrays on the array set;",
    "Ensembl rows (none in these sets) would be mapped by `toSymbols`; duplicate symbols: first row kept.",
    "Cross-checks in the tables: *EPIC TRef* on GSE93722 must equal the EPIC package's own output, and *CIBERSORT LM22*",
    "on GSE60424 GLDADec's CIBERSORT (same input, QN off); elsewhere the published runs used other input matrices.",
    "",
    "## Summary",
    "",
    ...summary,
    "",
    ...sections,
  ];
  writeFileSync(OUT, `${doc.join("\n")}\n`);
  console.error(`wrote ${OUT}`);
}

function section(ds: Dataset, cells: Cell[], published: Cell[]): string {
  const all = [...cells, ...published.map((p) => ({ ...p, label: `*${p.label}*` }))];
  const ok = all.filter((c) => c.report);
  const names: string[] = [];
  for (const c of ok) for (const s of c.report!.cellTypes) if (!names.includes(s.cellType)) names.push(s.cellType);
  const lines = [
    `## ${ds.title}`,
    "",
    ...wrap(`Mixture \`${ds.mixture}\`, truth \`${ds.truth}\` (${ok[0]?.report?.samples.length ?? "?"} samples). ${ds.note}`),
    "",
  ];
  lines.push(`| cell type | ${ok.map((c) => c.label).join(" | ")} |`, `| --- |${ok.map(() => " --- |").join("")}`);
  for (const n of names) {
    const row = ok.map((c) => {
      const s = c.report!.cellTypes.find((x) => x.cellType === n);
      return s ? (c.scores ? fmt(s.pearson) : `${fmt(s.pearson)} / ${fmt(s.rmse, 3)}`) : "";
    });
    lines.push(`| ${n} | ${row.join(" | ")} |`);
  }
  const overall = (c: Cell) => (c.scores ? "" : `**${fmt(c.report!.overall.pooledPearson)} / ${fmt(c.report!.overall.meanRmse, 3)}**`);
  lines.push(`| **pooled r / mean RMSE** | ${ok.map(overall).join(" | ")} |`);
  lines.push(`| seconds | ${ok.map((c) => (c.seconds === undefined ? "" : c.seconds.toFixed(1))).join(" | ")} |`);
  const failed = all.filter((c) => c.error);
  if (failed.length) lines.push("", ...wrap(`Not run or not comparable: ${failed.map((c) => `${c.label} — ${c.error}`).join("; ")}.`));
  lines.push("");
  return lines.join("\n");
}

/** A Markdown paragraph as lines of at most 140 characters (broken at spaces; a longer word stays whole). */
function wrap(text: string, width = 140): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...out, line];
}

await main();
