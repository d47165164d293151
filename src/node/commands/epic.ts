// `cellfrac epic`: EPIC cell fractions with the TRef/BRef reference or a reference directory.
import { methodByName } from "../../core/registry.js";
import { methodCommand } from "./method.js";
import { listed } from "./index.js";

export const epicCommand = methodCommand({
  ...listed("epic"),
  methods: [methodByName("epic")],
  intro: `EPIC (Racle et al. 2017, R package 1.1.7): per sample, a weighted least-squares fit of the signature
genes under x ≥ 0 and Σx ≤ 1, solved with R's constrOptim + Nelder–Mead exactly as EPIC does, plus an
"other cells" (uncharacterised, e.g. tumour) mRNA fraction, converted to cell fractions with EPIC's
mRNA-per-cell values. Give TPM-like, non-log expression.`,
  outro: `Output columns: Mixture, one column per reference cell type, otherCells, convergeCode (constrOptim:
0 ok, 7 outer iterations exhausted, 11 objective increased). Numbers at full double precision.`,
});
