// Parquet mixtures: files written by independent writers (parquet-wasm = arrow-rs, hyparquet-writer, DuckDB; see
// test/fixtures/parquet/README.md) read back bit for bit as the TSV they were made from, every codec; our writer
// round trips; bad files give InputErrors. (The conformance fixtures predate the switch to hyparquet.)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import { describeParquet, formatParquet, isParquet, parseParquet } from "../src/core/formats/parquet.js";
import { parseMatrix } from "../src/core/formats/read.js";
import { readMatrixFile } from "../src/node/read.js";
import { type Matrix, get, selectRows } from "../src/core/matrix.js";
import { dataFile } from "./helpers/reference.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`fixtures/parquet/${name}`, import.meta.url)));
const lm22 = readMatrixFile(fileURLToPath(new URL("../data/LM22.tsv", import.meta.url)));
const counts = readMatrixFile(dataFile("finotello2019_pbmc_gse107572/GSE107572_counts_8samples.tsv.gz"));
const head = (m: Matrix, n: number) =>
  selectRows(
    m,
    Array.from({ length: n }, (_, i) => i),
  );

/** Same names, same header, same float64 bits (a Buffer compare is Object.is for every value, NaN payloads too). */
function expectSame(m: Matrix, ref: Matrix): void {
  expect(m.rows).toEqual(ref.rows);
  expect(m.cols).toEqual(ref.cols);
  expect(m.rowHeader).toBe(ref.rowHeader || "gene");
  expect(m.data.length).toBe(ref.data.length);
  expect(
    Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).equals(
      Buffer.from(ref.data.buffer, ref.data.byteOffset, ref.data.byteLength),
    ),
  ).toBe(true);
}

// What each fixture holds (made by make-fixtures.mjs) and how it is stored, asserted from its footer and page
// headers so that each storage feature the reader claims is really exercised (hyparquet's metadata reader showed
// the same codecs, encodings and page types when the fixtures were made).
interface Layout {
  codec: string;
  rowGroups: number;
  optional: boolean;
  pages: string[]; // page types of the first sample column
  gene: string; // an encoding listed for the gene column
  sample: string; // an encoding listed for the first sample column
  dataPages?: number; // data pages of the first sample column, over all row groups
  types?: string[];
}
const FIXTURES: { name: string; ref: () => Matrix; layout: Layout }[] = [
  {
    name: "lm22-snappy-dict-v1.parquet",
    ref: () => lm22,
    layout: {
      codec: "SNAPPY",
      rowGroups: 1,
      optional: true,
      pages: ["DATA_PAGE", "DICTIONARY_PAGE"],
      gene: "RLE_DICTIONARY",
      sample: "RLE_DICTIONARY",
    },
  },
  {
    name: "lm22-gzip-dict-v2-rowgroups.parquet",
    ref: () => head(lm22, 160),
    layout: {
      codec: "GZIP",
      rowGroups: 3,
      optional: true,
      pages: ["DATA_PAGE_V2", "DICTIONARY_PAGE"],
      gene: "RLE_DICTIONARY",
      sample: "RLE_DICTIONARY",
    },
  },
  {
    name: "lm22-plain-required-v1.parquet",
    ref: () => head(lm22, 160),
    layout: { codec: "UNCOMPRESSED", rowGroups: 2, optional: false, pages: ["DATA_PAGE"], gene: "PLAIN", sample: "PLAIN", dataPages: 3 },
  },
  {
    name: "lm22-snappy-v2-nodict.parquet",
    ref: () => head(lm22, 160),
    layout: {
      codec: "SNAPPY",
      rowGroups: 1,
      optional: true,
      pages: ["DATA_PAGE_V2"],
      gene: "DELTA_BYTE_ARRAY",
      sample: "PLAIN",
      dataPages: 3,
    },
  },
  {
    name: "lm22-dict-fallback.parquet", // dictionary page, RLE_DICTIONARY data pages, then PLAIN ones past the 256-byte limit
    ref: () => head(lm22, 160),
    layout: {
      codec: "SNAPPY",
      rowGroups: 1,
      optional: true,
      pages: ["DATA_PAGE", "DICTIONARY_PAGE"],
      gene: "RLE_DICTIONARY",
      sample: "PLAIN",
      dataPages: 3,
    },
  },
  {
    name: "lm22-bytestreamsplit.parquet",
    ref: () => head(lm22, 160),
    layout: { codec: "UNCOMPRESSED", rowGroups: 1, optional: false, pages: ["DATA_PAGE"], gene: "PLAIN", sample: "BYTE_STREAM_SPLIT" },
  },
  {
    name: "lm22-lengths-v1.parquet",
    ref: () => head(lm22, 160),
    layout: { codec: "SNAPPY", rowGroups: 1, optional: true, pages: ["DATA_PAGE"], gene: "DELTA_LENGTH_BYTE_ARRAY", sample: "PLAIN" },
  },
  {
    name: "lm22-hyparquet-writer.parquet", // the second writer
    ref: () => head(lm22, 160),
    layout: { codec: "SNAPPY", rowGroups: 2, optional: false, pages: ["DATA_PAGE_V2"], gene: "PLAIN", sample: "PLAIN" },
  },
  {
    name: "counts-types-v2-delta.parquet",
    ref: () => head(counts, 300),
    layout: {
      codec: "UNCOMPRESSED",
      rowGroups: 1,
      optional: true,
      pages: ["DATA_PAGE_V2"],
      gene: "DELTA_BYTE_ARRAY",
      sample: "DELTA_BINARY_PACKED",
      types: ["BYTE_ARRAY", "INT32", "INT64", "FLOAT", "INT64", "INT32", "DOUBLE", "DOUBLE", "DOUBLE"],
    },
  },
  {
    name: "counts-types-gzip-dict-v1.parquet",
    ref: () => head(counts, 300),
    layout: {
      codec: "GZIP",
      rowGroups: 3,
      optional: true,
      pages: ["DATA_PAGE", "DICTIONARY_PAGE"],
      gene: "RLE_DICTIONARY",
      sample: "RLE_DICTIONARY",
      types: ["BYTE_ARRAY", "INT32", "INT64", "FLOAT", "INT64", "INT32", "DOUBLE", "DOUBLE", "DOUBLE"],
    },
  },
];

