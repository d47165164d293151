#!/usr/bin/env bash
# The whole-file read path vs the stream (issue 15), CIBERSORT without QN: wall, CPU and peak RSS of
#   stream        cellfrac cibersort F --perm 0 --solver exact --threads 2
#   na            … --na drop-gene                  (no gene of F has a missing value: same output)
#   names         … --sample-names <F's own names>   (same output)
#   two-files     … F.a F.b (F's samples split in two files, merged by gene: same output)
# and, with BEFORE (another build's directory, e.g. a clone at an earlier commit), `na` and `two-files` on that build.
# Every output is compared with the stream's (cmp). Usage: bash bench/wholefile.sh F [BEFORE]
set -euo pipefail
cd "$(dirname "$0")/.."
F=${1:?usage: wholefile.sh MIXTURE [BEFORE_DIR]}
BEFORE=${2:-}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
ARGS=(--perm 0 --solver exact --threads 2 -q)
names=$(head -1 "$F" | cut -f2- | tr '\t' ',')
n=$(head -1 "$F" | awk -F'\t' '{ print NF - 1 }')
half=$((n / 2 + 1))
cut -f1-"$half" "$F" > "$OUT/a.tsv"
cut -f1,$((half + 1))- "$F" > "$OUT/b.tsv"
run() {
  local label=$1 dir=$2
  shift 2
  /usr/bin/time -v -o "$OUT/time" node "$dir/dist/node/cli.js" cibersort "$@" "${ARGS[@]}" -o "$OUT/$label.tsv"
  local wall cpu rss same
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' \
    "$OUT/time")
  cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", u + s }' "$OUT/time")
  rss=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$OUT/time")
  same=reference
  if [ "$label" != stream ]; then
    if cmp -s "$OUT/stream.tsv" "$OUT/$label.tsv"; then same=cmp-equal; else same=DIFFERENT; fi
  fi
  printf '%-16s wall %6.1f s  CPU %6s s  peak RSS %6s MB  %s  (load %s)\n' "$label" "$wall" "$cpu" "$rss" "$same" \
    "$(cut -d' ' -f1 /proc/loadavg)"
}
run stream . "$F"
run na . "$F" --na drop-gene
run names . "$F" --sample-names "$names"
run two-files . "$OUT/a.tsv" "$OUT/b.tsv"
if [ -n "$BEFORE" ]; then
  run na-before "$BEFORE" "$F" --na drop-gene
  run two-files-before "$BEFORE" "$OUT/a.tsv" "$OUT/b.tsv"
fi
