#!/usr/bin/env python3
"""Whole commands run alternately (one run of each in turn, so that a shared machine's load falls on all of
them alike), with the median and minimum of wall time and of CPU time (user + sys of the child): hyperfine runs
each command's runs in one block, which on a busy machine compares different loads. Two warm-up rounds.

  python3 bench/alternate.py RUNS 'cmd 1' 'cmd 2' ...

e.g. main's build (a clone with npm run build) against this one, with a bare node for the ratio:
  E='cibersort data/example/scanb20_log2fpkm.tsv.gz --solver exact --perm 0 -q'
  python3 bench/alternate.py 20 'node -e 0' "node ../main/dist/node/cli.js $E" "node dist/node/cli.js $E"
"""
import os
import resource
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
cmds = sys.argv[2:]
wall = {c: [] for c in cmds}
cpu = {c: [] for c in cmds}
for i in range(runs + 2):
    for c in cmds:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run(f"exec {c}", shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            sys.exit(f"exit {p.returncode}: {c}")
        if i >= 2:
            wall[c].append((t1 - t0) * 1000)
            cpu[c].append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000)
print("load average at the end (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())
for c in cmds:
    w, u = wall[c], cpu[c]
    print(f"wall median {statistics.median(w):5.0f} min {min(w):5.0f} ms | CPU median {statistics.median(u):5.0f} "
          f"min {min(u):5.0f} ms | {c}")
