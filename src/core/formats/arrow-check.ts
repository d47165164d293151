/**
 * Bounds check of Arrow IPC metadata before apache-arrow reads it. apache-arrow 21 trusts the flatbuffer
 * lengths in a file: a damaged schema whose field declares a billion children makes it loop for minutes
 * (found by fuzzing), so every vector length and table offset of the schema, record-batch and footer
 * metadata is checked here against the bytes that hold it, and declared row counts against maxRows. Hand
 * written: the flatbuffers package reads without bounds checks, which is the very problem. Pure.
 */
import { InputError } from "../errors.js";
import { checkDims, inputLimits } from "../limits.js";

class Bad extends Error {}

/** A flatbuffer table reader that refuses anything outside its bytes. */
class Fb {
  private readonly v: DataView;
  constructor(readonly b: Uint8Array) {
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(at: number, n: number): void {
    if (!(at >= 0 && at + n <= this.b.length)) throw new Bad(`metadata offset ${at} is outside its ${this.b.length} bytes`);
  }
  u32(at: number): number {
    this.need(at, 4);
    return this.v.getUint32(at, true);
  }
  root(): number {
    return this.u32(0);
  }
  /** Position of field i of the table at t, or -1 when absent. */
  field(t: number, i: number): number {
    this.need(t, 4);
    const vt = t - this.v.getInt32(t, true);
    this.need(vt, 4);
    const vsize = this.v.getUint16(vt, true);
    if (4 + 2 * i + 2 > vsize) return -1;
    this.need(vt + 4 + 2 * i, 2);
    const off = this.v.getUint16(vt + 4 + 2 * i, true);
    if (off === 0) return -1;
    this.need(t + off, 1);
    return t + off;
  }
  /** The table or vector an offset field points to. */
  deref(pos: number): number {
    return pos + this.u32(pos);
  }
  /** A vector's length, checked to fit with `size`-byte elements; its elements start at vec + 4. */
  vec(t: number, i: number, size: number): { at: number; n: number } {
    const f = this.field(t, i);
    if (f < 0) return { at: 0, n: 0 };
    const at = this.deref(f);
    const n = this.u32(at);
    this.need(at + 4, n * size);
    return { at: at + 4, n };
  }
  i64(pos: number): number {
    this.need(pos, 8);
    return Number(this.v.getBigInt64(pos, true));
  }
  u8(pos: number): number {
    this.need(pos, 1);
    return this.b[pos];
  }
}

function checkFields(fb: Fb, vec: { at: number; n: number }, depth: number): void {
  if (depth > 64) throw new Bad("fields nested more than 64 deep");
  for (let k = 0; k < vec.n; k++) {
    const field = fb.deref(vec.at + 4 * k);
    fb.vec(field, 0, 1); // name
    fb.vec(field, 6, 4); // custom metadata
    checkFields(fb, fb.vec(field, 5, 4), depth + 1);
  }
}

function checkSchema(fb: Fb, schema: number, file: string | undefined): void {
  const fields = fb.vec(schema, 1, 4);
  checkDims(0, Math.max(0, fields.n - 1), file);
  checkFields(fb, fields, 0);
  fb.vec(schema, 2, 4);
}

/**
 * A record batch's declared lengths: within maxRows, and within what its body can hold (every value of a
 * column takes at least a bit), and every buffer inside the body — apache-arrow would read past it.
 */
function checkBatch(fb: Fb, batch: number, file: string | undefined, body: number): void {
  const rows = (n: number) => {
    if (n < 0 || n > 8 * body + 64) throw new Bad(`a record batch declares ${n} values in ${body} bytes`);
    checkDims(n, 0, file);
  };
  const len = fb.field(batch, 0);
  if (len >= 0) rows(fb.i64(len));
  const nodes = fb.vec(batch, 1, 16);
  for (let k = 0; k < nodes.n; k++) rows(fb.i64(nodes.at + 16 * k));
  const bufs = fb.vec(batch, 2, 16);
  for (let k = 0; k < bufs.n; k++) {
    const off = fb.i64(bufs.at + 16 * k);
    const n = fb.i64(bufs.at + 16 * k + 8);
    if (off < 0 || n < 0 || off + n > body) throw new Bad(`buffer ${k + 1} (${n} bytes at ${off}) lies outside its ${body}-byte body`);
  }
}

/** One IPC message's metadata (Message table): schema, record batch or dictionary batch. */
function checkMessage(meta: Uint8Array, file: string | undefined): number {
  const fb = new Fb(meta);
  const m = fb.root();
  const ht = fb.field(m, 1);
  const h = fb.field(m, 2);
  const type = ht < 0 ? 0 : fb.u8(ht);
  const bl = fb.field(m, 3);
  const body = bl < 0 ? 0 : fb.i64(bl);
  if (h >= 0) {
    const t = fb.deref(h);
    if (type === 1) checkSchema(fb, t, file);
    else if (type === 3) checkBatch(fb, t, file, body);
    else if (type === 2) {
      const d = fb.field(t, 1);
      if (d >= 0) checkBatch(fb, fb.deref(d), file, body);
    }
  }
  return body;
}

/**
 * Throws an InputError for Arrow IPC data (file or stream) whose metadata points outside itself, declares
 * more rows or columns than the limits, or whose messages overrun the data; quiet otherwise. `read(at, n)`
 * gives n bytes at offset at (fewer at the end) of data `size` bytes long: only metadata is read, never a body.
 * Returns how many bytes apache-arrow may see: a stream ends at its end-of-stream marker, because apache-arrow
 * 21 reads on past it when no record batch came before (an empty placeholder batch, then whatever bytes follow,
 * unchecked: a fuzzed stream hung there decoding a field-node count of ~10^9, issue 16).
 */
export function checkArrowIPC(read: (at: number, n: number) => Uint8Array, size: number, file: string | undefined): number {
  const i32 = (at: number) => {
    const x = read(at, 4);
    if (x.length < 4) throw new Bad("truncated message header");
    return new DataView(x.buffer, x.byteOffset, 4).getInt32(0, true);
  };
  try {
    const isFile = size >= 6 && String.fromCharCode(...read(0, 6)) === "ARROW1";
    let p = isFile ? 8 : 0;
    while (p + 8 <= size) {
      let len = i32(p);
      p += 4;
      if (len === -1) {
        len = i32(p); // continuation marker, then the length
        p += 4;
      }
      if (len === 0) {
        if (!isFile) return p; // end of stream: nothing after it is read
        break;
      }
      if (len < 0 || p + len > size) throw new Bad(`message of ${len} bytes runs past the data`);
      const body = checkMessage(read(p, len), file);
      p += len;
      if (body < 0 || p + body > size) throw new Bad(`message body of ${body} bytes runs past the data`);
      p += body;
    }
    if (isFile) {
      if (size < 16) throw new Bad("too short for an Arrow file");
      const flen = i32(size - 10);
      const start = size - 10 - flen;
      if (flen < 0 || start < 8) throw new Bad(`footer of ${flen} bytes is larger than the file`);
      const fb = new Fb(read(start, flen));
      const footer = fb.root();
      const s = fb.field(footer, 1);
      if (s >= 0) checkSchema(fb, fb.deref(s), file);
      fb.vec(footer, 2, 24);
      const blocks = fb.vec(footer, 3, 24);
      for (let k = 0; k < blocks.n; k++) {
        const off = fb.i64(blocks.at + 24 * k);
        if (off < 8 || off >= start) throw new Bad(`record batch ${k + 1} starts outside the data`);
      }
    }
    return size;
  } catch (e) {
    if (e instanceof Bad || e instanceof RangeError) throw new InputError(`corrupt Arrow IPC data: ${e.message}`, { file });
    throw e;
  }
}

/** checkArrowIPC on bytes in memory; returns the bytes apache-arrow may read (a stream up to its end marker). */
export function checkArrowMetadata(b: Uint8Array, file: string | undefined): Uint8Array {
  return b.subarray(
    0,
    checkArrowIPC((at, n) => b.subarray(at, at + n), b.length, file),
  );
}

/**
 * checkArrowIPC for an IPC stream arriving in chunks (a gunzip stream): each chunk is pushed here before the
 * reader sees it, so every message's metadata is checked before its last byte reaches apache-arrow. Bodies
 * are skipped, not held; one metadata message may take at most maxLineBytes.
 */
export class ArrowStreamCheck {
  private pending = new Uint8Array(0);
  private skip = 0;
  private started = false;
  private isFile = false;
  private done = false;

