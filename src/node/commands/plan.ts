// `cellfrac plan cibersort`: the cohort-wide pass of a CIBERSORT run, written as a plan file for sharded
// runs (src/core/cibersort/plan.ts, docs/scale.md "Sharding").
import { UsageError } from "../../core/errors.js";
import { cibersortCohort } from "../../core/cibersort/index.js";
import { PLAN_FORMAT, PLAN_VERSION, planToText } from "../../core/cibersort/plan.js";
import { recordSize } from "../../core/cibersort/fits.js";
import { coreAlgLayout } from "../../core/kernels.js";
import { type OptionValues, meetMixture, methodByName, methodSignature } from "../../core/registry.js";
import { loadCore } from "../../core/wasm.js";
import { checkPerm } from "../bounds.js";
import { packageVersion } from "../host.js";
import { readCibersortMixture } from "../mixture.js";
import { nodeMethodHost } from "../method-host.js";
import { runFitsOnPool } from "../pool.js";
import { createProgress } from "../progress.js";
import { fileSha256, matrixSha256, shownName } from "../shard.js";
import { checkOutputPath, writeFileAtomic } from "../write.js";
import { parseCibersortArgs, planOptions } from "./cibersort.js";
import type { Command } from "./types.js";
import { listed } from "./index.js";

const HELP = `Usage: cellfrac plan cibersort <mixture> [cibersort options] -o cohort.plan

Runs CIBERSORT's cohort-wide pass only and writes it as a plan: the anti-log decision and the maximum it
saw, the QN target distribution (--qn), the sig.score median (--absolute sig.score), the sorted
permutation null (--perm, --seed), the signature genes found in the mixture, and SHA-256 fingerprints of
the mixture, the signature and the options. No mixture values beyond these statistics.

Then, on any machines: cellfrac cibersort <mixture> [the same options] --plan cohort.plan
--sample-range A-B (or --sample-list F, or --shard K/N) -o part-K.json; and cellfrac merge part-*.json
-o result.tsv gives the bytes of one "cellfrac cibersort" run. A run whose mixture, signature or options
differ from the plan's is refused (exit 3).

Options: those of "cellfrac cibersort --help" (--signature, --perm, --seed, --qn, --absolute, --scale,
--solver, --duplicates, --threads), and
  -o, --output F   write the plan to F, atomically (default: stdout)
  -q, --quiet      no progress or warnings on stderr
  -h, --help       this help`;

export const planCommand: Command = {
  ...listed("plan"),
  async run(args, io) {
    const [method, ...rest] = args;
    if (method === undefined || method === "-h" || method === "--help") {
      io.stdout(`${HELP}\n`);
      return method === undefined ? 2 : 0;
    }
    if (!methodByName(method).shards?.plan) {
      throw new UsageError(`cellfrac plan: only cibersort needs a plan (got "${method}"); other methods shard with --sample-range alone`);
    }
    const o = parseCibersortArgs(rest, null);
    if (o === "help") {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    checkOutputPath(o.output);
    const warn = (m: string) => {
      if (!o.quiet) io.stderr(`cellfrac: warning: ${m}\n`);
    };
    const spec = methodByName("cibersort");
    const host = nodeMethodHost(warn);
    const { matrix: signature, name: sigName } = await methodSignature(spec, { signature: o.signature }, host);
    const core = await loadCore();
    checkPerm(o.perm, signature.rows.length, recordSize(coreAlgLayout(core.x), signature.cols.length));
    const mixtureSha = await fileSha256(o.mixture);
    const { mixture, mixtureMax } = await readCibersortMixture(o.mixture, signature, { ...o, onWarning: warn });
    const progress = o.quiet ? undefined : createProgress(io.stderr, io.isTTY, "permutation fits");
    // The gene names met as the run meets them (renamed genes), so the plan's genes are the run's.
    const met = meetMixture(mixture, signature.rows, { ...o, absolute: undefined, shard: undefined } as unknown as OptionValues, {
      host,
      onWarning: warn,
    });
    const cohort = await cibersortCohort(
      met.mixture,
      signature,
      { ...o, mixtureMax, onWarning: warn, onProgress: progress?.update, names: { mixture: o.mixture, signature: sigName } },
      core,
      runFitsOnPool,
    );
    progress?.done();
    const text = planToText({
      format: PLAN_FORMAT,
      version: PLAN_VERSION,
      method: "cibersort",
      cellfrac: packageVersion(),
      inputs: {
        mixture: { name: shownName(o.mixture), sha256: mixtureSha },
        signature: { name: shownName(o.signature), sha256: matrixSha256(signature) },
      },
      options: planOptions(o),
      cohort,
    });
    if (o.output && o.output !== "-") writeFileAtomic(o.output, text);
    else io.stdout(text);
    return 0;
  },
};
