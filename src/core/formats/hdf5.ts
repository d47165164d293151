/**
 * HDF5 expression files through h5wasm (the HDF Group's C library compiled to WebAssembly: HDF5 is far too
 * large a format to hand-write a reader for): AnnData `.h5ad` (X dense, CSR or CSC; obs = samples and var =
 * genes, or the other way round with `transpose`) and ARCHS4-style files (data/expression genes × samples,
 * meta/genes/symbol or gene_symbol, meta/samples/geo_accession). X is read in blocks along its stored major
 * axis (ARCHS4: blocks of sample columns), so the memory is one block plus the kept rows: a 60k-sample
 * ARCHS4 file streams. Values are taken as stored, widened exactly to float64 (float32, integers).
 * Pure: the host loads h5wasm and names a path in its file system (Node: the disk; the page: MEMFS).
 */
import type { Dataset, Entity, File, Group } from "h5wasm";
import { InputError } from "../errors.js";
import { checkDims } from "../limits.js";
import { type Matrix, makeMatrix } from "../matrix.js";
import { checkAnnotationColumns } from "./quant.js";

/** What the core uses of h5wasm: its File class, and (the page) its in-memory file system for bytes. */
export interface H5Lib {
  File: typeof File;
  FS?: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
}

/** What the user says about an HDF5 input (options --transpose, --var-column, --samples-from). */
export interface Hdf5Options {
  /** AnnData: obs are genes and var are samples. */
  transpose?: boolean;
  /** The column of var (obs with transpose; meta/genes in ARCHS4 files) naming the genes. */
  varColumn?: string;
  /** Only these samples, in this order (IDs of obs / meta/samples/geo_accession). */
  samples?: readonly string[];
  /** Where `samples` came from, for messages. */
  samplesFile?: string;
}

/** The kept rows and the maxima, as the streaming text reader returns them (src/node/stream.ts). */
export interface Hdf5Read {
  matrix: Matrix;
  max: number;
  genes: string[];
  rowMax: Float64Array;
  /** What was read, for messages and tests: "AnnData (X CSR float32)". */
  layout: string;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** HDF5's signature at offset 0 (files with a user block, where it moves to 512, 1024, …, are rare). */
export function isHdf5(b: Uint8Array): boolean {
  return b.length >= 8 && SIGNATURE.every((x, i) => b[i] === x);
}

export const HDF5_LAYOUTS =
  "cellfrac reads AnnData .h5ad (X, obs, var) and ARCHS4-style files (data/expression, meta/genes/symbol, meta/samples/geo_accession)";

/** Values per block read (4 Mi: 32 MiB as float64). */
const BLOCK_VALUES = 1 << 22;

/** A block of X: the value at major index i, minor index j (both within the block) is v[i·major + j·minor]. */
interface Block {
  v: ArrayLike<number>;
  major: number;
  minor: number;
}

/** X, read along its major axis ("gene" or "sample"): block(a, b) covers major indices [a, b), all minor ones. */
interface Source {
  genes: string[];
  samples: string[];
  major: "gene" | "sample";
  block(a: number, b: number): Block;
  layout: string;
}

/**
 * Read the HDF5 file at `path` (in the h5wasm file system); `file` names it in messages. Only genes `keep`
 * accepts are stored; every value is checked and enters the maxima. `block`: values read at a time.
 */
export function readHdf5(
  lib: H5Lib,
  path: string,
  file: string | undefined,
  o: Hdf5Options,
  keep?: (gene: string) => boolean,
  block = BLOCK_VALUES,
): Hdf5Read {
  let f: File;
  try {
    f = new lib.File(path, "r");
  } catch (e) {
    throw new InputError(`not a readable HDF5 file: ${(e as Error).message}`, { file });
  }
  try {
    const src = source(f, file, o);
    return readSource(src, file, o, keep, block);
  } finally {
    f.close();
  }
}

/** Parse HDF5 bytes: written to the library's in-memory file system for the time of the read. */
export function parseHdf5Bytes(
  lib: H5Lib,
  bytes: Uint8Array,
  file: string | undefined,
  o: Hdf5Options,
  keep?: (gene: string) => boolean,
): Hdf5Read {
  const fs = lib.FS;
  // Node's h5wasm reads the disk (no in-memory file system): there, HDF5 is read from its path.
  if (!fs) throw hdf5NotHere(file);
  const path = `/cellfrac-${++serial}.h5`;
  fs.writeFile(path, bytes);
  try {
    return readHdf5(lib, path, file, o, keep);
  } finally {
    fs.unlink(path);
  }
}
let serial = 0;

/** Node reads HDF5 only where the streaming reader takes a path: mixtures (not signatures, not bytes). */
export function hdf5NotHere(file: string | undefined): InputError {
  return new InputError(
    `an HDF5 file: on the command line and in the Node API, HDF5 is read as a mixture given by its path only; ${HDF5_LAYOUTS}`,
    { file },
  );
}

/** A gzipped HDF5 file: HDF5 is read in place, block by block, so it must be given uncompressed. */
export function gzippedHdf5(file: string | undefined): InputError {
  return new InputError("a gzipped HDF5 file: gunzip it first (HDF5 files are read in place, block by block)", { file });
}

/** The HDF5 options given for a file that is not HDF5: refused rather than ignored (undefined: none given). */
export function notHdf5(h: Hdf5Options | undefined, file: string | undefined): InputError | undefined {
  if (!h) return undefined;
  const given = [
    h.transpose && "--transpose",
    h.varColumn !== undefined && "--var-column",
    h.samplesFile !== undefined && "--samples-from",
  ];
  const list = given.filter(Boolean);
  if (list.length === 0) return undefined;
  return new InputError(
    `${list.join(", ")} appl${list.length > 1 ? "y" : "ies"} to HDF5 files (AnnData .h5ad, ARCHS4); this file is not HDF5`,
    {
      file,
    },
  );
}

/** --samples-from's list: sample IDs, one per line (the first tab- or comma-separated field; blank lines skipped). */
export function parseSampleIds(text: string, file: string): string[] {
  const ids = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.split(/[\t,]/)[0].trim())
    .filter((s) => s !== "");
  if (ids.length === 0) throw new InputError("no sample IDs in the samples file", { file });
  return ids;
}

