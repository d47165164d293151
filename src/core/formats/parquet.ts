/**
 * Parquet mixtures and result tables, read and written by hand (no dependency). Pure (no `node:` imports):
 * runs in a web worker. Layout as for Arrow: the first column holds gene symbols (strings), every other
 * column is one sample (DOUBLE, FLOAT, INT32 or INT64, read as double). Files from pandas' to_parquet, which
 * stores the row index (the genes) as an extra column named in its "pandas" metadata, use that column instead.
 *
 * Reader: Thrift compact footer, any number of row groups, data pages v1 and v2, dictionary pages, encodings
 * PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and
 * BYTE_STREAM_SPLIT, RLE definition levels (optional columns), codecs UNCOMPRESSED, SNAPPY and GZIP (the
 * inflater is passed in: node:zlib on the Node side, DecompressionStream via parseParquetAsync in a browser).
 * Anything else (nested columns, other codecs, encryption) is refused with an InputError naming the feature.
 *
 * Writer: one row group, required columns, PLAIN, uncompressed, data page v1.
 *
 * Read the specifications first: https://github.com/apache/parquet-format (README.md for the file layout,
 * src/main/thrift/parquet.thrift for the footer structs and their field ids, Encodings.md for the value and
 * level encodings), the Thrift compact protocol (https://github.com/apache/thrift/blob/master/doc/specs/
 * thrift-compact-protocol.md) and Snappy's raw format (https://github.com/google/snappy/blob/main/
 * format_description.txt). Field ids below are parquet.thrift's.
 */
import { InputError } from "../errors.js";
import { checkDims } from "../limits.js";
import { type Matrix, makeMatrix } from "../matrix.js";

/** Decompresses one GZIP page body (RFC 1952; a bare zlib stream is accepted too where the inflater can). */
/** Decompresses a GZIP page; `size`, the page's declared size, lets it stop early on a larger output. */
export type Inflate = (data: Uint8Array, size?: number) => Uint8Array;

/** "PAR1" (or "PARE", the encrypted-footer variant, which is recognised only to be refused clearly). */
export function isParquet(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x41 && b[2] === 0x52 && (b[3] === 0x31 || b[3] === 0x45);
}

// ---------------------------------------------------------------------------------------------------------
// Errors. Corrupt is internal: it becomes an InputError naming the file at the entry points.

class Corrupt extends Error {}

function corrupt(msg: string): never {
  throw new Corrupt(msg);
}

const TYPE_NAMES = ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"];
const CODEC_NAMES = ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"];
const ENCODING_NAMES = [
  "PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED",
  "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT",
];
const nameOf = (names: string[], i: number) => names[i] ?? `code ${i}`;

// Thrift compact protocol field types.
const T_TRUE = 1, T_FALSE = 2, T_BYTE = 3, T_I16 = 4, T_I32 = 5, T_I64 = 6, T_DOUBLE = 7, T_BINARY = 8;
const T_LIST = 9, T_SET = 10, T_MAP = 11, T_STRUCT = 12;

// ---------------------------------------------------------------------------------------------------------
// Thrift compact protocol, read generically: a struct is a map from field id to value.

type TValue = number | boolean | Uint8Array | TValue[] | TStruct;
interface TStruct {
  [id: number]: TValue | undefined;
}

class ThriftReader {
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  byte(): number {
    if (this.pos >= this.end) corrupt("metadata ends early");
    return this.b[this.pos++];
  }

