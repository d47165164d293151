// `cellfrac epic`: EPIC cell fractions with the TRef/BRef reference or a reference directory.
import { UsageError } from "../../core/errors.js";
import { EPIC_MRNA_CELL, epicDeconvolve } from "../../core/methods/epic.js";
import { loadEpicReference } from "../epic.js";
import { COMMON_OPTIONS_HELP, deconvCommand } from "./deconv.js";

const EPIC_HELP = `Usage: cellfrac epic <mixture> [--reference TRef|BRef|<dir>] [options]

EPIC (Racle et al. 2017, R package 1.1.7): per sample, a weighted least-squares fit of the signature
genes under x ≥ 0 and Σx ≤ 1, solved with R's constrOptim + Nelder–Mead exactly as EPIC does, plus an
"other cells" (uncharacterised, e.g. tumour) mRNA fraction, converted to cell fractions with EPIC's
mRNA-per-cell values. Give TPM-like, non-log expression.

Options:
  --reference R       TRef (tumour-infiltrating cells; default), BRef (blood), or a directory with
                      refProfiles.tsv[.gz], refProfiles_var.tsv[.gz] and sigGenes.tsv
  --epic-data DIR     where TRef/BRef live (files EPIC_<R>_refProfiles.tsv.gz, EPIC_<R>_refProfiles_var.tsv.gz,
                      EPIC_<R>_sigGenes.tsv); default $CELLFRAC_EPIC_DATA, then data/epic. EPIC's
                      profiles are licensed for academic non-commercial use and not shipped with cellfrac
  --no-other-cells    no "other cells" fraction (fractions of the reference cell types sum to 1)
  --no-mrna-scaling   mRNA per cell 1 for every type (immunedeconv's scale_mrna = FALSE)
  --mrna-proportions  report mRNA proportions instead of cell fractions
${COMMON_OPTIONS_HELP}

Output columns: Mixture, one column per reference cell type, otherCells, convergeCode (constrOptim:
0 ok, 7 outer iterations exhausted, 11 objective increased). Numbers at full double precision.`;

export const epicCommand = deconvCommand({
  name: "epic",
  help: EPIC_HELP,
  options: {
    reference: { type: "string" },
    "epic-data": { type: "string" },
    "no-other-cells": { type: "boolean" },
    "no-mrna-scaling": { type: "boolean" },
    "mrna-proportions": { type: "boolean" },
  },
  run: (mixture, common, v, warn) => {
    if (v["no-mrna-scaling"] && v["mrna-proportions"]) throw new UsageError("--no-mrna-scaling and --mrna-proportions give the same numbers; use one");
    const reference = loadEpicReference((v.reference as string | undefined) ?? "TRef", v["epic-data"] as string | undefined);
    return epicDeconvolve(mixture, {
      reference,
      withOtherCells: !v["no-other-cells"],
      mRNACell: v["no-mrna-scaling"] ? { default: 1 } : EPIC_MRNA_CELL,
      mRNAProportions: Boolean(v["mrna-proportions"]),
      scale: common.scale,
      onWarning: warn,
    });
  },
});
