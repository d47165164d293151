// `cellfrac cibersort --plan P --shard K/N` (docs/scale.md, "Sharding"): a plan read and checked, and the
// shard's part written. A module of its own, loaded when --plan is given: other runs need none of it.
import { readFileSync } from "node:fs";
import { InputError } from "../../core/errors.js";
import { type PlanOptions, checkPlan, cibersortPartData, planFromText } from "../../core/cibersort/plan.js";
import type { Matrix } from "../../core/matrix.js";
import type { MethodOutput } from "../../core/registry.js";
import { emptyPart, makePart } from "../../core/shards.js";
import { fileSha256, matrixSha256, shardColumns, shownName, textSha256, writePart } from "../shard.js";
import type { CibersortCliOptions } from "./cibersort.js";

/**
 * A shard of a plan: the plan is read and checked against this run's inputs and options, then the hooks
 * give runMethodCli the plan's cohort, the shard's columns and the part writer.
 */
export async function planShard(o: CibersortCliOptions, signature: Matrix, options: PlanOptions) {
  const file = o.plan!;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read the plan: ${(e as Error).message}`, { file });
  }
  const plan = planFromText(text, file);
  checkPlan(plan, file, {
    mixture: { name: shownName(o.mixture), sha256: await fileSha256(o.mixture) },
    signature: { name: shownName(o.signature), sha256: matrixSha256(signature) },
    options,
  });
  const id = textSha256(text);
  const samplesOf = (S: number) => {
    if (S !== plan.cohort.samples)
      throw new InputError(`the plan has ${plan.cohort.samples} samples, the mixture ${S}`, { file: o.mixture });
  };
  return {
    /** The reader converts only the shard's columns (the plan has the cohort's statistics). */
    pick: (names: readonly string[]) => {
      samplesOf(names.length);
      return shardColumns(names, o.shard!);
    },
    /** `picked`: the mixture holds only the shard's columns (see pick); else all of them. */
    hooks: (mixture: Matrix, picked?: { samples: number; columns: readonly number[] }) => {
      const S = picked?.samples ?? mixture.cols.length;
      samplesOf(S);
      const columns = picked ? [...picked.columns] : shardColumns(mixture.cols, o.shard!);
      return {
        cohort: plan.cohort,
        columns: picked ? columns.map((_, i) => i) : columns,
        write: (out?: MethodOutput) =>
          writePart(
            out
              ? makePart("cibersort", id, S, columns, out.table, { cibersort: cibersortPartData(out.cibersort!, plan.cohort) })
              : emptyPart("cibersort", id, S),
            o.output,
          ),
      };
    },
  };
}