  /** Unsigned LEB128 as a double (exact below 2^53, which covers every size and offset). */
  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const x = this.byte();
      v += (x & 0x7f) * scale;
      if (x < 0x80) return v;
      scale *= 128;
    }
    return corrupt("varint longer than 10 bytes");
  }

  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  struct(depth = 0): TStruct {
    if (depth > 32) corrupt("metadata nested too deeply");
    const s: TStruct = {};
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return s;
      const type = h & 0x0f;
      const delta = h >> 4;
      const id = delta !== 0 ? last + delta : this.zigzag();
      s[id] = type === T_TRUE ? true : type === T_FALSE ? false : this.value(type, depth);
      last = id;
    }
  }

  value(type: number, depth: number): TValue {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        return this.byte() === 1; // a bool inside a list or map: one byte
      case T_BYTE: {
        const x = this.byte();
        return x > 127 ? x - 256 : x;
      }
      case T_I16:
      case T_I32:
      case T_I64:
        return this.zigzag();
      case T_DOUBLE: {
        if (this.pos + 8 > this.end) corrupt("metadata ends early");
        const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case T_BINARY: {
        const n = this.varint();
        if (n > this.end - this.pos) corrupt("metadata string runs past the footer");
        const v = this.b.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case T_LIST:
      case T_SET: {
        const h = this.byte();
        const n = h >> 4 === 15 ? this.varint() : h >> 4;
        const et = h & 0x0f;
        if (n > this.end - this.pos) corrupt("metadata list longer than the footer");
        const out: TValue[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.value(et, depth + 1);
        return out;
      }
      case T_MAP: {
        const n = this.varint();
        if (n === 0) return [];
        if (n > this.end - this.pos) corrupt("metadata map longer than the footer");
        const kv = this.byte();
        const out: TValue[] = [];
        for (let i = 0; i < n; i++) out.push([this.value(kv >> 4, depth + 1), this.value(kv & 0x0f, depth + 1)]);
        return out;
      }
      case T_STRUCT:
        return this.struct(depth + 1);
      default:
        return corrupt(`unknown Thrift type ${type} in the metadata`);
    }
  }
}

function num(s: TStruct, id: number, what: string): number {
  const v = s[id];
  if (typeof v !== "number") corrupt(`${what} is missing`);
  return v;
}
function optNum(s: TStruct, id: number): number | undefined {
  const v = s[id];
  return typeof v === "number" ? v : undefined;
}
function struct(s: TStruct, id: number): TStruct | undefined {
  const v = s[id];
  return v !== undefined && typeof v === "object" && !(v instanceof Uint8Array) && !Array.isArray(v) ? v : undefined;
}
function list(s: TStruct, id: number, what: string): TValue[] {
  const v = s[id];
  if (!Array.isArray(v)) corrupt(`${what} is missing`);
  return v;
}
function text(s: TStruct, id: number): string | undefined {
  const v = s[id];
  return v instanceof Uint8Array ? utf8(v) : undefined;
}
function asStruct(v: TValue, what: string): TStruct {
  if (typeof v !== "object" || v instanceof Uint8Array || Array.isArray(v)) corrupt(`${what} is not a struct`);
  return v;
}

const decoder = new TextDecoder("utf-8");
function utf8(b: Uint8Array): string {
  if (b.length < 64) {
    let ascii = true;
    for (let i = 0; i < b.length; i++) if (b[i] >= 0x80) ascii = false;
    if (ascii) return String.fromCharCode.apply(null, b as unknown as number[]);
  }
  return decoder.decode(b);
}

// ---------------------------------------------------------------------------------------------------------
// Snappy (raw block format, as Parquet stores it).

export function snappyDecompress(src: Uint8Array, expected: number): Uint8Array {
  let p = 0;
  let len = 0;
  for (let scale = 1, i = 0; ; i++, scale *= 128) {
    if (p >= src.length || i > 4) corrupt("bad Snappy length header");
    const x = src[p++];
    len += (x & 0x7f) * scale;
    if (x < 0x80) break;
  }
  if (len !== expected) corrupt(`Snappy block holds ${len} bytes, the page header says ${expected}`);
  if (len > src.length * 32 + 64) corrupt(`Snappy block claims ${len} bytes from ${src.length}`); // beyond Snappy's reach
  const out = new Uint8Array(len);
  let o = 0;
  while (p < src.length) {
    const tag = src[p++];
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const k = n - 59;
        if (p + k > src.length) corrupt("truncated Snappy literal");
        n = 0;
        for (let i = 0; i < k; i++) n += src[p + i] * 2 ** (8 * i);
        p += k;
      }
      n += 1;
      if (p + n > src.length || o + n > len) corrupt("Snappy literal runs past the end");
      if (n < 32) for (let i = 0; i < n; i++) out[o + i] = src[p + i];
      else out.set(src.subarray(p, p + n), o);
      p += n;
      o += n;
    } else {
      let n: number;
      let off: number;
      if (kind === 1) {
        if (p >= src.length) corrupt("truncated Snappy copy");
        n = 4 + ((tag >> 2) & 7);
        off = ((tag >> 5) << 8) | src[p++];
      } else if (kind === 2) {
        if (p + 2 > src.length) corrupt("truncated Snappy copy");
        n = (tag >> 2) + 1;
        off = src[p] | (src[p + 1] << 8);
        p += 2;
      } else {
        if (p + 4 > src.length) corrupt("truncated Snappy copy");
        n = (tag >> 2) + 1;
        off = (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16)) + src[p + 3] * 0x1000000;
        p += 4;
      }
      if (off === 0 || off > o || o + n > len) corrupt("bad Snappy back-reference");
      // Byte by byte also covers overlapping copies (off < n), which repeat a pattern.
      if (off >= n && n >= 32) out.copyWithin(o, o - off, o - off + n);
      else for (let i = 0; i < n; i++) out[o + i] = out[o - off + i];
      o += n;
    }
  }
  if (o !== len) corrupt(`Snappy block ends after ${o} of ${len} bytes`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Schema and column chunks.

export interface Leaf {
  name: string;
  type: number;
  optional: boolean;
  unsigned: boolean;
  typeLength: number;
}

/** Where a value comes from, for messages. */
interface Ctx {
  file?: string;
  column: string;
}

function unsupported(ctx: Ctx | { file?: string }, what: string, advice = "convert the file to TSV or Arrow"): never {
  const col = "column" in ctx ? ` (column "${ctx.column}")` : "";
  throw new InputError(`Parquet ${what} is not supported${col}; ${advice}`, { file: ctx.file });
}

function readLeaves(schema: TValue[], file?: string): Leaf[] {
  if (schema.length === 0) corrupt("empty schema");
  const root = asStruct(schema[0], "schema root");
  const n = optNum(root, 5) ?? 0;
  const leaves: Leaf[] = [];
  for (let i = 1; i < schema.length; i++) {
    const e = asStruct(schema[i], "schema element");
    const name = text(e, 4) ?? corrupt("schema element without a name");
    if ((optNum(e, 5) ?? 0) > 0 || optNum(e, 1) === undefined) unsupported({ file }, `nested column "${name}"`);
    const rep = optNum(e, 3) ?? 0;
    if (rep === 2) unsupported({ file }, `repeated column "${name}"`);
    const conv = optNum(e, 6);
    const logical = struct(e, 10);
    if (conv === 5 || (logical && struct(logical, 5))) unsupported({ file }, `DECIMAL column "${name}"`);
    const intType = logical && struct(logical, 10);
    const unsigned = (conv !== undefined && conv >= 11 && conv <= 14) || (intType !== undefined && intType[2] === false);
    leaves.push({ name, type: num(e, 1, "column type"), optional: rep === 1, unsigned, typeLength: optNum(e, 2) ?? 0 });
  }
  if (leaves.length !== n) corrupt(`schema root says ${n} columns, ${leaves.length} follow`);
  return leaves;
}

/** One column chunk, decoded: strings (gene column) or doubles, with null flags where the column is optional. */
export interface Decoded {
  strings?: (string | null)[];
  numbers?: Float64Array;
  nulls?: Uint8Array;
}

/** Dictionary values of a chunk. */
type Dict = (string | null)[] | Float64Array;

class ChunkReader {
  dict: Dict | undefined;
  constructor(
    readonly bytes: Uint8Array,
    readonly leaf: Leaf,
    readonly codec: number,
    readonly ctx: Ctx,
    readonly inflate: Inflate | undefined,
  ) {}

  decompress(data: Uint8Array, size: number): Uint8Array {
    if (this.codec === 0) {
      if (data.length !== size) corrupt(`page holds ${data.length} bytes, its header says ${size}`);
      return data;
    }
    if (this.codec === 1) return snappyDecompress(data, size);
    if (this.codec === 2) {
      if (!this.inflate) unsupported(this.ctx, "GZIP compression in this reader", "rewrite the file with SNAPPY or no compression, or convert it to TSV or Arrow");
      // Deflate expands at most 1032:1: a larger declared size is a lie, not data (and memory we won't give).
      if (size > data.length * 1032 + 64) corrupt(`GZIP page claims ${size} bytes from ${data.length}`);
      let out: Uint8Array;
      try {
        out = this.inflate(data, size);
      } catch (e) {
        if (e instanceof InputError || e instanceof Corrupt) throw e;
        throw new InputError(`Parquet GZIP page of column "${this.ctx.column}" could not be decompressed: ${(e as Error).message}`, { file: this.ctx.file });
      }
      if (out.length !== size) corrupt(`GZIP page inflates to ${out.length} bytes, its header says ${size}`);
      return out;
    }
    return unsupported(this.ctx, `${nameOf(CODEC_NAMES, this.codec)} compression`, "cellfrac reads uncompressed, SNAPPY and GZIP Parquet: rewrite the file with one of those, or convert it to TSV or Arrow");
  }

  /** Decode all pages of the chunk holding `rows` rows, starting at byte `start`. */
  read(start: number, limit: number, rows: number): Decoded {
    const { leaf } = this;
    const isString = leaf.type === 6;
    const out: Decoded = isString ? { strings: new Array(rows) } : { numbers: new Float64Array(rows) };
    if (leaf.optional) out.nulls = new Uint8Array(rows);
    let row = 0;
    let pos = start;
    while (row < rows) {
      if (pos >= limit) corrupt(`column "${leaf.name}" ends after ${row} of ${rows} values`);
      const tr = new ThriftReader(this.bytes, pos, limit);
      const ph = tr.struct();
      const type = num(ph, 1, "page type");
      const usize = num(ph, 2, "page size");
      const csize = num(ph, 3, "compressed page size");
      const body = tr.pos;
      if (csize < 0 || usize < 0 || csize > limit - body) corrupt(`page of column "${leaf.name}" runs past the end of the file`);
      pos = body + csize;
      const data = this.bytes.subarray(body, body + csize);
      if (type === 2) {
        const h = struct(ph, 7) ?? corrupt("dictionary page without its header");
        const enc = num(h, 2, "dictionary encoding");
        if (enc !== 0 && enc !== 2) unsupported(this.ctx, `${nameOf(ENCODING_NAMES, enc)} dictionary page`);
        const n = num(h, 1, "dictionary size");
        const plain = this.decompress(data, usize);
        if (isString) {
          this.dict = new Array(n);
          plainStrings(plain, 0, n, this.dict, 0);
        } else {
          this.dict = new Float64Array(n);
          plainNumbers(plain, 0, n, leaf, this.dict, 0);
        }
        continue;
      }
      let n: number;
      let enc: number;
      let levels: Uint8Array | undefined; // def levels, one per value
      let values: Uint8Array;
      let vpos: number;
      if (type === 0) {
        const h = struct(ph, 5) ?? corrupt("data page without its header");
        n = this.count(num(h, 1, "page value count"), rows - row);
        enc = num(h, 2, "page encoding");
        values = this.decompress(data, usize);
        vpos = 0;
        if (leaf.optional) {
          const le = num(h, 3, "definition level encoding");
          if (le !== 3) unsupported(this.ctx, `${nameOf(ENCODING_NAMES, le)} definition levels`);
          if (values.length < 4) corrupt("page too short for its definition levels");
          const ln = values[0] | (values[1] << 8) | (values[2] << 16) | (values[3] << 24);
          if (ln < 0 || ln > values.length - 4) corrupt("definition levels run past the page");
          levels = new Uint8Array(n);
          decodeHybrid(values, 4, 4 + ln, 1, n, levels);
          vpos = 4 + ln;
        }
      } else if (type === 3) {
        const h = struct(ph, 8) ?? corrupt("data page v2 without its header");
        n = this.count(num(h, 1, "page value count"), rows - row);
        enc = num(h, 4, "page encoding");
        const dl = num(h, 5, "definition levels length");
        const rl = num(h, 6, "repetition levels length");
        if (dl < 0 || rl < 0 || dl + rl > csize) corrupt("page levels longer than the page");
        if (leaf.optional) {
          levels = new Uint8Array(n);
          decodeHybrid(data, rl, rl + dl, 1, n, levels);
        }
        const rest = data.subarray(rl + dl);
        values = h[7] === false ? rest : this.decompress(rest, usize - rl - dl);
        vpos = 0;
      } else {
        continue; // index pages and unknown page types carry no values
      }
      let present = n;
      if (levels) {
        present = 0; // levels are 0 (null) or 1 (a value): decodeHybrid refuses wider values at width 1
        for (let i = 0; i < n; i++) present += levels[i];
      }
      const dst = isString ? new Array<string | null>(present) : new Float64Array(present);
      this.values(enc, values, vpos, present, dst);
      if (!levels) {
        if (isString) for (let i = 0; i < n; i++) out.strings![row + i] = (dst as (string | null)[])[i];
        else out.numbers!.set(dst as Float64Array, row);
      } else {
        for (let i = 0, k = 0; i < n; i++) {
          if (levels[i] === 1) {
            if (isString) out.strings![row + i] = (dst as (string | null)[])[k++];
            else out.numbers![row + i] = (dst as Float64Array)[k++];
          } else {
            out.nulls![row + i] = 1;
            if (isString) out.strings![row + i] = null;
          }
        }
      }
      row += n;
    }
    return out;
  }

  count(n: number, left: number): number {
    if (n < 0 || n > left) corrupt(`column "${this.leaf.name}" has more values than its row group has rows`);
    return n;
  }

  values(enc: number, b: Uint8Array, pos: number, n: number, dst: (string | null)[] | Float64Array): void {
    const { leaf } = this;
    if (enc === 0) {
      if (Array.isArray(dst)) plainStrings(b, pos, n, dst, 0);
      else plainNumbers(b, pos, n, leaf, dst, 0);
    } else if (enc === 2 || enc === 8) {
      const dict = this.dict ?? corrupt(`dictionary-encoded page of column "${leaf.name}" without a dictionary page`);
      if (n === 0) return;
      if (pos >= b.length) corrupt("dictionary page indices missing");
      const width = b[pos];
      if (width > 32) corrupt(`dictionary index width ${width}`);
      const idx = new Uint32Array(n);
      decodeHybrid(b, pos + 1, b.length, width, n, idx);
      const m = dict.length;
      for (let i = 0; i < n; i++) {
        if (idx[i] >= m) corrupt(`dictionary index ${idx[i]} beyond the ${m} entries`);
        dst[i] = dict[idx[i]];
      }
    } else if (enc === 5 && (leaf.type === 1 || leaf.type === 2)) {
      const v = deltaBinary(b, pos, n, leaf.type === 1 ? 32 : 64).values;
      for (let i = 0; i < n; i++) dst[i] = Number(leaf.unsigned ? BigInt.asUintN(leaf.type === 1 ? 32 : 64, v[i]) : v[i]);
    } else if (enc === 6 && Array.isArray(dst)) {
      deltaLengthStrings(b, pos, n).forEach((s, i) => (dst[i] = utf8(s)));
    } else if (enc === 7 && Array.isArray(dst)) {
      deltaStrings(b, pos, n).forEach((s, i) => (dst[i] = utf8(s)));
    } else if (enc === 9 && !Array.isArray(dst)) {
      const w = leaf.type === 5 || leaf.type === 2 ? 8 : leaf.type === 7 ? leaf.typeLength : 4;
      if (pos + n * w > b.length) corrupt("BYTE_STREAM_SPLIT page too short");
      const tmp = new Uint8Array(n * w);
      for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) tmp[i * w + j] = b[pos + j * n + i];
      plainNumbers(tmp, 0, n, leaf, dst, 0);
    } else {
      unsupported(this.ctx, `${nameOf(ENCODING_NAMES, enc)} encoding of ${nameOf(TYPE_NAMES, leaf.type)} values`);
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function plainNumbers(b: Uint8Array, pos: number, n: number, leaf: Leaf, dst: Float64Array, at: number): void {
  const w = leaf.type === 5 || leaf.type === 2 ? 8 : 4;
  if (pos + n * w > b.length) corrupt(`page of column "${leaf.name}" too short for its ${n} values`);
  const dv = new DataView(b.buffer, b.byteOffset + pos, n * w);
  switch (leaf.type) {
    case 5: // DOUBLE: copy the bytes (bit exact)
      if (LITTLE_ENDIAN) new Uint8Array(dst.buffer, dst.byteOffset + at * 8, n * 8).set(b.subarray(pos, pos + n * 8));
      else for (let i = 0; i < n; i++) dst[at + i] = dv.getFloat64(i * 8, true);
      return;
    case 4:
      for (let i = 0; i < n; i++) dst[at + i] = dv.getFloat32(i * 4, true);
      return;
    case 1:
      if (leaf.unsigned) for (let i = 0; i < n; i++) dst[at + i] = dv.getUint32(i * 4, true);
      else for (let i = 0; i < n; i++) dst[at + i] = dv.getInt32(i * 4, true);
      return;
    case 2: // lo + hi·2^32: hi·2^32 is exact, so the one addition rounds the exact value once
      for (let i = 0; i < n; i++) {
        const hi = leaf.unsigned ? dv.getUint32(i * 8 + 4, true) : dv.getInt32(i * 8 + 4, true);
        dst[at + i] = hi * 4294967296 + dv.getUint32(i * 8, true);
      }
      return;
    default:
      corrupt("numeric decoder called on a non-numeric column");
  }
}

function plainStrings(b: Uint8Array, pos: number, n: number, dst: (string | null)[], at: number): void {
  for (let i = 0; i < n; i++) {
    if (pos + 4 > b.length) corrupt("string page too short for its values");
    const len = (b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16)) + b[pos + 3] * 0x1000000;
    pos += 4;
    if (len > b.length - pos) corrupt("string runs past the end of its page");
    dst[at + i] = utf8(b.subarray(pos, pos + len));
    pos += len;
  }
}

/** RLE / bit-packed hybrid (levels, dictionary indices): `n` values of `width` bits from b[pos, end). */
export function decodeHybrid(b: Uint8Array, pos: number, end: number, width: number, n: number, out: Uint8Array | Uint32Array): void {
  const vbytes = (width + 7) >> 3;
  const mod = 2 ** width;
  let k = 0;
  while (k < n) {
    let h = 0;
    for (let scale = 1, i = 0; ; i++, scale *= 128) {
      if (pos >= end || i > 4) corrupt("RLE data ends early");
      const x = b[pos++];
      h += (x & 0x7f) * scale;
      if (x < 0x80) break;
    }
    if (h % 2 === 0) {
      const count = h / 2;
      if (pos + vbytes > end) corrupt("RLE run ends early");
      let v = 0;
      for (let i = 0; i < vbytes; i++) v += b[pos + i] * 2 ** (8 * i);
      pos += vbytes;
      if (v >= mod) corrupt("RLE value wider than its bit width");
      const m = Math.min(count, n - k);
      out.fill(v, k, k + m);
      k += m;
    } else {
      const count = ((h - 1) / 2) * 8;
      const m = Math.min(count, n - k);
      if (pos + Math.ceil((m * width) / 8) > end) corrupt("bit-packed run ends early");
      let acc = 0;
      let bits = 0;
      let p = pos;
      if (width <= 24) {
        // Integer path: at most 31 bits are ever held.
        const mask = mod - 1;
        for (let i = 0; i < m; i++) {
          while (bits < width) {
            acc |= b[p++] << bits;
            bits += 8;
          }
          out[k + i] = acc & mask;
          acc >>>= width;
          bits -= width;
        }
      } else {
        for (let i = 0; i < m; i++) {
          while (bits < width) {
            acc += b[p++] * 2 ** bits;
            bits += 8;
          }
          const v = acc % mod;
          out[k + i] = v;
          acc = (acc - v) / mod;
          bits -= width;
        }
      }
      pos = Math.min(pos + (count * width) / 8, end);
      k += m;
    }
  }
}

function uleb(b: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (pos >= b.length || shift > 63n) corrupt("delta-encoded data ends early");
    const x = b[pos++];
    v |= BigInt(x & 0x7f) << shift;
    if (x < 0x80) return [v, pos];
  }
}

/** DELTA_BINARY_PACKED: `n` integers (wrapping at `bits`) and the position after them. */
function deltaBinary(b: Uint8Array, pos: number, n: number, bits: 32 | 64): { values: bigint[]; end: number } {
  let x: bigint;
  [x, pos] = uleb(b, pos);
  const blockSize = Number(x);
  [x, pos] = uleb(b, pos);
  const miniblocks = Number(x);
  [x, pos] = uleb(b, pos);
  const total = Number(x);
  [x, pos] = uleb(b, pos);
  let value = (x >> 1n) ^ -(x & 1n);
  const per = miniblocks > 0 ? blockSize / miniblocks : 0;
  if (!(per > 0 && per % 8 === 0)) corrupt("bad DELTA_BINARY_PACKED header");
  if (total !== n) corrupt(`DELTA_BINARY_PACKED data holds ${total} values, ${n} expected`);
  const values: bigint[] = [];
  if (total > 0) values.push(BigInt.asIntN(bits, value));
  while (values.length < total) {
    [x, pos] = uleb(b, pos);
    const minDelta = (x >> 1n) ^ -(x & 1n);
    if (pos + miniblocks > b.length) corrupt("DELTA_BINARY_PACKED block ends early");
    const widths = b.subarray(pos, pos + miniblocks);
    pos += miniblocks;
    for (let m = 0; m < miniblocks && values.length < total; m++) {
      const w = widths[m];
      if (w > 64) corrupt("DELTA_BINARY_PACKED width above 64");
      if (pos + (per * w) / 8 > b.length) corrupt("DELTA_BINARY_PACKED miniblock ends early");
      let bit = pos * 8;
      for (let i = 0; i < per && values.length < total; i++) {
        let d = 0n;
        for (let j = 0; j < w; ) {
          const byte = b[bit >> 3];
          const off = bit & 7;
          const take = Math.min(8 - off, w - j);
          d |= BigInt((byte >> off) & ((1 << take) - 1)) << BigInt(j);
          j += take;
          bit += take;
        }
        value = BigInt.asIntN(bits, value + minDelta + d);
        values.push(value);
      }
      pos += (per * w) / 8;
    }
  }
  return { values, end: pos };
}

function deltaLengthStrings(b: Uint8Array, pos: number, n: number): Uint8Array[] {
  const { values: lens, end } = deltaBinary(b, pos, n, 32);
  const out: Uint8Array[] = [];
  let p = end;
  for (const l of lens) {
    const len = Number(l);
    if (len < 0 || p + len > b.length) corrupt("DELTA_LENGTH_BYTE_ARRAY string runs past the page");
    out.push(b.subarray(p, p + len));
    p += len;
  }
  return out;
}

function deltaStrings(b: Uint8Array, pos: number, n: number): Uint8Array[] {
  const { values: prefixes, end } = deltaBinary(b, pos, n, 32);
  const suffixes = deltaLengthStrings(b, end, n);
  const out: Uint8Array[] = [];
  let prev = new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    const p = Number(prefixes[i]);
    if (p < 0 || p > prev.length) corrupt("DELTA_BYTE_ARRAY prefix longer than the previous string");
    const s = new Uint8Array(p + suffixes[i].length);
    s.set(prev.subarray(0, p));
    s.set(suffixes[i], p);
    out.push(s);
    prev = s;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The reader.

export interface Chunk {
  start: number;
  codec: number;
  rows: number;
  meta: TStruct;
}

export interface Layout {
  leaves: Leaf[];
  /** The one index column pandas' to_parquet recorded (its "pandas" key-value metadata), if any. */
  pandasIndex?: string;
  footerStart: number;
  /** groups[g][c] */
  groups: Chunk[][];
  numRows: number;
}

/**
 * The footer's layout. `bytes` holds the file from byte `at` to its end (`at` > 0: only the tail was read, as
 * the streaming reader does; it checks the leading magic itself).
 */
export function readLayout(bytes: Uint8Array, file?: string, at = 0): Layout {
  const n = at + bytes.length;
  const b = (i: number) => bytes[i - at];
  if (at === 0 && n >= 4 && bytes[3] === 0x45) unsupported({ file }, "encryption");
  if (n < 12) corrupt(`${n} bytes is too short for a Parquet file`);
  if (b(n - 4) !== 0x50 || b(n - 3) !== 0x41 || b(n - 2) !== 0x52 || b(n - 1) !== 0x31) {
    if (b(n - 1) === 0x45) unsupported({ file }, "encryption");
    corrupt("the file does not end with PAR1 (truncated?)");
  }
  const flen = (b(n - 8) | (b(n - 7) << 8) | (b(n - 6) << 16)) + b(n - 5) * 0x1000000;
  const footerStart = n - 8 - flen;
  if (footerStart < 4) corrupt(`footer length ${flen} is larger than the file`);
  if (footerStart < at) throw new RangeError(`footer starts at ${footerStart}, before the ${n - at} bytes read`);
  const meta = new ThriftReader(bytes, footerStart - at, n - 8 - at).struct();
  const leaves = readLeaves(list(meta, 2, "schema"), file);
  const numRows = num(meta, 3, "row count");
  checkDims(numRows, leaves.length - 1, file);
  const groups: Chunk[][] = [];
  let total = 0;
  for (const g of list(meta, 4, "row groups")) {
    const rg = asStruct(g, "row group");
    const rows = num(rg, 3, "row group row count");
    const cols = list(rg, 1, "row group columns");
    if (cols.length !== leaves.length) corrupt(`row group has ${cols.length} columns, the schema ${leaves.length}`);
    groups.push(
      cols.map((cv, c) => {
        const cc = asStruct(cv, "column chunk");
        if (cc[1] instanceof Uint8Array && cc[1].length > 0) unsupported({ file }, `column chunk in another file (column "${leaves[c].name}")`);
        const md = struct(cc, 3) ?? unsupported({ file }, `column chunk without plain metadata (encrypted column "${leaves[c].name}"?)`);
        if (num(md, 1, "column type") !== leaves[c].type) corrupt(`column "${leaves[c].name}" chunk type differs from the schema`);
        if (num(md, 5, "column value count") !== rows) corrupt(`column "${leaves[c].name}" has a value count other than the row group's ${rows} rows`);
        const data = num(md, 9, "data page offset");
        const dict = optNum(md, 11);
        const start = dict !== undefined && dict >= 4 && dict < data ? dict : data;
        if (start < 4 || start >= footerStart) corrupt(`column "${leaves[c].name}" starts outside the data`);
        return { start, codec: num(md, 4, "codec"), rows, meta: md };
      }),
    );
    total += rows;
  }
  if (total !== numRows) corrupt(`row groups hold ${total} rows, the footer says ${numRows}`);
  return { leaves, footerStart, groups, numRows, pandasIndex: pandasIndex(meta) };
}

/** pandas writes the DataFrame index (genes, when they are the row names) as an extra, usually last, column. */
function pandasIndex(meta: TStruct): string | undefined {
  const kv = meta[5];
  if (!Array.isArray(kv)) return undefined;
  for (const e of kv) {
    if (typeof e !== "object" || e instanceof Uint8Array || Array.isArray(e) || text(e, 1) !== "pandas") continue;
    try {
      const idx = (JSON.parse(text(e, 2) ?? "") as { index_columns?: unknown }).index_columns;
      return Array.isArray(idx) && idx.length === 1 && typeof idx[0] === "string" ? idx[0] : undefined;
    } catch {
      return undefined; // not JSON: not pandas' metadata after all
    }
  }
  return undefined;
}

/**
 * Column c of row group g. `bytes` holds the file from byte `at` on, at least up to `limit` (the end of what
 * the chunk's pages may use; the whole-file reader passes the footer's start).
 */
export function readChunk(bytes: Uint8Array, lay: Layout, g: number, c: number, file: string | undefined, inflate: Inflate | undefined, at = 0, limit = lay.footerStart): Decoded {
  const leaf = lay.leaves[c];
  const ch = lay.groups[g][c];
  return new ChunkReader(bytes, leaf, ch.codec, { file, column: leaf.name }, inflate).read(ch.start - at, limit - at, ch.rows);
}

/** Column c over all row groups. */
function readColumn(bytes: Uint8Array, lay: Layout, c: number, file: string | undefined, inflate: Inflate | undefined): Decoded {
  const leaf = lay.leaves[c];
  const parts = lay.groups.map((_, g) => readChunk(bytes, lay, g, c, file, inflate));
  if (parts.length === 1) return parts[0];
  const out: Decoded = {};
  if (leaf.type === 6) out.strings = parts.flatMap((p) => p.strings!);
  else {
    out.numbers = new Float64Array(lay.numRows);
    let at = 0;
    for (const p of parts) {
      out.numbers.set(p.numbers!, at);
      at += p.numbers!.length;
    }
  }
  if (leaf.optional) {
    out.nulls = new Uint8Array(lay.numRows);
    let at = 0;
    for (const p of parts) {
      out.nulls.set(p.nulls!, at);
      at += p.nulls!.length;
    }
  }
  return out;
}

export function guard<T>(file: string | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Corrupt || e instanceof RangeError) throw new InputError(`corrupt Parquet data: ${e.message}`, { file });
    throw e;
  }
}

