// Arrow IPC mixtures (file and stream, fixtures made with apache-arrow) read the same matrix as the TSV.
import { Table, Utf8, makeVector, tableToIPC, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import { formatArrow } from "../src/core/formats/arrow.js";
import { parseMatrix } from "../src/core/formats/read.js";
import { formatTable } from "../src/core/formats/write.js";
import { get } from "../src/core/matrix.js";
import { dataFile, readGolden } from "./helpers/reference.js";

const lm22 = dataFile("lm22_cibersort/LM22.tsv");

describe("Arrow IPC", () => {
  const tsv = parseMatrix(readGolden(lm22), { name: "LM22.tsv" });
  const ipcOf = (format: "file" | "stream") => {
    const cols: Record<string, ReturnType<typeof makeVector>> = { [tsv.rowHeader ?? "gene"]: vectorFromArray(tsv.rows, new Utf8()) };
    tsv.cols.forEach((c, j) => (cols[c] = makeVector(tsv.data.slice(j * tsv.rows.length, (j + 1) * tsv.rows.length))));
    return tableToIPC(new Table(cols), format);
  };
  for (const format of ["file", "stream"] as const) {
    it(`${format} format gives the TSV's matrix bit for bit`, () => {
      const m = parseMatrix(ipcOf(format), { name: `LM22.arrow` });
      expect(m.rows).toEqual(tsv.rows);
      expect(m.cols).toEqual(tsv.cols);
      expect(Buffer.from(m.data.buffer).equals(Buffer.from(tsv.data.buffer))).toBe(true);
    });
  }
  it("keepRows and the writer round trip", () => {
    const keep = new Set([tsv.rows[3], tsv.rows[0]]);
    const m = parseMatrix(ipcOf("file"), { keepRows: keep });
    expect(m.rows).toEqual([tsv.rows[0], tsv.rows[3]]);
    const bytes = formatArrow("gene", m.cols, m.rows, (r, c) => get(m, r, c));
    const back = parseMatrix(bytes);
    expect(back.rows).toEqual(m.rows);
    expect(Array.from(back.data)).toEqual(Array.from(m.data));
    expect(formatTable("gene", back.cols, back.rows, (r, c) => get(back, r, c))).toBe(
      formatTable("gene", m.cols, m.rows, (r, c) => get(m, r, c)),
    );
  });
  it("NaN cells are refused with their location", () => {
    const t = new Table({ g: vectorFromArray(["A", "B"], new Utf8()), S1: makeVector(new Float64Array([1, NaN])) });
    expect(() => parseMatrix(tableToIPC(t, "file"), { name: "x.arrow" })).toThrow(InputError);
    expect(() => parseMatrix(tableToIPC(t, "file"), { name: "x.arrow" })).toThrow(/x\.arrow:2:2, gene "B", sample "S1"/);
  });
});
