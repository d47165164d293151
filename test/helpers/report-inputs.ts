// The report tests' inputs: the bundled 20-tumour SCAN-B example, its CIBERSORT result (LM22, perm 100,
// seed 1) and stats tables made by R from them (test/fixtures/report/make-stats.R).
const FIX = new URL("../fixtures/report/", import.meta.url).pathname;
export const RESULTS = `${FIX}scanb20_cibersort.json`;
export const MCPCOUNTER_TSV = `${FIX}scanb20_mcpcounter.tsv`;
export const SAMPLES = new URL("../../data/example/scanb20_samples.tsv", import.meta.url).pathname;
export const KRUSKAL = `${FIX}scanb20_kruskal.tsv`;
export const MODELS = `${FIX}scanb20_models.tsv`;
/** Every input and chart option: all six charts. */
export const FULL_ARGS = [
  RESULTS,
  "--samples",
  SAMPLES,
  "--stats",
  KRUSKAL,
  "--stats",
  MODELS,
  "--group-by",
  "pam50_subtype",
  "--score",
  "age_at_diagnosis",
];
