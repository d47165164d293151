#!/usr/bin/env bash
# Sharded run vs one run (docs/scale.md "Sharding"; results in bench/RESULTS.md "Sharded runs").
#   bench/shards.sh COHORT.tsv [SHARDS=8] [extra cibersort options…]
# Makes a synthetic cohort first with: node ../shared/tools/make-cohort.mjs --signature data/LM22.tsv \
#   --samples 10000 --genes 1000 --seed 1 --out cohort.tsv
# Runs `cellfrac cibersort` once (2 threads), then the Snakemake workflow with SHARDS shard jobs on
# --cores 2 (1 thread per job), and compares the two results with cmp.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cohort="$(realpath "$1")"; shards="${2:-8}"; shift $(( $# < 2 ? $# : 2 ))
opts=(--perm 100 --solver exact "$@")
work="$(mktemp -d)"
cd "$work"
t0=$(date +%s.%N)
/usr/bin/time -f "one run: %e s wall, %U s user, %M kB max RSS" \
  node "$here/dist/node/cli.js" cibersort "$cohort" "${opts[@]}" --threads 2 -q -o single.tsv
t1=$(date +%s.%N)
/usr/bin/time -f "workflow: %e s wall, %U s user (children)" snakemake -s "$here/workflow/Snakefile" -d "$work" --cores 2 --quiet \
  --config mixture="$cohort" shards="$shards" threads=1 perm=100 options="--solver exact $*" >/dev/null 2>snakemake.log
t2=$(date +%s.%N)
cmp single.tsv cellfrac-out/result.tsv && echo "cmp: identical"
ls -l cellfrac-out/cohort.plan | awk '{print "plan: " $5 " bytes"}'
du -cb cellfrac-out/parts/*.json | tail -1 | awk '{print "parts: " $1 " bytes"}'
grep -h "^\[" snakemake.log | head -0 || true
printf 'one run %.1f s, workflow %.1f s\n' "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
echo "work dir: $work"