function source(f: Group, file: string | undefined, o: Hdf5Options): Source {
  const top = f.keys();
  const has = (p: string) => f.get(p) !== null;
  if (top.includes("X") && top.includes("obs") && top.includes("var")) return anndata(f, file, o);
  if (isDataset(f.get("data/expression")) && has("meta/genes") && has("meta/samples")) {
    if (o.transpose) throw new InputError("--transpose applies to AnnData files; ARCHS4 files store genes × samples", { file });
    return archs4(f, file, o);
  }
  const tenx = top.includes("matrix") && has("matrix/barcodes") ? "a 10x Genomics feature-barcode matrix (single cells); " : "";
  const what = tenx || (top.includes("X") ? "an AnnData-like file without obs or var; " : "");
  const shown = top.slice(0, 10).join(", ") + (top.length > 10 ? ", …" : "");
  throw new InputError(`an HDF5 file of a layout cellfrac does not read: ${what}top-level entries: ${shown || "none"}; ${HDF5_LAYOUTS}`, {
    file,
  });
}

function isDataset(e: Entity | null): e is Dataset {
  return e !== null && (e as { type?: string }).type === "Dataset";
}

function attr(e: Entity | null, name: string): unknown {
  const a = e && "attrs" in e ? (e as Dataset).attrs[name] : undefined;
  return a?.value;
}

