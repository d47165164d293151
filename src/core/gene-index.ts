// The gene table's lookups answered in place, over its inflated bytes. Why hand-written: a run asks a few
// thousand questions of a 2 MB table, and building Sets and Maps of its ~280k names costs 200–300 ms (each
// name a fresh substring, split and hashed, then garbage); this index hashes the names' UTF-8 bytes into
// typed arrays and compares a key with the bytes where they stand, so loading allocates no string per name.
// Strings are made only for what a lookup returns. The rules (what is ambiguous, which name wins) are those
// parseGeneTable documents in genes.ts; iteration (the API's ensemblSymbols(), tests) builds an ordinary Map
// once, in the order the former Map-building parser produced.

import { str } from "./formats/scan.js";

/** FNV-1a over bytes, as int32 (the slots hold int32). */
const FNV = 0x811c9dc5 | 0;
const PRIME = 0x01000193;
const encoder = new TextEncoder();
const utf8 = new TextDecoder();

// One record per distinct name, W int32s side by side (one cache line, not one per field: loading is bound
// by memory latency). References to entries and lists are stored + 1, so that 0 (a fresh array) means none.
const W = 6;
const START = 0; // byte offset of the name
const LEN = 1; // its length in bytes
const SYM = 2; // 1 when the name is a current symbol
const ENS = 3; // as an Ensembl ID: the symbol's entry + 1 while the ID belongs to one gene
const OTH = 4; // as an other name: likewise
const AMB = 5; // ambLists index + 1 while the name belongs to several genes

/** The snapshot's first word ("GIX1" little-endian) and layout version. */
const MAGIC = 0x31584947;
const VERSION = 2;
/** Header words: magic, version, gzip trailer of the table (CRC-32, size), text bytes, the 8 sections' lengths in int32s. */
const HEADER = 13;

export class GeneIndex {
  /** Open addressing, linear probing: [hash, entry + 1] per slot, entry 0 = empty. */
  private slots: Int32Array;
  private n = 0;
  private rec: Int32Array;
  /** The ambiguous names' genes (symbol entries): built, or all read from the snapshot's flat `ambFlat` (serialize). */
  private ambLists?: number[][];
  /** Where each list starts in `ambFlat` (its length, then its entries), found on the first lookup of one. */
  private ambStarts?: Int32Array;
  private readonly ambFlat?: Int32Array;
  /** [symbol entry, name entry] pairs of every name whose other() is that symbol, by symbol (see otherNamesOf). */
  private othPairs?: Int32Array;
  // Insertion orders, as the Maps of the former parser had them (filtered by state when listed).
  private readonly symOrder: number[] | Int32Array;
  private readonly ensOrder: number[] | Int32Array;
  private readonly othOrder: number[] | Int32Array;
  private readonly ambOrder: number[] | Int32Array;
  private readonly ambCache = new Map<number, string[]>();
  private scratch = new Uint8Array(64);

  private constructor(
    private readonly bytes: Uint8Array,
    snap?: { slots: Int32Array; rec: Int32Array; orders: Int32Array[]; amb: Int32Array; othPairs: Int32Array },
  ) {
    if (snap) {
      this.slots = snap.slots;
      this.rec = snap.rec;
      this.n = snap.rec.length / W;
      [this.symOrder, this.ensOrder, this.othOrder, this.ambOrder] = snap.orders;
      this.ambFlat = snap.amb;
      this.othPairs = snap.othPairs;
      return;
    }
    // The bundled table has a name per ~11 bytes: slots for one per 8 rarely need to grow.
    const cap = pow2(Math.max(64, bytes.length >> 3));
    this.rec = new Int32Array(cap * W);
    this.slots = new Int32Array(cap * 2);
    this.symOrder = [];
    this.ensOrder = [];
    this.othOrder = [];
    this.ambOrder = [];
    this.ambLists = [];
    this.build();
  }

  /** The index of a gene table's UTF-8 text (header line first). */
  static of(bytes: Uint8Array): GeneIndex {
    return new GeneIndex(bytes);
  }

