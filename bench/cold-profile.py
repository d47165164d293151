#!/usr/bin/env python3
"""Where a short run's main thread goes, cold: RUNS fresh processes of one command under V8's sampling profiler
(node --cpu-prof, 200 µs), averaged per run: the time sampled, waiting (idle), GC, and the inclusive time of the
functions named (each counted once per sample, however deep). bench/RESULTS.md "Start-up" quotes it.

  python3 bench/cold-profile.py RUNS 'node dist/node/cli.js cibersort data/example/scanb20_log2fpkm.tsv.gz \\
    --solver exact --perm 0 -q' runFitsInProcess lines readSeekable signatureRows loadAndTranslate
"""
import collections
import glob
import json
import shlex
import subprocess
import sys
import tempfile

runs, cmd, names = int(sys.argv[1]), shlex.split(sys.argv[2]), sys.argv[3:]
assert cmd[0] == "node", "the command must start with node"
with tempfile.TemporaryDirectory() as d:
    for _ in range(runs):
        subprocess.run([cmd[0], "--cpu-prof", "--cpu-prof-dir", d, "--cpu-prof-interval", "200", *cmd[1:]],
                       stdout=subprocess.DEVNULL, check=True)
    total = 0
    own = collections.Counter()
    incl = collections.Counter()
    files = glob.glob(f"{d}/*.cpuprofile")
    for f in files:
        p = json.load(open(f))
        nodes = {n["id"]: n for n in p["nodes"]}
        parent = {c: n["id"] for n in p["nodes"] for c in n.get("children", [])}
        for s, dt in zip(p["samples"], p["timeDeltas"]):
            total += dt
            own[nodes[s]["callFrame"]["functionName"]] += dt
            seen, x = set(), s
            while x is not None:
                seen.add(nodes[x]["callFrame"]["functionName"])
                x = parent.get(x)
            for name in seen & set(names):
                incl[name] += dt
n = len(files) * 1000
print(f"{len(files)} runs, per run: sampled {total / n:.1f} ms, idle {own['(idle)'] / n:.1f} ms, "
      f"GC {own['(garbage collector)'] / n:.1f} ms")
for name in names:
    print(f"{incl[name] / n:7.1f} ms  {name}")
