// Mutation fuzzing of every reader, shared by test/fuzz.test.ts (fixed seed, CI-sized) and bench/fuzz.ts
// (the long run). A case is a valid seed input of one reader, damaged by a few random edits; the contract
// is the CLI's: the reader returns a well-formed result or throws an InputError that names the file —
// anything else (TypeError, RangeError, a hang, a malformed matrix) is a crash.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { InputError } from "../../src/core/errors.js";
import { parseMatrix } from "../../src/core/formats/read.js";
import { formatArrow } from "../../src/core/formats/arrow.js";
import { formatParquet } from "../../src/core/formats/parquet.js";
import { parseGeneSets } from "../../src/core/genesets.js";
import type { Matrix } from "../../src/core/matrix.js";

const FIXTURES = new URL("../fixtures/", import.meta.url);
const enc = new TextEncoder();

export type ReaderName = "tsv" | "csv" | "tsv.gz" | "gct" | "signature" | "gmt" | "geneset-tsv" | "parquet" | "arrow";

export interface Seed {
  reader: ReaderName;
  /** The file name the reader is told (messages must start with it). */
  name: string;
  bytes: Uint8Array;
  /** Applied after the edits (gzip of damaged text: the content, not the gzip CRC, is under test). */
  wrap?: (b: Uint8Array) => Uint8Array;
}

const GENES = ["CD3E", "CD8A", "MS4A1", "CD14", "NKG7", "FOXP3", "GZMB", "LYZ"];
const SAMPLES = ["s1", "s2", "s3"];
const value = (r: number, c: number) => Math.round((r * 7.31 + c * 3.7 + 0.25) * 1000) / 1000;
const table = (d: string) =>
  `${[["gene", ...SAMPLES].join(d), ...GENES.map((g, r) => [g, ...SAMPLES.map((_, c) => value(r, c))].join(d))].join("\n")}\n`;

/** Valid inputs, one or more per reader: small, so a mutation often hits the structure. */
export function seeds(): Seed[] {
  const gct12 =
    `#1.2\n${GENES.length}\t${SAMPLES.length}\nName\tDescription\t${SAMPLES.join("\t")}\n` +
    GENES.map((g, r) => `${g}\tna\t${SAMPLES.map((_, c) => value(r, c)).join("\t")}`).join("\n") +
    "\n";
  const gct13 =
    `#1.3\n${GENES.length}\t${SAMPLES.length}\t1\t1\nid\tdesc\t${SAMPLES.join("\t")}\ngroup\tna\ta\tb\ta\n` +
    GENES.map((g, r) => `${g}\tx\t${SAMPLES.map((_, c) => value(r, c)).join("\t")}`).join("\n") +
    "\n";
  const sig = `${[["gene", "T cells", "B cells"].join("\t"), ...GENES.map((g, r) => `${g}\t${value(r, 0)}\t${value(r, 1)}`)].join("\n")}\n`;
  const gmt = "TCELL\thttp://x\tCD3E\tCD8A\tGZMB\nBCELL\tna\tMS4A1\nMYELOID\tna\tCD14\tLYZ\n";
  const setTsv = "gene_set\tgene\nTCELL\tCD3E\nTCELL\tCD8A\nBCELL\tMS4A1\nMYELOID\tCD14\n";
  const arrowStream = tableToIPC(
    tableFromArrays({ gene: GENES, s1: Float64Array.from(GENES, (_, r) => value(r, 0)), s2: Int32Array.from(GENES, (_, r) => r) }),
    "stream",
  );
  return [
    { reader: "tsv", name: "mix.tsv", bytes: enc.encode(table("\t")) },
    { reader: "csv", name: "mix.csv", bytes: enc.encode(table(",")) },
    { reader: "tsv.gz", name: "mix.tsv.gz", bytes: gzipSync(table("\t")) },
    { reader: "tsv.gz", name: "inner.tsv.gz", bytes: enc.encode(table("\t")), wrap: (b) => gzipSync(b) },
    { reader: "gct", name: "mix.gct", bytes: enc.encode(gct12) },
    { reader: "gct", name: "mix13.gct", bytes: enc.encode(gct13) },
    { reader: "signature", name: "sig.tsv", bytes: enc.encode(sig) },
    { reader: "gmt", name: "sets.gmt", bytes: enc.encode(gmt) },
    { reader: "geneset-tsv", name: "sets.tsv", bytes: enc.encode(setTsv) },
    { reader: "parquet", name: "ours.parquet", bytes: formatParquet("gene", SAMPLES, GENES, value) },
    { reader: "parquet", name: "gzip-dict.parquet", bytes: readFileSync(new URL("parquet/counts-types-gzip-dict-v1.parquet", FIXTURES)) },
    { reader: "parquet", name: "v2-delta.parquet", bytes: readFileSync(new URL("parquet/counts-types-v2-delta.parquet", FIXTURES)) },
    { reader: "parquet", name: "nullable.parquet", bytes: readFileSync(new URL("parquet/null-cell.parquet", FIXTURES)) },
    { reader: "arrow", name: "ours.arrow", bytes: formatArrow("gene", SAMPLES, GENES, value) },
    { reader: "arrow", name: "stream.arrows", bytes: arrowStream },
    { reader: "arrow", name: "stream.arrows.gz", bytes: arrowStream, wrap: (b) => gzipSync(b) },
  ];
}