/**
 * Read a Parquet table as genes × samples (column-major Float64, as the text and Arrow readers).
 * `inflate` decompresses GZIP pages; without it GZIP files are refused.
 */
export function parseParquet(bytes: Uint8Array, file?: string, keep?: (gene: string) => boolean, inflate?: Inflate): Matrix {
  return guard(file, () => {
    const lay = readLayout(bytes, file);
    const { leaves } = lay;
    const { geneAt, samples, rowHeader } = tableColumns(lay, file);
    const genes = readColumn(bytes, lay, geneAt, file, inflate).strings!;
    const idx: number[] = [];
    const rows: string[] = [];
    for (let r = 0; r < genes.length; r++) {
      const g = genes[r];
      if (g === null || g === "") throw new InputError(`empty gene symbol`, { file, line: r + 1, column: geneAt + 1 });
      if (keep && !keep(g)) continue;
      idx.push(r);
      rows.push(g);
    }
    const cols = samples.map((i) => leaves[i].name);
    const nr = rows.length;
    const data = new Float64Array(nr * cols.length);
    const all = idx.length === genes.length;
    for (let c = 0; c < cols.length; c++) {
      const { numbers, nulls } = readColumn(bytes, lay, samples[c], file, inflate);
      const dst = data.subarray(c * nr, (c + 1) * nr);
      if (all) dst.set(numbers!);
      else for (let k = 0; k < nr; k++) dst[k] = numbers![idx[k]];
      for (let k = 0; k < nr; k++) {
        const missing = nulls !== undefined && nulls[idx[k]] === 1;
        if (missing || !Number.isFinite(dst[k])) throw badCell(missing, dst[k], { file, line: idx[k] + 1, column: samples[c] + 1, gene: rows[k], sample: cols[c] });
      }
    }
    return makeMatrix(rows, cols, data, rowHeader);
  });
}

