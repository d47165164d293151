// `cellfrac nnls`: Lawson–Hanson NNLS of each sample on a signature (R nnls 1.4, same coefficients).
import { methodByName } from "../../core/registry.js";
import { methodCommand } from "./method.js";
import { listed } from "./index.js";

export const nnlsCommand = methodCommand({
  ...listed("nnls"),
  methods: [methodByName("nnls")],
  intro: `Non-negative least squares (Lawson–Hanson, as R package nnls 1.4) of each sample of a genes × samples
mixture on the signature genes it contains (signature order), linear scale, no standardisation, no
intercept. Fractions = coefficients / their sum.`,
  outro: `Output columns: Mixture, one column per cell type (signature order), RMSE (root mean squared residual
over the genes used). Numbers at full double precision.`,
});
