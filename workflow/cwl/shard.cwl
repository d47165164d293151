#!/usr/bin/env cwl-runner
# One shard of a cellfrac run as a CWL tool (docs/scale.md, "Sharding"); needs `cellfrac` on PATH.
cwlVersion: v1.2
class: CommandLineTool
label: cellfrac shard
requirements:
  InlineJavascriptRequirement: {}
doc: |
  Runs a cellfrac method on the K-th of N near-equal consecutive sample ranges of the mixture and writes a
  part file for merge.cwl. cibersort needs the plan from plan.cwl and the plan's options; per-sample methods
  (nnls, quantiseq, epic, score --method ssgsea|singscore|mcpcounter|estimate) need no plan.
baseCommand: cellfrac
hints:
  SoftwareRequirement:
    packages:
      cellfrac: {}
inputs:
  command:
    type: string[]
    default: [cibersort]
    doc: the method command, e.g. [cibersort], [nnls] or [score, --method, ssgsea]
    inputBinding: {position: 0}
  mixture:
    type: File
    inputBinding: {position: 1}
  signature:
    type: File?
    inputBinding: {position: 2, prefix: --signature}
  options:
    type: string[]
    default: []
    doc: the method's options (for cibersort the plan's), e.g. [--perm, "100"]
    inputBinding: {position: 3}
  plan:
    type: File?
    inputBinding: {position: 4, prefix: --plan}
  shard:
    type: string
    doc: K/N, e.g. 2/8
    inputBinding: {position: 5, prefix: --shard}
arguments:
  - {position: 6, valueFrom: -q}
  - position: 7
    prefix: -o
    valueFrom: '$("part-" + inputs.shard.replace("/", "-of-") + ".json")'
outputs:
  part:
    type: File
    outputBinding: {glob: "part-*.json"}
