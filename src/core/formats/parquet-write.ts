/**
 * Our small Parquet writer for result tables (`--format parquet`): one row group, REQUIRED columns, PLAIN,
 * uncompressed, data page v1. Hand-written because it is ~150 lines against a writer dependency for the one
 * layout we emit; every reader (hyparquet here, arrow-rs, DuckDB in test/fixtures/parquet) reads it back.
 * Field ids are parquet.thrift's (https://github.com/apache/parquet-format); Thrift compact protocol as in
 * https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md.
 */

// Thrift compact protocol field types.
const T_I32 = 5,
  T_I64 = 6,
  T_BINARY = 8,
  T_LIST = 9,
  T_STRUCT = 12;

class ThriftWriter {
  parts: number[] = [];
  private last: number[] = [0];

  byte(x: number): void {
    this.parts.push(x);
  }
  varint(v: number): void {
    while (v >= 128) {
      this.parts.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.parts.push(v);
  }
  field(id: number, type: number): void {
    const d = id - this.last[this.last.length - 1];
    if (d > 0 && d <= 15) this.byte((d << 4) | type);
    else {
      this.byte(type);
      this.varint(id * 2); // ids are positive: zigzag is doubling
    }
    this.last[this.last.length - 1] = id;
  }
  int(id: number, type: typeof T_I32 | typeof T_I64, v: number): void {
    this.field(id, type);
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  bin(id: number, b: Uint8Array): void {
    this.field(id, T_BINARY);
    this.varint(b.length);
    for (const x of b) this.parts.push(x);
  }
  listHeader(id: number, type: number, n: number): void {
    this.field(id, T_LIST);
    if (n < 15) this.byte((n << 4) | type);
    else {
      this.byte(0xf0 | type);
      this.varint(n);
    }
  }
  /** Fields of a struct that is a list element (no field header) or a field (`id`). */
  begin(id?: number): void {
    if (id !== undefined) this.field(id, T_STRUCT);
    this.last.push(0);
  }
  end(): void {
    this.byte(0);
    this.last.pop();
  }
}

/** A result table as a Parquet file: first column `rowHeader` (UTF-8 strings), then one DOUBLE column per col. */
export function formatParquet(
  rowHeader: string,
  colNames: string[],
  rowNames: string[],
  values: (r: number, c: number) => number,
): Uint8Array {
  const enc = new TextEncoder();
  const nr = rowNames.length;
  const names = [rowHeader, ...colNames];
  const pages: Uint8Array[] = [];
  const genes = rowNames.map((s) => enc.encode(s));
  const gbuf = new Uint8Array(genes.reduce((s, g) => s + 4 + g.length, 0));
  const gview = new DataView(gbuf.buffer);
  let p = 0;
  for (const g of genes) {
    gview.setUint32(p, g.length, true);
    gbuf.set(g, p + 4);
    p += 4 + g.length;
  }
  pages.push(gbuf);
  for (let c = 0; c < colNames.length; c++) {
    const buf = new Uint8Array(nr * 8);
    const dv = new DataView(buf.buffer);
    for (let r = 0; r < nr; r++) dv.setFloat64(r * 8, values(r, c), true);
    pages.push(buf);
  }
  const chunks: Uint8Array[] = [enc.encode("PAR1")];
  let offset = 4;
  const metas: { offset: number; size: number }[] = [];
  for (const data of pages) {
    if (data.length > 0x7fffffff) throw new RangeError("Parquet page above 2 GiB");
    const h = new ThriftWriter();
    h.int(1, T_I32, 0); // DATA_PAGE
    h.int(2, T_I32, data.length);
    h.int(3, T_I32, data.length);
    h.begin(5);
    h.int(1, T_I32, nr);
    h.int(2, T_I32, 0); // PLAIN
    h.int(3, T_I32, 3); // RLE levels (none: required columns)
    h.int(4, T_I32, 3);
    h.end();
    h.byte(0);
    const head = Uint8Array.from(h.parts);
    chunks.push(head, data);
    metas.push({ offset, size: head.length + data.length });
    offset += head.length + data.length;
  }
  const f = new ThriftWriter();
  f.int(1, T_I32, 1); // format version
  f.listHeader(2, T_STRUCT, names.length + 1);
  f.begin();
  f.bin(4, enc.encode("schema"));
  f.int(5, T_I32, names.length);
  f.end();
  names.forEach((name, c) => {
    f.begin();
    f.int(1, T_I32, c === 0 ? 6 : 5); // BYTE_ARRAY, DOUBLE
    f.int(3, T_I32, 0); // REQUIRED
    f.bin(4, enc.encode(name));
    if (c === 0) {
      f.int(6, T_I32, 0); // converted type UTF8
      f.begin(10); // logical type STRING
      f.begin(1);
      f.end();
      f.end();
    }
    f.end();
  });
  f.int(3, T_I64, nr);
  f.listHeader(4, T_STRUCT, 1);
  f.begin();
  f.listHeader(1, T_STRUCT, names.length);
  names.forEach((name, c) => {
    f.begin();
    f.int(2, T_I64, metas[c].offset);
    f.begin(3);
    f.int(1, T_I32, c === 0 ? 6 : 5);
    f.listHeader(2, T_I32, 1);
    f.varint(0); // PLAIN (zigzag 0)
    f.listHeader(3, T_BINARY, 1);
    const nb = enc.encode(name);
    f.varint(nb.length);
    for (const x of nb) f.byte(x);
    f.int(4, T_I32, 0); // UNCOMPRESSED
    f.int(5, T_I64, nr);
    f.int(6, T_I64, metas[c].size);
    f.int(7, T_I64, metas[c].size);
    f.int(9, T_I64, metas[c].offset);
    f.end();
    f.end();
  });
  f.int(2, T_I64, offset - 4);
  f.int(3, T_I64, nr);
  f.int(5, T_I64, 4);
  f.int(6, T_I64, offset - 4);
  f.end();
  f.bin(6, enc.encode("cellfrac"));
  f.byte(0);
  const footer = Uint8Array.from(f.parts);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, footer.length, true);
  tail.set(enc.encode("PAR1"), 4);
  chunks.push(footer, tail);
  const out = new Uint8Array(chunks.reduce((s, x) => s + x.length, 0));
  let o = 0;
  for (const x of chunks) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}