function anndata(f: Group, file: string | undefined, o: Hdf5Options): Source {
  const t = o.transpose === true;
  const obs = f.get("obs");
  const varG = f.get("var");
  if (isDataset(obs) || isDataset(varG)) {
    throw new InputError("an AnnData file of anndata < 0.7 (obs and var as compound tables); save it again with a current anndata", {
      file,
    });
  }
  const x = f.get("X");
  const declared = isDataset(x) ? x.shape : attr(x, "shape") ? [...toNumbers(attr(x, "shape") as ArrayLike<number>)] : null;
  if (declared?.length === 2) checkDims(declared[t ? 0 : 1], declared[t ? 1 : 0], file);
  const obsNames = frameColumn(obs as Group, undefined, file, "obs");
  const varNames = frameColumn(varG as Group, t ? undefined : o.varColumn, file, "var");
  const obsGenes = t ? frameColumn(obs as Group, o.varColumn, file, "obs") : obsNames;
  const genes = t ? obsGenes : varNames;
  const samples = t ? varNames : obsNames;
  // X's stored axes: rows = obs, columns = var. Major axis of the storage → gene or sample.
  const axis = (rows: boolean): "gene" | "sample" => (rows === t ? "gene" : "sample");
  const nobs = obsNames.length;
  const nvar = varNames.length;
  if (isDataset(x)) {
    const shape = x.shape ?? [];
    if (shape.length !== 2 || shape[0] !== nobs || shape[1] !== nvar) {
      throw new InputError(`AnnData X has shape ${shape.join(" × ")}, obs ${nobs} and var ${nvar} entries`, { file });
    }
    checkDims(genes.length, samples.length, file);
    numeric(x, file, "X");
    return { genes, samples, major: axis(true), block: denseRows(x, nvar), layout: `AnnData (X dense ${dtypeWord(x)})` };
  }
  const enc = attr(x, "encoding-type");
  if (x === null || (enc !== "csr_matrix" && enc !== "csc_matrix")) {
    const what = x === null ? "no X" : `X of encoding "${String(enc)}"`;
    throw new InputError(`an AnnData file with ${what}; cellfrac reads X dense, csr_matrix or csc_matrix`, { file });
  }
  const g = x as Group;
  const shape = toNumbers(attr(g, "shape") as ArrayLike<number | bigint>);
  if (shape.length !== 2 || shape[0] !== nobs || shape[1] !== nvar) {
    throw new InputError(`AnnData X declares shape ${[...shape].join(" × ")}, obs ${nobs} and var ${nvar} entries`, { file });
  }
  checkDims(genes.length, samples.length, file);
  const csr = enc === "csr_matrix";
  const data = part(g, "data", file);
  numeric(data, file, "X/data");
  const block = sparseMajor(part(g, "indptr", file), part(g, "indices", file), data, csr ? nobs : nvar, csr ? nvar : nobs, file);
  return { genes, samples, major: axis(csr), block, layout: `AnnData (X ${csr ? "CSR" : "CSC"} ${dtypeWord(data)})` };
}

function archs4(f: Group, file: string | undefined, o: Hdf5Options): Source {
  const x = f.get("data/expression") as Dataset;
  // Declared sizes first: names of absurd dimensions are not read.
  const declared = x.shape ?? [];
  if (declared.length === 2) checkDims(declared[0], declared[1], file);
  const gm = f.get("meta/genes") as Group;
  const gcol = o.varColumn ?? ["symbol", "gene_symbol"].find((k) => isDataset(gm.get(k)));
  if (gcol === undefined || !isDataset(gm.get(gcol))) {
    const why = o.varColumn === undefined ? "neither meta/genes/symbol nor meta/genes/gene_symbol" : `no meta/genes/${o.varColumn}`;
    throw new InputError(`an ARCHS4-style file with ${why} (meta/genes has: ${gm.keys().join(", ")}); choose one with --var-column`, {
      file,
    });
  }
  const acc = (f.get("meta/samples") as Group).get("geo_accession");
  if (!isDataset(acc)) throw new InputError("an ARCHS4-style file without meta/samples/geo_accession", { file });
  const genes = strings(gm.get(gcol) as Dataset, file, `meta/genes/${gcol}`);
  const samples = strings(acc, file, "meta/samples/geo_accession");
  const shape = declared;
  if (shape.length !== 2 || shape[0] !== genes.length || shape[1] !== samples.length) {
    throw new InputError(`data/expression has shape ${shape.join(" × ")}, ${genes.length} genes and ${samples.length} samples`, { file });
  }
  numeric(x, file, "data/expression");
  const ng = genes.length;
  // Columns a..b of a genes × samples array: row-major (genes × (b − a)).
  const block = (a: number, b: number): Block => ({ v: values(x.slice([[], [a, b]])), major: 1, minor: b - a });
  return {
    genes,
    samples,
    major: "sample",
    block: ng === 0 ? () => ({ v: [], major: 0, minor: 0 }) : block,
    layout: `ARCHS4 (${dtypeWord(x)})`,
  };
}

