#!/usr/bin/env bash
# Start-up of the CLI (issue 11): `cellfrac --help` against a bare `node -e 0`, and the bundled 20-sample
# example with the exact solver and no permutations. Needs hyperfine (apt-get install hyperfine) and a
# build (npm run build). Figures and the machine go to bench/RESULTS.md.
#   bash bench/startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
hyperfine -N --warmup 3 --runs "$RUNS" \
  'node -e 0' \
  'node dist/node/cli.js --help' \
  'node dist/node/cli.js cibersort data/example/scanb20_log2fpkm.tsv.gz --solver exact --perm 0 -q'