describe("Parquet reader on independent writers' files", () => {
  for (const f of FIXTURES) {
    it(`${f.name} equals the TSV bit for bit`, () => {
      const bytes = fixture(f.name);
      expect(isParquet(bytes)).toBe(true);
      expectSame(parseParquet(bytes, f.name), f.ref());
    });
    it(`${f.name} is stored as described`, () => {
      const d = describeParquet(fixture(f.name));
      const [g, s] = d.columns;
      const L = f.layout;
      expect(d.rowGroups).toBe(L.rowGroups);
      expect(d.columns.every((c) => c.codecs.join() === L.codec && c.optional === L.optional)).toBe(true);
      expect(s.pageTypes).toEqual(L.pages);
      expect(g.encodings).toContain(L.gene);
      expect(s.encodings).toContain(L.sample);
      if (f.name.includes("fallback")) expect(s.encodings).toContain("RLE_DICTIONARY");
      if (L.dataPages) expect(s.dataPages).toBe(L.dataPages);
      expect(d.columns.map((c) => c.type)).toEqual(L.types ?? ["BYTE_ARRAY", ...f.ref().cols.map(() => "DOUBLE")]);
    });
  }

  // DuckDB's writer (make-duckdb.mjs): LM22's first 100 genes, one file per codec it writes.
  for (const codec of ["ZSTD", "BROTLI", "LZ4_RAW", "GZIP", "SNAPPY", "UNCOMPRESSED"]) {
    const name = `duckdb-lm22-${codec.toLowerCase().replace("_", "")}.parquet`;
    it(`${name} (DuckDB, ${codec}) equals the TSV bit for bit`, () => {
      expect(describeParquet(fixture(name)).columns.every((c) => c.codecs.join() === codec)).toBe(true);
      expectSame(parseParquet(fixture(name), name), head(lm22, 100));
    });
  }

  it("LZ4 (Hadoop-framed, arrow-rs) and ZSTD (arrow-rs) read as the TSV", () => {
    expect(describeParquet(fixture("lz4-hadoop.parquet")).columns[1].codecs).toEqual(["LZ4"]);
    expectSame(parseParquet(fixture("lz4-hadoop.parquet"), "l"), head(lm22, 160));
    expectSame(parseParquet(fixture("zstd.parquet"), "z"), selectRows(lm22, [0, 1, 2, 3, 4], [0, 1, 2]));
  });

  it("the gene column is found by type: the one string column, here the last (DuckDB, no pandas metadata)", () => {
    const bytes = fixture("duckdb-lm22-gene-last.parquet");
    expect(describeParquet(bytes).columns.at(-1)!.name).toBe("Gene symbol");
    expectSame(parseParquet(bytes, "g"), head(lm22, 100));
  });

  it("keep selects genes across row groups, in file order", () => {
    const want = new Set([lm22.rows[150], lm22.rows[3], lm22.rows[70]]);
    const m = parseParquet(fixture("lm22-gzip-dict-v2-rowgroups.parquet"), "g", (g) => want.has(g));
    expectSame(m, selectRows(lm22, [3, 70, 150]));
  });

  it("a missing cell is refused naming the row, column, gene and sample; skipped rows are not checked", () => {
    const bytes = fixture("null-cell.parquet"); // row 3 of the second sample column is null
    const where = `null-cell.parquet:3:3, gene "${lm22.rows[2]}", sample "${lm22.cols[1]}": missing value`;
    expect(() => parseParquet(bytes, "null-cell.parquet")).toThrow(InputError);
    expect(() => parseParquet(bytes, "null-cell.parquet")).toThrow(where);
    const m = parseParquet(bytes, "null-cell.parquet", (g) => g !== lm22.rows[2]);
    expectSame(m, selectRows(lm22, [0, 1, 3, 4], [0, 1, 2]));
  });

  it('pandas\' layout: the index column named in the "pandas" metadata is the gene column, wherever it stands', () => {
    // Fixtures: 4 LM22 samples then the index column (last, as DataFrame.to_parquet writes it).
    const ref = selectRows(
      lm22,
      Array.from({ length: 40 }, (_, i) => i),
      [0, 1, 2, 3],
    );
    expectSame(parseParquet(fixture("pandas-index-last.parquet"), "p"), ref);
    const unnamed = parseParquet(fixture("pandas-unnamed-index.parquet"), "p");
    expect(unnamed.rowHeader).toBe(""); // "__index_level_0__" is pandas' name for an unnamed index
    expect(unnamed.rows).toEqual(lm22.rows.slice(0, 20));
    expect(Array.from(unnamed.data)).toEqual(
      Array.from(
        selectRows(
          ref,
          Array.from({ length: 20 }, (_, i) => i),
        ).data,
      ),
    );
    // Without a string column there are no genes.
    expect(() => parseParquet(fixture("bad-numeric-first.parquet"), "f")).toThrow(/no column holds gene symbols \(strings\)/);
  });

  it("layouts that are not a gene × sample table are refused by name", () => {
    const refused: [string, RegExp][] = [
      ["bad-numeric-first.parquet", /^f: no column holds gene symbols \(strings\): the columns are "id" INT32, "S1" DOUBLE$/],
      ["bad-nested.parquet", /^f: Parquet nested column "S1" is not supported/],
      ["bad-boolean.parquet", /^f: Parquet BOOLEAN sample column "S1" .* is not supported/],
      ["bad-one-column.parquet", /^f: Parquet table needs a gene column and at least one sample column$/],
      ["bad-null-gene.parquet", /^f:2:1: empty gene symbol$/],
    ];
    for (const [name, re] of refused) {
      expect(() => parseParquet(fixture(name), "f"), name).toThrow(InputError);
      expect(() => parseParquet(fixture(name), "f"), name).toThrow(re);
    }
  });

  it("two string columns besides the samples: refused naming them (which one holds the genes is not guessed)", () => {
    expect(() => parseParquet(fixture("duckdb-two-strings.parquet"), "two.parquet")).toThrow(
      /^two\.parquet: 2 columns hold strings \("Gene symbol", "gene_id"\): one, the gene symbols, may; drop the others$/,
    );
  });
});

