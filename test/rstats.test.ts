// R's sum/mean/var/sd/cor in the Wasm core against values R 4.2.2 (x86-64, long double) computed on the
// same vectors: test/fixtures/rstats.tsv, made by test/fixtures/make-rstats.R.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCore, type Core } from "../src/core/wasm.js";

const rows = readFileSync(new URL("./fixtures/rstats.tsv", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => {
    const [name, n, sum, mean, vr, sd, cor, values] = line.split("\t");
    return {
      name,
      n: Number(n),
      sum: Number(sum),
      mean: Number(mean),
      var: Number(vr),
      sd: Number(sd),
      cor: Number(cor),
      x: values.split(",").map(Number),
    };
  });

let core: Core;
beforeAll(async () => {
  core = await loadCore("debug");
});

describe("R statistics, bit for bit", () => {
  for (const r of rows) {
    it(`${r.name}: sum, mean, var, sd, cor equal R exactly`, () => {
      core.reset();
      expect(r.x.length).toBe(r.n);
      expect(core.rstat("sum", r.x)).toBe(r.sum);
      expect(core.rstat("mean", r.x)).toBe(r.mean);
      expect(core.rstat("var", r.x)).toBe(r.var);
      expect(core.rstat("sd", r.x)).toBe(r.sd);
      const y = r.x
        .slice()
        .reverse()
        .map((v, i) => v + (i + 1));
      expect(core.rCor(r.x, y)).toBe(r.cor);
    });
  }

  it("the fixtures are sensitive: a plain double sum differs from R's for at least one vector", () => {
    const plainDiffers = rows.some((r) => r.x.reduce((a, b) => a + b, 0) !== r.sum);
    expect(plainDiffers).toBe(true);
  });

  it("a constant vector has sd 0 and cor NaN (R: NA)", () => {
    core.reset();
    expect(core.rstat("sd", [5, 5, 5, 5])).toBe(0);
    expect(core.rCor([5, 5, 5], [1, 2, 3])).toBeNaN();
  });
});
