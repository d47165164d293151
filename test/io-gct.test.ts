// GCT 1.2 and 1.3 read the same matrix as the TSV of the same data.
import { describe, expect, it } from "vitest";
import { parseMatrix } from "../src/core/formats/read.js";

const TSV = "Name\tS1\tS2\nA\t1.5\t2\nB\t3\t0.25\n";
describe("GCT", () => {
  const ref = parseMatrix(TSV);
  it("1.2", () => {
    const g = "#1.2\n2\t2\nName\tDescription\tS1\tS2\nA\tna\t1.5\t2\nB\tdesc b\t3\t0.25\n";
    for (const input of [g, new TextEncoder().encode(g)]) {
      const m = parseMatrix(input);
      expect(m.rows).toEqual(ref.rows);
      expect(m.cols).toEqual(ref.cols);
      expect(Array.from(m.data)).toEqual(Array.from(ref.data));
    }
  });
  it("1.3 with row and column metadata", () => {
    const g = "#1.3\r\n2\t2\t2\t1\r\nid\tsym\tkind\tS1\tS2\r\ncelltype\tna\tna\tT\tB\r\nA\tx\ty\t1.5\t2\r\nB\tx\ty\t3\t0.25\r\n";
    const m = parseMatrix(new TextEncoder().encode(g));
    expect(m.rows).toEqual(ref.rows);
    expect(m.cols).toEqual(ref.cols);
    expect(Array.from(m.data)).toEqual(Array.from(ref.data));
  });
});
