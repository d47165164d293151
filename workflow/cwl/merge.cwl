#!/usr/bin/env cwl-runner
# cellfrac merge as a CWL tool (docs/scale.md, "Sharding"); needs `cellfrac` on PATH.
cwlVersion: v1.2
class: CommandLineTool
label: cellfrac merge
doc: |
  The part files of one sharded run, back in the mixture's order: the output of one run on every sample,
  byte for byte (.tsv/.txt, .json, .arrow or .parquet by the output name's extension).
baseCommand: [cellfrac, merge]
hints:
  SoftwareRequirement:
    packages:
      cellfrac: {}
inputs:
  parts:
    type: File[]
    inputBinding: {position: 1}
  output:
    type: string
    default: result.tsv
    inputBinding: {position: 2, prefix: -o}
outputs:
  result:
    type: File
    outputBinding: {glob: $(inputs.output)}
