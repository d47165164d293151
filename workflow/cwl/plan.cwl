#!/usr/bin/env cwl-runner
# cellfrac plan cibersort as a CWL tool (docs/scale.md, "Sharding"); needs `cellfrac` on PATH
# (npm install -g, or npm link in a clone).
cwlVersion: v1.2
class: CommandLineTool
label: cellfrac plan cibersort
doc: |
  CIBERSORT's cohort-wide pass (anti-log decision, QN target, sig.score median, permutation null, matched
  signature genes, fingerprints of inputs and options) as a plan file for shard.cwl and merge.cwl.
  The shards must get the same mixture, signature and options.
baseCommand: [cellfrac, plan, cibersort]
hints:
  SoftwareRequirement:
    packages:
      cellfrac: {}
inputs:
  mixture:
    type: File
    doc: genes × samples mixture (tsv/csv, optionally gzipped; GCT, Arrow, Parquet)
    inputBinding: {position: 1}
  signature:
    type: File?
    doc: signature file (default the bundled LM22)
    inputBinding: {position: 2, prefix: --signature}
  options:
    type: string[]
    default: []
    doc: cibersort options as on the command line, e.g. [--perm, "100", --qn]
    inputBinding: {position: 3}
arguments:
  - {position: 4, valueFrom: -q}
  - {position: 5, prefix: -o, valueFrom: cohort.plan}
outputs:
  plan:
    type: File
    outputBinding: {glob: cohort.plan}
