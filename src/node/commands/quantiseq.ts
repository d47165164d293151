// `cellfrac quantiseq`: quanTIseq cell fractions (TIL10 + Other).
import { methodByName } from "../../core/registry.js";
import { methodCommand } from "./method.js";
import { listed } from "./index.js";

export const quantiseqCommand = methodCommand({
  ...listed("quantiseq"),
  methods: [methodByName("quantiseq")],
  intro: `quanTIseq (Finotello et al. 2019): per sample, re-normalise to TPM, fit the TIL10 signature (bundled;
without the 17 genes quanTIseq removes for RNA-seq) by constrained least squares (fractions ≥ 0,
sum ≤ 1, as limSolve::lsei computes it), convert mRNA to cell fractions with quanTIseq's scaling
factors, add "Other" (1 − sum) and apply quanTIseq's Treg correction. Rows sum to 1.
Gene symbols are used as given (quanTIseq's HGNC re-annotation is not applied).`,
  outro: "Output columns: Mixture, the 10 TIL10 cell types, Other. Numbers at full double precision.",
});