/** A dataframe column (obs or var) as strings: a dataset or a categorical group; default the frame's index. */
function frameColumn(g: Group, name: string | undefined, file: string | undefined, frame: string): string[] {
  const index = attr(g, "_index");
  const col = name ?? (typeof index === "string" ? index : "_index");
  const e = g.get(col);
  if (e === null) {
    const cols = g.keys().filter((k) => k !== "__categories");
    throw new InputError(`AnnData ${frame} has no column "${col}" (it has: ${cols.join(", ") || "none"})`, { file });
  }
  if (isDataset(e)) return strings(e, file, `${frame}/${col}`);
  if (attr(e, "encoding-type") === "categorical") {
    const cats = strings((e as Group).get("categories") as Dataset, file, `${frame}/${col}/categories`);
    const codes = toNumbers(((e as Group).get("codes") as Dataset).value as ArrayLike<number>);
    return Array.from(codes, (c) => (c >= 0 && c < cats.length ? cats[c] : ""));
  }
  throw new InputError(`AnnData ${frame}/${col} is not a column of names`, { file });
}

function strings(d: Dataset, file: string | undefined, what: string): string[] {
  const v = d.value;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new InputError(`${what} is not a list of names`, { file });
  return v as string[];
}

function part(g: Group, name: string, file: string | undefined): Dataset {
  const d = g.get(name);
  if (!isDataset(d)) throw new InputError(`AnnData X has no ${name} array`, { file });
  return d;
}

/** HDF5 classes 0 and 1: integer and floating point. */
function numeric(d: Dataset, file: string | undefined, what: string): void {
  const t = d.metadata.type;
  if (t !== 0 && t !== 1) throw new InputError(`${what} holds ${JSON.stringify(d.dtype)} values, not numbers`, { file });
}

function dtypeWord(d: Dataset): string {
  const m = d.metadata;
  return (m.type === 1 ? "float" : m.signed ? "int" : "uint") + 8 * m.size;
}

/** A typed array from h5wasm as numbers (64-bit integers arrive as BigInt64Array). */
function values(v: unknown): ArrayLike<number> {
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return toNumbers(v);
  return v as ArrayLike<number>;
}

function toNumbers(v: ArrayLike<number | bigint>): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Number(v[i]);
  return out;
}

/** Rows a..b of a dense rows × cols array. */
function denseRows(x: Dataset, cols: number): (a: number, b: number) => Block {
  return (a, b) => ({ v: values(x.slice([[a, b], []])), major: cols, minor: 1 });
}

/** Major rows a..b of a CSR/CSC array (indptr, indices, data), made dense: (b − a) × minor, row-major. */
function sparseMajor(indptrD: Dataset, indicesD: Dataset, dataD: Dataset, nmajor: number, nminor: number, file: string | undefined) {
  const ip = toNumbers(indptrD.value as ArrayLike<number | bigint>);
  const nnz = dataD.shape?.[0] ?? 0;
  let sorted = true;
  for (let i = 0; i < nmajor && sorted; i++) sorted = ip[i] <= ip[i + 1];
  if (!sorted || ip.length !== nmajor + 1 || ip[0] !== 0 || ip[nmajor] !== nnz || (indicesD.shape?.[0] ?? -1) !== nnz) {
    throw new InputError(`AnnData X is not a consistent sparse matrix (indptr ${ip.length}, data ${nnz} entries)`, { file });
  }
  return (a: number, b: number): Block => {
    const out = new Float64Array((b - a) * nminor);
    const lo = ip[a];
    const hi = ip[b];
    if (hi > lo) {
      const idx = values(indicesD.slice([[lo, hi]]));
      const val = values(dataD.slice([[lo, hi]]));
      for (let i = a; i < b; i++) {
        for (let k = ip[i]; k < ip[i + 1]; k++) {
          const j = idx[k - lo];
          if (!(j >= 0 && j < nminor)) {
            throw new InputError(`AnnData X is not a consistent sparse matrix (index ${j} at entry ${k})`, { file });
          }
          out[(i - a) * nminor + j] = val[k - lo];
        }
      }
    }
    return { v: out, major: nminor, minor: 1 };
  };
}