  constructor(private readonly file: string | undefined) {}

  /** Checks chunk `chunk`; returns the part of it to pass on (nothing after the end-of-stream marker). */
  push(chunk: Uint8Array): Uint8Array {
    if (this.done) return this.isFile ? chunk : chunk.subarray(0, 0);
    let c = chunk;
    const skipped = Math.min(this.skip, c.length);
    if (this.skip > 0) {
      this.skip -= skipped;
      c = c.subarray(skipped);
    }
    const held = this.pending.length; // bytes of b that came with earlier chunks
    const b = new Uint8Array(this.pending.length + c.length);
    b.set(this.pending);
    b.set(c, this.pending.length);
    let p = 0;
    try {
      if (!this.started) {
        if (b.length < 8) {
          this.pending = b;
          return chunk;
        }
        this.started = true;
        this.isFile = String.fromCharCode(...b.subarray(0, 6)) === "ARROW1";
        if (this.isFile) p = 8;
      }
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      while (!this.done) {
        let q = p;
        if (q + 4 > b.length) break;
        let len = dv.getInt32(q, true);
        q += 4;
        if (len === -1) {
          if (q + 4 > b.length) break;
          len = dv.getInt32(q, true);
          q += 4;
        }
        if (len === 0) {
          this.done = true;
          // A stream ends here (see checkArrowIPC); a file's footer follows, read by block offsets.
          return this.isFile ? chunk : chunk.subarray(0, Math.max(0, skipped + q - held));
        }
        if (len < 0 || len > inputLimits().maxLineBytes) throw new Bad(`message metadata of ${len} bytes`);
        if (q + len > b.length) break;
        const body = checkMessage(b.subarray(q, q + len), this.file);
        if (body < 0) throw new Bad(`message body of ${body} bytes`);
        p = q + len;
        const k = Math.min(body, b.length - p);
        p += k;
        if (k < body) {
          this.skip = body - k;
          break;
        }
      }
    } catch (e) {
      if (e instanceof Bad || e instanceof RangeError) throw new InputError(`corrupt Arrow IPC data: ${e.message}`, { file: this.file });
      throw e;
    }
    this.pending = b.slice(p);
    return chunk;
  }
}