/** The error for a missing or non-finite sample value. */
export function badCell(missing: boolean, v: number, where: InputError["where"]): InputError {
  return new InputError(missing ? "missing value (missing values are not allowed)" : `not a finite number: ${v}`, where);
}

/** Which column holds the genes, which hold samples, and the row header; refuses unusable tables. */
export function tableColumns(lay: Layout, file: string | undefined): { geneAt: number; samples: number[]; rowHeader: string } {
  const { leaves } = lay;
  if (leaves.length < 2) throw new InputError(`Parquet table needs a gene column and at least one sample column`, { file });
  // The gene column: pandas' index column when it holds strings, else the first column.
  const pi = leaves.findIndex((l) => l.name === lay.pandasIndex && l.type === 6);
  const geneAt = pi >= 0 ? pi : 0;
  if (leaves[geneAt].type !== 6) {
    throw new InputError(`the first column "${leaves[0].name}" must hold gene symbols as strings, found ${nameOf(TYPE_NAMES, leaves[0].type)}`, { file });
  }
  const samples = leaves.map((_, i) => i).filter((i) => i !== geneAt);
  for (const i of samples) {
    const l = leaves[i];
    if (![1, 2, 4, 5].includes(l.type)) unsupported({ file }, `${nameOf(TYPE_NAMES, l.type)} sample column "${l.name}" (numbers must be DOUBLE, FLOAT, INT32 or INT64)`);
  }
  // pandas names an unnamed index "__index_level_0__": no header text then, as R's row names.
  const header = leaves[geneAt].name;
  return { geneAt, samples, rowHeader: /^__index_level_\d+__$/.test(header) ? "" : header };
}

