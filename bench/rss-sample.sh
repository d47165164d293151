#!/usr/bin/env bash
# Peak RSS and its course: runs a command under /usr/bin/time -v and samples its VmRSS and thread count
# every second (bench/RESULTS.md, "Peak RSS on 2 threads"). The samples go to stdout, time's report to stderr.
#   bench/rss-sample.sh node dist/node/cli.js cibersort cohort10k.tsv --perm 100 --solver exact --threads 2 -q -o out.tsv
set -euo pipefail
/usr/bin/time -v "$@" &
sleep 0.5
pid=$(pgrep -P $! | head -1) # the command itself, time's child
while kill -0 "$pid" 2>/dev/null; do
  echo "$(date -u +%T) $(grep -E 'VmRSS|Threads' "/proc/$pid/status" 2>/dev/null | tr -s ' \t' ' ' | tr '\n' ' ')"
  sleep 1
done
wait
