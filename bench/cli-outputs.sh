#!/usr/bin/env bash
# Writes the CLI's outputs on the reference cases into DIR, so two builds can be compared byte for byte:
#   bash bench/cli-outputs.sh bench/out/before   (at one commit, after npm run build)
#   bash bench/cli-outputs.sh bench/out/after    (at another)
#   diff -r bench/out/before bench/out/after
# Needs ../shared beside the clone (inputs) and EPIC_DATA for the epic cases (skipped without it).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: cli-outputs.sh DIR}
S=../shared
C="node dist/node/cli.js"
mkdir -p "$OUT"
run() { local name=$1; shift; $C "$@" -q -o "$OUT/$name" || echo "exit $? $name" >> "$OUT/exits.txt"; }
EX=$S/data/cibersort_example_mixtures/ExampleMixtures_GEPs.tsv
LUAD=$S/data/tcga_luad_example_moonerss/TCGA_LUAD_example_expression.tsv
FIN=$S/data/finotello2019_pbmc_gse107572/GSE107572_tpm.tsv.gz
LIN=$S/data/linsley2014_whole_blood_gse60424/GSE60424_wholeblood_normalized_counts.tsv.gz
GSE=$S/data/gse65133_pbmc_array/GSE65133_expression_LM22genes.tsv
LM6=$S/data/lm6_cibersort_rnaseq/LM6_rnaseq_GSE60424.tsv
SCANB=data/example/scanb20_log2fpkm.tsv.gz
run cs_ex_qn_p0.tsv cibersort $EX --QN TRUE --perm 0
run cs_ex_noqn_p100.tsv cibersort $EX --perm 100 --seed 1
run cs_luad_p100.tsv cibersort $LUAD --perm 100 --seed 42
run cs_luad_qn.json cibersort $LUAD --QN TRUE --perm 0
run cs_luad_sig.tsv cibersort $LUAD --absolute sig.score --perm 0
run cs_luad_nosum.tsv cibersort $LUAD --absolute no.sumto1 --perm 0
run cs_fin.tsv cibersort $FIN --perm 0
run cs_lin_lm6.tsv cibersort $LIN --signature $LM6 --perm 0
run cs_gse_qn.tsv cibersort $GSE --QN TRUE --perm 0
run cs_scanb_exact.tsv cibersort $SCANB --perm 20 --solver exact
run cs_scanb.arrow cibersort $SCANB --perm 5
run cs_scanb.parquet cibersort $SCANB --perm 5
run nnls_fin.tsv nnls $FIN --signature LM22
run nnls_ex_til10.json nnls $EX --signature TIL10 --coefficients
run qts_fin.tsv quantiseq $FIN
run qts_fin_tumor.json quantiseq $FIN --tumor
run ssgsea_scanb.tsv score $SCANB --method ssgsea --gene-sets Danaher
run ssgsea_fin_nonorm.tsv score $FIN --method ssgsea --gene-sets ESTIMATE --no-normalize --transform log2p1
run sing_fin.tsv score $FIN --method singscore --gene-sets ESTIMATE
run mcp_fin.tsv score $FIN --method mcpcounter
run est_fin.json score $FIN --method estimate
run mean_scanb.tsv score $SCANB --method mean --gene-sets Danaher
run z_scanb.tsv score $SCANB --method zscore --gene-sets Danaher
run pc1_scanb.tsv score $SCANB --method pc1 --gene-sets Danaher
$C compare "$OUT/nnls_fin.tsv" "$OUT/cs_fin.tsv" -o "$OUT/cmp.txt"
EPIC_DATA=${EPIC_DATA:-$S/data/epic_reference_profiles}
if [ -d "$EPIC_DATA" ]; then
  run epic_fin_BRef.tsv epic $FIN --reference BRef --epic-data "$EPIC_DATA"
  run epic_fin_TRef.tsv epic $FIN --reference TRef --epic-data "$EPIC_DATA"
fi
ls "$OUT" | wc -l
