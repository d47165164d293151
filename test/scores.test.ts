// MCP-counter, singscore, ESTIMATE and the plain signature scores (zscore, mean, pc1): golden values where
// the reference tools' outputs exist, known answers worked out by hand, and invariants.
import { describe, expect, it } from "vitest";
import { mcpcounter } from "../src/methods/mcpcounter.js";
import { readMatrixFile } from "../src/io/read.js";
import { makeMatrix } from "../src/matrix.js";
import { loadGeneSets } from "../src/genesets.js";
import { REFERENCE, SHARED, readRefTable } from "./helpers/reference.js";

/** MANIFEST tolerance for the MCP mean: absolute 1e-12. */
const MCP_ABS = 1e-12;

describe("golden: MCP-counter mean of log2(TPM + 1) over markers present, abs 1e-12", () => {
  const m = readRefTable(REFERENCE + "MANIFEST.tsv");
  const cases = m.ids.filter((_, i) => m.col("method")[i] === "mcp_mean").map((name) => ({ name, input: SHARED + m.col("input")[m.ids.indexOf(name)] }));
  it("finds the 2 reference cases", () => expect(cases.length).toBe(2));
  for (const c of cases) {
    it(c.name, async () => {
      const sets = loadGeneSets(SHARED + "data/mcpcounter_markers/MCPcounter_genes.tsv", { setColumn: "cell_population", geneColumn: "gene" });
      const res = await mcpcounter.run(readMatrixFile(c.input), { geneSets: sets, transform: "log2p1" });
      const ref = readRefTable(`${REFERENCE}${c.name}/scores.tsv`);
      expect(res.values.rows).toEqual(ref.ids);
      expect(res.values.cols).toEqual(ref.header.slice(1));
      const S = ref.ids.length;
      let worst = 0;
      res.values.cols.forEach((pop, j) => ref.num(pop).forEach((want, i) => (worst = Math.max(worst, Math.abs(res.values.data[i + j * S] - want)))));
      expect(worst).toBeLessThanOrEqual(MCP_ABS);
      const used = readRefTable(`${REFERENCE}${c.name}/markers_used.tsv`);
      used.ids.forEach((pop, i) => {
        const cov = res.coverage.find((x) => x.name === pop)!;
        expect([cov.found, cov.total, cov.missing.join(",")]).toEqual([used.num("n_present")[i], used.num("n_in_file")[i], used.col("genes_missing")[i] ?? ""]);
      });
    });
  }
});