/**
 * For callers whose inflater is asynchronous (a browser's DecompressionStream): finds the GZIP page bodies,
 * inflates them all, and returns a synchronous Inflate that hands back those results, for parseParquet or
 * `ReadOptions.inflate`. Files without GZIP pages need no call (the result is then never used).
 */
export async function parquetGzipInflater(bytes: Uint8Array, file: string | undefined, inflate: (data: Uint8Array) => Promise<Uint8Array>): Promise<Inflate> {
  const bodies = guard(file, () => gzipBodies(bytes, file));
  const done = new Map<number, Uint8Array>();
  for (const b of bodies) {
    try {
      done.set(b.byteOffset, await inflate(b));
    } catch (e) {
      throw new InputError(`Parquet GZIP page could not be decompressed: ${(e as Error).message}`, { file });
    }
  }
  return (d) => done.get(d.byteOffset) ?? corrupt("GZIP page not found in the first pass");
}

/** parseParquet with an asynchronous inflater (see parquetGzipInflater). */
export async function parseParquetAsync(
  bytes: Uint8Array,
  file: string | undefined,
  keep: ((gene: string) => boolean) | undefined,
  inflate: (data: Uint8Array) => Promise<Uint8Array>,
): Promise<Matrix> {
  return parseParquet(bytes, file, keep, await parquetGzipInflater(bytes, file, inflate));
}