function readSource(
  src: Source,
  file: string | undefined,
  o: Hdf5Options,
  keep: ((gene: string) => boolean) | undefined,
  block: number,
): Hdf5Read {
  const { genes, samples } = src;
  const ng = genes.length;
  const ns = samples.length;
  genes.forEach((g, i) => {
    if (g === "") throw new InputError(`empty gene name (gene ${i + 1} of ${ng})`, { file });
  });
  // Selected samples: positions in the file, in output order.
  const sel = o.samples ? pick(samples, o.samples, file, o.samplesFile) : samples.map((_, i) => i);
  const cols = sel.map((i) => samples[i]);
  // A quantifier's table saved as AnnData (e.g. anndata.AnnData(quant.T)) has Length, NumReads, … as obs.
  checkAnnotationColumns(cols, file, () => ({ file }));
  const outCol = new Int32Array(ns).fill(-1);
  sel.forEach((s, c) => {
    outCol[s] = c;
  });
  const kept: number[] = [];
  const rowOf = new Int32Array(ng).fill(-1);
  for (let g = 0; g < ng; g++) {
    if (!keep || keep(genes[g])) {
      rowOf[g] = kept.length;
      kept.push(g);
    }
  }
  const nk = kept.length;
  const nc = sel.length;
  const data = new Float64Array(nk * nc);
  const rowMax = new Float64Array(ng).fill(-Infinity);

  // Genes g0..g1 × samples s0..s1 of a block whose value (g, s) sits at v[(g − g0)·gs + (s − s0)·ss].
  const absorb = (v: ArrayLike<number>, gs: number, ss: number, g0: number, g1: number, s0: number, s1: number): void => {
    for (let g = g0; g < g1; g++) {
      const r = rowOf[g];
      let m = rowMax[g];
      for (let s = s0; s < s1; s++) {
        const c = outCol[s];
        if (c < 0) continue;
        const x = v[(g - g0) * gs + (s - s0) * ss];
        if (!Number.isFinite(x)) {
          const what = Number.isNaN(x) ? "missing value (NaN; missing values are not allowed)" : `infinite value ${x} is not allowed`;
          throw new InputError(what, { file, gene: genes[g], sample: samples[s] });
        }
        if (x > m) m = x;
        if (r >= 0) data[r + c * nk] = x;
      }
      rowMax[g] = m;
    }
  };

  if (src.major === "sample") {
    const per = Math.max(1, Math.floor(block / Math.max(1, ng)));
    // Blocks of at most `per` file columns, each starting at a selected sample (a subset skips the rest).
    const order = [...sel].sort((x, y) => x - y);
    for (let k = 0; k < order.length; ) {
      const a = order[k];
      let j = k;
      while (j + 1 < order.length && order[j + 1] < a + per) j++;
      const b = order[j] + 1;
      const blk = src.block(a, b);
      absorb(blk.v, blk.minor, blk.major, 0, ng, a, b);
      k = j + 1;
    }
  } else {
    const per = Math.max(1, Math.floor(block / Math.max(1, ns)));
    for (let a = 0; a < ng && nc > 0; a += per) {
      const b = Math.min(ng, a + per);
      const blk = src.block(a, b);
      absorb(blk.v, blk.major, blk.minor, a, b, 0, ns);
    }
  }
  let max = -Infinity;
  for (let g = 0; g < ng; g++) if (rowMax[g] > max) max = rowMax[g];
  const matrix = makeMatrix(
    kept.map((g) => genes[g]),
    cols,
    data,
    "gene",
  );
  return { matrix, max, genes, rowMax, layout: src.layout };
}

/** Positions of the wanted sample IDs; an unknown or repeated ID is an error naming it. */
function pick(samples: string[], want: readonly string[], file: string | undefined, listFile: string | undefined): number[] {
  const at = new Map<string, number>();
  samples.forEach((s, i) => {
    if (!at.has(s)) at.set(s, i);
  });
  const seen = new Set<string>();
  return want.map((id, k) => {
    const i = at.get(id);
    const where = listFile ? `${listFile}, ID ${k + 1}` : `sample ID ${k + 1}`;
    if (i === undefined) throw new InputError(`sample "${id}" (${where}) is not in the file (${samples.length} samples)`, { file });
    if (seen.has(id)) throw new InputError(`sample "${id}" is listed twice (${where})`, { file });
    seen.add(id);
    return i;
  });
}
