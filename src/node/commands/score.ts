// `cellfrac score`: gene-set scores per sample (ssGSEA, singscore, MCP-counter, ESTIMATE, mean/zscore/pc1).
import { METHODS } from "../../core/registry.js";
import { methodCommand } from "./method.js";
import { listed } from "./index.js";

export const scoreCommand = methodCommand({
  ...listed("score"),
  methods: METHODS.filter((m) => m.kind === "scores"),
  intro: "Scores gene sets per sample of a genes × samples mixture (tab- or comma-separated, optionally gzipped).",
  outro: `Output: one row per sample (first column "sample"), one column per gene set in file order (sets with
no gene in the mixture are left out with a warning; estimate: StromalScore, ImmuneScore, ESTIMATEScore,
TumorPurity). Numbers at full double precision.`,
});