/** Calls `visit` with each page header and compressed body of a column chunk, in order. */
function walkChunk(bytes: Uint8Array, lay: Layout, ch: Chunk, visit: (ph: TStruct, body: Uint8Array) => void): void {
  let seen = 0;
  let pos = ch.start;
  while (seen < ch.rows && pos < lay.footerStart) {
    const tr = new ThriftReader(bytes, pos, lay.footerStart);
    const ph = tr.struct();
    const csize = num(ph, 3, "compressed page size");
    if (csize < 0 || csize > lay.footerStart - tr.pos) corrupt("page runs past the end of the file");
    pos = tr.pos + csize;
    visit(ph, bytes.subarray(tr.pos, pos));
    const h = struct(ph, ph[1] === 0 ? 5 : 8);
    if (ph[1] === 0 || ph[1] === 3) seen += num(h ?? corrupt("data page without its header"), 1, "page value count");
  }
}

/** The compressed bodies of all pages in GZIP column chunks (v2: the values part, when compressed). */
function gzipBodies(bytes: Uint8Array, file?: string): Uint8Array[] {
  const lay = readLayout(bytes, file);
  const out: Uint8Array[] = [];
  for (const g of lay.groups) {
    for (const ch of g) {
      if (ch.codec !== 2) continue;
      walkChunk(bytes, lay, ch, (ph, body) => {
        if (ph[1] === 0 || ph[1] === 2) out.push(body);
        const h = ph[1] === 3 ? struct(ph, 8) : undefined;
        if (h && h[7] !== false) out.push(body.subarray(num(h, 5, "definition levels length") + num(h, 6, "repetition levels length")));
      });
    }
  }
  return out;
}