/** Bytes that matter to the parsers: delimiters, quotes, line ends, BOM, NUL, number edge cases, absurd integers. */
const TOKENS = [
  "\t",
  ",",
  '"',
  "\n",
  "\r",
  "\r\n",
  "\uFEFF",
  "\0",
  "1e999",
  "-1e-400",
  "NaN",
  "NA",
  "Inf",
  "-",
  "0x1F",
  "1,5",
  " ",
  "#1.3",
  "\xff",
  "é",
].map((t) => enc.encode(t));

/** One edit of a byte array. */
export type Edit =
  | { kind: "flip"; at: number; byte: number }
  | { kind: "insert"; at: number; token: number }
  | { kind: "delete"; at: number; len: number }
  | { kind: "truncate"; at: number }
  | { kind: "repeat"; at: number; len: number; times: number }
  | { kind: "int32"; at: number; value: number };

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), token: fc.nat(TOKENS.length - 1) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("repeat" as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 64 }),
    times: fc.integer({ min: 2, max: 50 }),
  }),
  // a declared size, count or offset replaced by an absurd one (binary formats)
  fc.record({
    kind: fc.constant("int32" as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(-1, 0x7fffffff, 0x40000000, 1e9), fc.integer()),
  }),
);

/** The seed's bytes after the edits (and its wrap). */
export function damage(seed: Seed, edits: Edit[]): Uint8Array {
  const b = applyEdits(seed.bytes, edits);
  return seed.wrap ? seed.wrap(b) : b;
}

export function applyEdits(src: Uint8Array, edits: Edit[]): Uint8Array {
  let b = src;
  for (const e of edits) {
    const n = b.length;
    const at = n === 0 ? 0 : e.at % (n + 1);
    if (e.kind === "flip" && n > 0) {
      b = b.slice();
      b[at % n] = e.byte;
    } else if (e.kind === "insert") {
      b = concat(b.subarray(0, at), TOKENS[e.token], b.subarray(at));
    } else if (e.kind === "delete") {
      b = concat(b.subarray(0, at), b.subarray(at + e.len));
    } else if (e.kind === "truncate") {
      b = b.subarray(0, at);
    } else if (e.kind === "repeat") {
      const piece = b.subarray(at, at + e.len);
      b = concat(b.subarray(0, at), ...Array.from({ length: e.times }, () => piece), b.subarray(at));
    } else if (e.kind === "int32" && n >= 4) {
      b = b.slice();
      new DataView(b.buffer, b.byteOffset, b.byteLength).setInt32(Math.min(at, n - 4), e.value | 0, true);
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** What a reader did with one input. */
export type Outcome = { ok: true; what: string } | { ok: false; message: string };

/** The role a message may name before the file (src/core/errors.ts withRole). */
export const ROLE = /^(mixture|signature|gene sets|annotation) /;

/** Run the seed's reader in-process; throws (a crash) unless the result or the error keeps the contract. */
export function readOnce(seed: Seed, bytes: Uint8Array): Outcome {
  try {
    if (seed.reader === "gmt" || seed.reader === "geneset-tsv") {
      const sets = parseGeneSets(new TextDecoder().decode(bytes), { name: seed.name, format: seed.reader === "gmt" ? "gmt" : "tsv" });
      for (const s of sets)
        if (s.name === "" || s.genes.length === 0 || new Set(s.genes).size !== s.genes.length) throw new Error(`malformed set "${s.name}"`);
      return { ok: true, what: `${sets.length} sets` };
    }
    const m = parseMatrix(bytes, { name: seed.name, what: seed.reader === "signature" ? "signature" : "mixture" });
    checkMatrix(m);
    return { ok: true, what: `${m.rows.length} × ${m.cols.length}` };
  } catch (e) {
    // Messages may name the file's role first ("mixture mix.tsv: …", "signature sig.tsv: …").
    const m = e instanceof InputError ? e.message.replace(ROLE, "") : "";
    if (e instanceof InputError && m.startsWith(seed.name) && m.length > seed.name.length + 2 && !m.includes("\n")) {
      return { ok: false, message: e.message };
    }
    throw e;
  }
}

/** A result matrix is whole: sizes agree, every value finite, names non-empty and unique. */
export function checkMatrix(m: Matrix): void {
  if (m.data.length !== m.rows.length * m.cols.length)
    throw new Error(`data holds ${m.data.length} values for ${m.rows.length} × ${m.cols.length}`);
  for (const v of m.data) if (!Number.isFinite(v)) throw new Error(`non-finite value ${v} in a result`);
  if (m.rows.some((r) => r === "") || new Set(m.rows).size !== m.rows.length) throw new Error("empty or repeated gene in a result");
  if (m.cols.some((c) => c === "") || new Set(m.cols).size !== m.cols.length) throw new Error("empty or repeated column in a result");
}

/** fast-check property over all seeds: pick a seed, damage it with 1-4 edits, read it. */
export function readerProperty(all: Seed[], onCase?: (o: Outcome) => void): fc.IPropertyWithHooks<[number, Edit[]]> {
  return fc.property(fc.nat(all.length - 1), fc.array(editArb, { minLength: 1, maxLength: 4 }), (i, edits) => {
    onCase?.(readOnce(all[i], damage(all[i], edits)));
  });
}