describe("Parquet through the common readers (src/core/formats/read.ts)", () => {
  const path = (name: string) => fileURLToPath(new URL(`fixtures/parquet/${name}`, import.meta.url));
  it("readMatrixFile reads Parquet by content, GZIP pages included, and a gzipped .parquet.gz", () => {
    expectSame(readMatrixFile(path("lm22-snappy-dict-v1.parquet")), lm22);
    expectSame(readMatrixFile(path("counts-types-gzip-dict-v1.parquet")), head(counts, 300));
    expectSame(parseMatrix(gzipSync(fixture("lm22-gzip-dict-v2-rowgroups.parquet")), { name: "x.parquet.gz" }), head(lm22, 160));
  });
  it("keepRows, missing-cell errors with the file name, and the duplicate-gene policy apply", () => {
    const keep = new Set([lm22.rows[10], lm22.rows[2]]);
    expectSame(readMatrixFile(path("lm22-plain-required-v1.parquet"), { keepRows: keep }), selectRows(lm22, [2, 10]));
    expect(() => readMatrixFile(path("null-cell.parquet"), { name: "m.parquet" })).toThrow(/^m\.parquet:3:3, gene /);
    const dup = formatParquet("gene", ["S1"], ["A", "B", "A"], (r) => r + 1);
    expect(() => parseMatrix(dup, { name: "d.parquet" })).toThrow(/duplicate gene symbols.*"A"/);
    const m = parseMatrix(dup, { name: "d.parquet", duplicates: "mean", onWarning: () => {} });
    expect(m.rows).toEqual(["A", "B"]);
    expect(Array.from(m.data)).toEqual([2, 2]);
  });
});