  /**
   * The index as bytes (build/human_genes.index, written by scripts/gene-index.mjs at build time): the text it
   * indexes and its arrays, so that a run maps them instead of hashing 2 MB of names. `trailer`: the last 8
   * bytes of the gzip file the text came from (its CRC-32 and size), which fromSnapshot checks.
   */
  serialize(trailer: Uint8Array): Uint8Array {
    const orders = [this.symOrder, this.ensOrder, this.othOrder, this.ambOrder].map((o) => Int32Array.from(o));
    const amb = Int32Array.from(this.lists().flatMap((l) => [l.length, ...l]));
    const textWords = (this.bytes.length + 3) >> 2;
    const sections = [this.slots, this.rec.subarray(0, this.n * W), ...orders, amb, this.pairs()];
    const words = HEADER + textWords + sections.reduce((k, x) => k + x.length, 0);
    const out = new Int32Array(words);
    const t = new DataView(trailer.buffer, trailer.byteOffset, 8);
    out.set([MAGIC, VERSION, t.getInt32(0, true), t.getInt32(4, true), this.bytes.length, ...sections.map((x) => x.length)]);
    new Uint8Array(out.buffer).set(this.bytes, HEADER * 4);
    let at = HEADER + textWords;
    for (const x of sections) {
      out.set(x, at);
      at += x.length;
    }
    return new Uint8Array(out.buffer);
  }

  /** The index from serialize's bytes, or undefined when they are not a snapshot of the table with `trailer`. */
  static fromSnapshot(snap: Uint8Array, trailer: Uint8Array): GeneIndex | undefined {
    if (snap.length < HEADER * 4 || snap.byteOffset % 4 !== 0) return undefined;
    const head = new Int32Array(snap.buffer, snap.byteOffset, HEADER);
    const t = new DataView(trailer.buffer, trailer.byteOffset, 8);
    if (head[0] !== MAGIC || head[1] !== VERSION || head[2] !== t.getInt32(0, true) || head[3] !== t.getInt32(4, true)) return undefined;
    const textBytes = head[4];
    let at = snap.byteOffset + (HEADER + ((textBytes + 3) >> 2)) * 4;
    const lens = Array.from(head.subarray(5, HEADER));
    if (at + lens.reduce((k, x) => k + x, 0) * 4 !== snap.byteOffset + snap.length) return undefined;
    const [slots, rec, ...rest] = lens.map((len) => {
      const x = new Int32Array(snap.buffer, at, len);
      at += len * 4;
      return x;
    });
    const text = snap.subarray(HEADER * 4, HEADER * 4 + textBytes);
    return new GeneIndex(text, { slots, rec, orders: rest.slice(0, 4), amb: rest[4], othPairs: rest[5] });
  }

  /** Every ambiguous name's list. */
  private lists(): number[][] {
    if (!this.ambLists) {
      const all: number[][] = [];
      for (let l = this.list(0); l; l = this.list(all.length)) all.push(l);
      this.ambLists = all;
    }
    return this.ambLists;
  }

  /** List k (0-based) of the snapshot, or the built one's; undefined past the last. A lookup reads only its own. */
  private list(k: number): number[] | undefined {
    if (this.ambLists) return this.ambLists[k];
    const amb = this.ambFlat!;
    if (!this.ambStarts) {
      let n = 0;
      for (let i = 0; i < amb.length; i += amb[i] + 1) n++;
      this.ambStarts = new Int32Array(n);
      for (let i = 0, j = 0; i < amb.length; i += amb[i] + 1) this.ambStarts[j++] = i;
    }
    if (k >= this.ambStarts.length) return undefined;
    const i = this.ambStarts[k];
    return Array.from(amb.subarray(i + 1, i + 1 + amb[i]));
  }

