// `cellfrac quantiseq`: quanTIseq cell fractions (TIL10 + Other).
import { quantiseqDeconvolve } from "../../core/methods/quantiseq.js";
import { COMMON_OPTIONS_HELP, deconvCommand } from "./deconv.js";

const QUANTISEQ_HELP = `Usage: cellfrac quantiseq <mixture> [options]

quanTIseq (Finotello et al. 2019): per sample, re-normalise to TPM, fit the TIL10 signature (bundled;
without the 17 genes quanTIseq removes for RNA-seq) by constrained least squares (fractions ≥ 0,
sum ≤ 1, as limSolve::lsei computes it), convert mRNA to cell fractions with quanTIseq's scaling
factors, add "Other" (1 − sum) and apply quanTIseq's Treg correction. Rows sum to 1.
Gene symbols are used as given (quanTIseq's HGNC re-annotation is not applied).

Options:
  --tumor             tumour samples: also remove the 17 TCGA-aberrant genes (immunedeconv's default)
  --arrays            microarray data: quantile-normalise, keep the RNA-seq-specific genes
  --no-mrna-scaling   report mRNA fractions (no mRNA scaling)
${COMMON_OPTIONS_HELP}

Output columns: Mixture, the 10 TIL10 cell types, Other. Numbers at full double precision.`;

export const quantiseqCommand = deconvCommand({
  name: "quantiseq",
  help: QUANTISEQ_HELP,
  options: { tumor: { type: "boolean" }, arrays: { type: "boolean" }, "no-mrna-scaling": { type: "boolean" } },
  run: (mixture, common, v, warn) =>
    quantiseqDeconvolve(mixture, {
      tumor: Boolean(v.tumor),
      arrays: Boolean(v.arrays),
      scaleMRNA: !v["no-mrna-scaling"],
      scale: common.scale,
      onWarning: warn,
    }),
});