export interface ParquetColumnSummary {
  name: string;
  type: string;
  optional: boolean;
  /** Over all row groups: codecs, encodings listed in the chunk metadata, page types found, data page count. */
  codecs: string[];
  encodings: string[];
  pageTypes: string[];
  dataPages: number;
}

/** What a Parquet file holds and how it is stored (for tests and diagnostics). */
export function describeParquet(bytes: Uint8Array, file?: string): { rows: number; rowGroups: number; columns: ParquetColumnSummary[] } {
  return guard(file, () => {
    const lay = readLayout(bytes, file);
    const PAGES = ["DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"];
    const columns = lay.leaves.map((leaf, c) => {
      const codecs = new Set<string>();
      const encodings = new Set<string>();
      const pageTypes = new Set<string>();
      let dataPages = 0;
      for (const g of lay.groups) {
        codecs.add(nameOf(CODEC_NAMES, g[c].codec));
        for (const e of list(g[c].meta, 2, "encodings")) encodings.add(nameOf(ENCODING_NAMES, e as number));
        walkChunk(bytes, lay, g[c], (ph) => {
          pageTypes.add(nameOf(PAGES, ph[1] as number));
          if (ph[1] === 0 || ph[1] === 3) dataPages++;
        });
      }
      const sorted = (x: Set<string>) => [...x].sort();
      return { name: leaf.name, type: nameOf(TYPE_NAMES, leaf.type), optional: leaf.optional, codecs: sorted(codecs), encodings: sorted(encodings), pageTypes: sorted(pageTypes), dataPages };
    });
    return { rows: lay.numRows, rowGroups: lay.groups.length, columns };
  });
}

// ---------------------------------------------------------------------------------------------------------
// The writer.

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
export function formatParquet(rowHeader: string, colNames: string[], rowNames: string[], values: (r: number, c: number) => number): Uint8Array {
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