  /** othPairs, made once from the other names in table order (stable: by symbol, then table order). */
  private pairs(): Int32Array {
    if (!this.othPairs) {
      const rec = this.rec;
      const named = Array.from(this.othOrder).filter((e) => rec[e * W + OTH] !== 0);
      const pairs = named.map((e, i) => [rec[e * W + OTH] - 1, i, e]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      this.othPairs = Int32Array.from(pairs.flatMap(([s, , e]) => [s, e]));
    }
    return this.othPairs;
  }

  /** Lines after the header: symbol \t ensembl,ids \t other,names (further fields ignored, CRLF allowed). */
  private build(): void {
    const symOrder = this.symOrder as number[];
    const b = this.bytes;
    const n = b.length;
    let start = b.indexOf(10) + 1;
    while (start > 0 && start < n) {
      let end = b.indexOf(10, start);
      if (end < 0) end = n;
      const stop = b[end - 1] === 13 ? end - 1 : end;
      const line = start;
      start = end + 1;
      let h = FNV;
      let tab = line;
      for (let c: number; tab < stop && (c = b[tab]) !== 9; tab++) h = Math.imul(h ^ c, PRIME);
      if (tab === line) continue; // no symbol
      const symbol = this.intern(line, tab, h);
      if (this.rec[symbol * W + SYM] === 0) {
        this.rec[symbol * W + SYM] = 1;
        symOrder.push(symbol);
      }
      if (tab >= stop) continue;
      tab = this.addList(tab + 1, stop, symbol, ENS, this.ensOrder as number[]);
      if (tab >= stop) continue;
      this.addList(tab + 1, stop, symbol, OTH, this.othOrder as number[]);
    }
    // A current symbol is never another gene's other name.
    for (const s of symOrder) {
      this.rec[s * W + OTH] = 0;
      this.rec[s * W + AMB] = 0;
    }
  }

  /**
   * The comma-separated list from `from` to the next tab or `stop` (an empty field: none; empty items count,
   * as String.split gives them). Returns where the field ends.
   */
  private addList(from: number, stop: number, symbol: number, field: number, order: number[]): number {
    const b = this.bytes;
    if (from >= stop || b[from] === 9) return from;
    for (let a = from; ; ) {
      let h = FNV;
      let i = a;
      for (let c: number; i < stop && (c = b[i]) !== 9 && c !== 44; i++) h = Math.imul(h ^ c, PRIME);
      this.add(this.intern(a, i, h), symbol, field, order);
      if (i >= stop || b[i] === 9) return i;
      a = i + 1;
    }
  }

  /** The name `e` belongs to the gene `symbol` (as an Ensembl ID or other name, `field`). */
  private add(e: number, symbol: number, field: number, order: number[]): void {
    const r = e * W;
    const rec = this.rec;
    if (rec[r + AMB] !== 0) {
      const several = this.ambLists![rec[r + AMB] - 1];
      if (!several.includes(symbol)) several.push(symbol);
      return;
    }
    const first = rec[r + field] - 1;
    if (first < 0) {
      rec[r + field] = symbol + 1;
      order.push(e);
    } else if (first !== symbol) {
      rec[r + field] = 0;
      rec[r + AMB] = this.ambLists!.push([first, symbol]);
      (this.ambOrder as number[]).push(e);
    }
  }

  /** The entry of bytes[a, b) (hash h), created when new. */
  private intern(a: number, b: number, h: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    const len = b - a;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[2 * s + 1] - 1;
      if (e < 0) return this.create(s, a, len, h);
      if (slots[2 * s] === h && this.rec[e * W + LEN] === len && this.same(this.rec[e * W + START], a, len)) return e;
    }
  }

  private same(a: number, b: number, len: number): boolean {
    const t = this.bytes;
    for (let i = 0; i < len; i++) if (t[a + i] !== t[b + i]) return false;
    return true;
  }

