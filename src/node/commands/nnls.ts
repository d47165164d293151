// `cellfrac nnls`: Lawson–Hanson NNLS of each sample on a signature (R nnls 1.4, same coefficients).
import { TIL10_SIGNATURE, readSignature } from "../data.js";
import { readMatrixFile } from "../read.js";
import { nnlsDeconvolve } from "../../core/methods/nnls.js";
import { COMMON_OPTIONS_HELP, deconvCommand } from "./deconv.js";

const NNLS_HELP = `Usage: cellfrac nnls <mixture> [--signature <file|LM22>] [options]

Non-negative least squares (Lawson–Hanson, as R package nnls 1.4) of each sample of a genes × samples
mixture on the signature genes it contains (signature order), linear scale, no standardisation, no
intercept. Fractions = coefficients / their sum.

Options:
  --signature S     signature matrix, genes × cell types: a file, LM22 (bundled; default) or TIL10
                    (bundled quanTIseq signature, used plainly: no gene removal, no mRNA scaling)
  --coefficients    write the raw NNLS coefficients instead of fractions
${COMMON_OPTIONS_HELP}

Output columns: Mixture, one column per cell type (signature order), RMSE (root mean squared residual
over the genes used). Numbers at full double precision.`;

export const nnlsCommand = deconvCommand({
  name: "nnls",
  help: NNLS_HELP,
  options: { signature: { type: "string" }, coefficients: { type: "boolean" } },
  run: (mixture, common, v, warn) => {
    const name = (v.signature as string | undefined) ?? "LM22";
    return nnlsDeconvolve(mixture, {
      signature: name.toUpperCase() === "TIL10" ? readMatrixFile(TIL10_SIGNATURE, { what: "signature", name: "TIL10" }) : readSignature(name),
      signatureName: name,
      coefficients: Boolean(v.coefficients),
      scale: common.scale,
      onWarning: warn,
    });
  },
});
