// `cellfrac merge`: part files of one sharded run (src/core/shards.ts) → the table one run on every sample
// writes, byte for byte, in any output format.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { InputError, UsageError } from "../../core/errors.js";
import { cibersortTable } from "../../core/methods/cibersort-table.js";
import { mergeCibersort } from "../../core/cibersort/plan.js";
import { normalizeByRange, scoreRange } from "../../core/methods/ssgsea.js";
import { METHODS, type MethodOutput } from "../../core/registry.js";
import { mergeTables, parsePart } from "../../core/shards.js";
import { checkOutputPath } from "../write.js";
import { checkOutput, writeResult } from "./method.js";
import type { Command } from "./types.js";
import { listed } from "./index.js";

const HELP = `Usage: cellfrac merge <part>… [-o result.tsv|.txt|.json|.arrow|.parquet]

Puts the part files of one sharded run (written by a method command with --sample-range, --sample-list
or --shard; for cibersort with --plan) back together in the mixture's sample order and writes what one
run on every sample writes, byte for byte. ssGSEA's scores are divided by the range of the whole score
matrix here (unless the shards ran with --no-normalize).

Refused (exit 3, naming the part): files that are not parts, parts of different methods, runs or plans,
a sample in two parts, and samples in no part.

Options:
  -o, --output F   write F (by extension: .tsv/.txt table, .json, .arrow, .parquet), atomically; without
                   it the table goes to stdout
  -h, --help       this help`;

export const mergeCommand: Command = {
  ...listed("merge"),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { output: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError("no part files given (cellfrac merge <part>… -o result.tsv)");
    const output = values.output;
    checkOutput(output, ["tsv", "txt", "json", "arrow", "parquet"]);
    checkOutputPath(output);
    const parts = positionals.map((file) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        throw new InputError(`cannot read: ${(e as Error).message}`, { file });
      }
      return { file, part: parsePart(text, file) };
    });
    // The one method whose shards share a plan (CIBERSORT) merges its fits' data too.
    const planned = METHODS.find((m) => m.name === parts[0]?.part.method)?.shards?.plan === true;
    const { table, where } = mergeTables(parts, planned);
    let out: MethodOutput;
    if (planned) {
      const res = mergeCibersort(table, parts, where);
      out = { table: { ...cibersortTable(res), coverage: table.coverage }, cibersort: res };
    } else {
      // Every part of one ssGSEA run says the same (their run hashes agree).
      out = { table: parts[0].part.normalize ? normalizeByRange(table, scoreRange([table])) : table };
    }
    const text = await writeResult(out, output);
    if (text !== undefined) io.stdout(text);
    return 0;
  },
};