  private create(slot: number, a: number, len: number, h: number): number {
    const e = this.n++;
    if (e * W === this.rec.length) {
      const rec = new Int32Array(this.rec.length * 2);
      rec.set(this.rec);
      this.rec = rec;
    }
    this.rec[e * W + START] = a;
    this.rec[e * W + LEN] = len;
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = e + 1;
    if (this.n * 4 > (this.slots.length * 3) >> 1) this.rehash(); // load over 3/4
    return e;
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = (slots.length >> 1) - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let t = old[s] & mask;
      while (slots[2 * t + 1] !== 0) t = (t + 1) & mask;
      slots[2 * t] = old[s];
      slots[2 * t + 1] = old[s + 1];
    }
    this.slots = slots;
  }

  /** The entry of `key` (compared as UTF-8), or -1. */
  private find(key: string): number {
    if (this.scratch.length < key.length) this.scratch = new Uint8Array(key.length * 2);
    let k = this.scratch;
    let n = key.length;
    for (let i = 0; i < n; i++) {
      const c = key.charCodeAt(i);
      if (c > 0x7f) {
        k = encoder.encode(key);
        n = k.length;
        break;
      }
      k[i] = c;
    }
    let h = FNV;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ k[i], PRIME);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[2 * s + 1] - 1;
      if (e < 0) return -1;
      if (slots[2 * s] !== h || this.rec[e * W + LEN] !== n) continue;
      const at = this.rec[e * W + START];
      let i = 0;
      while (i < n && this.bytes[at + i] === k[i]) i++;
      if (i === n) return e;
    }
  }

  private name(e: number): string {
    const at = this.rec[e * W + START];
    return str(this.bytes, at, at + this.rec[e * W + LEN]);
  }

  /** The symbol that entry `e`'s `field` (ENS, OTH) names, if any. */
  private value(e: number, field: number): string | undefined {
    return e < 0 || this.rec[e * W + field] === 0 ? undefined : this.name(this.rec[e * W + field] - 1);
  }

  isSymbol(key: string): boolean {
    const e = this.find(key);
    return e >= 0 && this.rec[e * W + SYM] === 1;
  }

  ensembl(key: string): string | undefined {
    return this.value(this.find(key), ENS);
  }

  other(key: string): string | undefined {
    return this.value(this.find(key), OTH);
  }

  ambiguous(key: string): readonly string[] | undefined {
    const e = this.find(key);
    return e < 0 ? undefined : this.ambiguousAt(e);
  }

  private ambiguousAt(e: number): string[] | undefined {
    const list = this.rec[e * W + AMB];
    if (list === 0) return undefined;
    let names = this.ambCache.get(e);
    if (!names) this.ambCache.set(e, (names = this.list(list - 1)!.map((s) => this.name(s))));
    return names;
  }

  /**
   * The names that are an other name of one of `symbols`' genes alone (other(name) is one of them), by symbol and in
   * table order for each: a binary search per symbol in othPairs (in the snapshot), where asking other() of every
   * name of a mixture is a random probe of the index per name.
   */
  otherNamesOf(symbols: Iterable<string>): string[] {
    const pairs = this.pairs();
    const n = pairs.length >> 1;
    const entries: number[] = [];
    for (const s of symbols) {
      const e = this.find(s);
      if (e < 0 || this.rec[e * W + SYM] !== 1) continue;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (pairs[2 * mid] < e) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < n && pairs[2 * i] === e; i++) entries.push(pairs[2 * i + 1]);
    }
    return this.names(entries);
  }

  /**
   * name() of each entry, made by one decode of their bytes joined by LF and one split: a mixture's signature
   * genes have a few thousand other names, and a view and a string per name cost more in a short run.
   */
  private names(entries: number[]): string[] {
    if (entries.length === 0) return [];
    let size = 0;
    for (const e of entries) size += this.rec[e * W + LEN] + 1;
    const joined = new Uint8Array(size - 1);
    let k = 0;
    for (const e of entries) {
      const at = this.rec[e * W + START];
      joined.set(this.bytes.subarray(at, at + this.rec[e * W + LEN]), k);
      k += this.rec[e * W + LEN];
      if (k < joined.length) joined[k++] = 10;
    }
    return utf8.decode(joined).split("\n");
  }

  /** The symbols, in table order. */
  *symbols(): Generator<string> {
    for (const e of this.symOrder) yield this.name(e);
  }

  *ensemblEntries(): Generator<[string, string]> {
    for (const e of this.ensOrder) if (this.rec[e * W + ENS] !== 0) yield [this.name(e), this.value(e, ENS)!];
  }

  *otherEntries(): Generator<[string, string]> {
    for (const e of this.othOrder) if (this.rec[e * W + OTH] !== 0) yield [this.name(e), this.value(e, OTH)!];
  }

  *ambiguousEntries(): Generator<[string, readonly string[]]> {
    for (const e of this.ambOrder) {
      const names = this.ambiguousAt(e);
      if (names) yield [this.name(e), names];
    }
  }
}

function pow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** A ReadonlyMap whose has/get ask the index; size and iteration build an ordinary Map once. */
export class IndexedMap<V> implements ReadonlyMap<string, V> {
  private all?: Map<string, V>;
  constructor(
    private readonly look: (key: string) => V | undefined,
    private readonly list: () => Iterable<[string, V]>,
  ) {}
  get(key: string): V | undefined {
    return this.look(key);
  }
  has(key: string): boolean {
    return this.look(key) !== undefined;
  }
  private map(): Map<string, V> {
    this.all ??= new Map(this.list());
    return this.all;
  }
  get size(): number {
    return this.map().size;
  }
  forEach(f: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    this.map().forEach((v, k) => f.call(thisArg, v, k, this));
  }
  entries(): MapIterator<[string, V]> {
    return this.map().entries();
  }
  keys(): MapIterator<string> {
    return this.map().keys();
  }
  values(): MapIterator<V> {
    return this.map().values();
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.map()[Symbol.iterator]();
  }
}

/** A ReadonlySet whose has asks the index; size and iteration build an ordinary Set once. */
export class IndexedSet implements ReadonlySet<string> {
  private all?: Set<string>;
  constructor(
    private readonly look: (key: string) => boolean,
    private readonly list: () => Iterable<string>,
  ) {}
  has(key: string): boolean {
    return this.look(key);
  }
  private set(): Set<string> {
    this.all ??= new Set(this.list());
    return this.all;
  }
  get size(): number {
    return this.set().size;
  }
  forEach(f: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    this.set().forEach((v) => f.call(thisArg, v, v, this));
  }
  entries(): SetIterator<[string, string]> {
    return this.set().entries();
  }
  keys(): SetIterator<string> {
    return this.set().keys();
  }
  values(): SetIterator<string> {
    return this.set().values();
  }
  [Symbol.iterator](): SetIterator<string> {
    return this.set()[Symbol.iterator]();
  }
}
