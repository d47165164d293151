// MCP-counter (Becht et al., Genome Biology 17:218, 2016; ebecht/MCPcounter, docs/scores.md): the
// score of a population is R's mean() of the sample's values over the population's markers present.
// No transform inside (the authors expect log2 data: use transform "log2p1" for TPM). Populations without
// any marker present are left out with a warning; MethodTable.coverage names the missing markers.
// Not implemented: probeset mode and test_for_infiltration's null-model p-values.
import type { Matrix } from "../matrix.js";
import { type ScoreRunOptions, prepareScores, putMixture, scoreTable, withCore } from "./scorekit.js";
import type { Method, MethodTable } from "./types.js";

export interface McpCounterOptions extends Omit<ScoreRunOptions, "geneSets"> {
  /** Marker sets (default: the bundled MCP-counter HUGO markers, "MCPcounter"). */
  geneSets?: ScoreRunOptions["geneSets"];
}

/** Samples × populations: mean (R's two-pass long-double mean) over the markers present. */
export async function mcpcounterScores(mixture: Matrix, opts: McpCounterOptions = {}): Promise<MethodTable> {
  const { warnings, warn, mapped, coverage } = prepareScores(mixture, opts, opts.geneSets ?? "MCPcounter");
  const missing = coverage.filter((c) => c.found > 0 && c.missing.length > 0);
  if (missing.length)
    warn(
      `markers missing from the mixture: ${missing.map((c) => `${c.name} ${c.missing.length} of ${c.total}`).join(", ")} ` +
        "(means over the markers present)",
    );
  const n = mixture.rows.length;
  const S = mixture.cols.length;
  return withCore(opts, (core) => {
    const x = putMixture(core, mixture, opts.transform);
    const buf = core.allocF64(Math.max(...mapped.map((s) => s.rows.length)));
    const data = new Float64Array(S * mapped.length);
    mapped.forEach((set, c) => {
      for (let j = 0; j < S; j++) {
        const col = core.f64(x + j * n * 8, n);
        const v = core.f64(buf, set.rows.length);
        set.rows.forEach((r, i) => (v[i] = col[r]));
        data[j + c * S] = core.x.rMean(buf, set.rows.length);
      }
    });
    return scoreTable(
      "mcpcounter",
      mixture.cols,
      mapped.map((s) => s.name),
      data,
      coverage,
      warnings,
    );
  });
}

export const mcpcounter: Method<McpCounterOptions> = {
  id: "mcpcounter",
  title: "MCP-counter: mean expression of population markers",
  run: mcpcounterScores,
};