describe("Parquet writer", () => {
  it("formatParquet(LM22) reads back bit for bit", () => {
    const bytes = formatParquet("Gene symbol", lm22.cols, lm22.rows, (r, c) => get(lm22, r, c));
    expectSame(parseParquet(bytes, "ours.parquet"), lm22);
  });

  it("keeps awkward doubles and non-ASCII names exactly", () => {
    const vals = [-0, 5e-324, Number.MAX_VALUE, -1.5, 0.1 + 0.2, 2 ** 53 + 2];
    const rows = vals.map((_, i) => ["Gène", "基因", "A".repeat(300), "x y", "B\u0000C", "Ω"][i]);
    const bytes = formatParquet("gène", ["S1", "échantillon 2"], rows, (r, c) => (c === 0 ? vals[r] : -vals[r]));
    const m = parseParquet(bytes);
    expect(m.rows).toEqual(rows);
    expect(m.cols).toEqual(["S1", "échantillon 2"]);
    expect(m.rowHeader).toBe("gène");
    vals.forEach((v, r) => {
      expect(Object.is(get(m, r, 0), v)).toBe(true);
      expect(Object.is(get(m, r, 1), -v)).toBe(true);
    });
  });

  it("an empty table is a valid file with no rows", () => {
    const m = parseParquet(formatParquet("gene", ["S1"], [], () => 0));
    expect(m.rows).toEqual([]);
    expect(m.cols).toEqual(["S1"]);
  });
});

describe("bad Parquet files give InputErrors, never crashes or hangs", () => {
  const tryParse = (b: Uint8Array) => {
    try {
      parseParquet(b, "bad.parquet");
      return "ok";
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      expect(e.message).toMatch(/^bad\.parquet[: ]/); // a flipped REQUIRED → OPTIONAL gives "bad.parquet:101:5, …"
      return "input";
    }
  };

  it("truncated files", () => {
    for (const name of ["lm22-snappy-v2-nodict.parquet", "counts-types-v2-delta.parquet", "lm22-plain-required-v1.parquet"]) {
      const b = fixture(name);
      for (const n of [0, 3, 4, 11, 12, 100, b.length >> 1, b.length - 9, b.length - 8, b.length - 1]) {
        expect(tryParse(b.subarray(0, n)), `${name} cut at ${n}`).toBe("input");
      }
      // The footer intact but the data cut short: still an InputError.
      const hole = new Uint8Array(b);
      hole.fill(0, 4, b.length >> 1);
      expect(tryParse(hole)).toBe("input");
    }
  });

  it("random byte changes in pages and footer", { timeout: 60_000 }, () => {
    // 450 parses: seconds on a loaded machine
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const outcomes = { ok: 0, input: 0 };
    for (const name of ["lm22-snappy-v2-nodict.parquet", "counts-types-gzip-dict-v1.parquet", "lm22-hyparquet-writer.parquet"]) {
      const orig = fixture(name);
      for (let k = 0; k < 150; k++) {
        const b = new Uint8Array(orig);
        // Half the changes hit the footer (the last ~2 KB), where a flip changes the structure.
        const at = k % 2 ? b.length - 8 - rand(Math.min(2048, b.length - 8)) : rand(b.length);
        b[at] = rand(256);
        outcomes[tryParse(b)]++;
      }
    }
    expect(outcomes.input).toBeGreaterThan(50); // the changes did break files
  });

  it("non-Parquet and wrong-layout inputs", () => {
    expect(tryParse(new TextEncoder().encode("PAR1 but not really a parquet file at all"))).toBe("input");
    expect(tryParse(new TextEncoder().encode("PAR1"))).toBe("input");
    expect(tryParse(new TextEncoder().encode("PARE encrypted footer PARE"))).toBe("input");
  });
});
