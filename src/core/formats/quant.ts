/**
 * Quantifier outputs (Salmon, kallisto, RSEM, GDC STAR counts, STAR ReadsPerGene, featureCounts) and GEO
 * series matrices, recognised by their headers. They look like tables but are not genes × samples as they
 * stand: read plainly, Salmon's Length/EffectiveLength/NumReads columns became "samples" (issue 12). Each
 * layout is a few documented columns, so it is read here by hand: no JavaScript library reads them.
 * Numbers and messages are the table parser's (cellValue); single-sample files are named by samplePathName.
 */
import { InputError, type InputLocation, UsageError } from "../errors.js";
import { type Matrix, makeMatrix, mergeRowGroups, ROW_COMBINERS, type RowCombiner } from "../matrix.js";
import { cellValue, type ReadOptions } from "./read.js";

export type QuantValue = "tpm" | "counts" | "fpkm";
export type CollapseRule = "mean" | "max" | "first";

export interface QuantOptions {
  /** Which value of a quantifier file (default: TPM where the file has it or it can be computed, else counts). */
  value?: QuantValue;
  /** Transcript → gene (--tx2gene), for transcript-level files. */
  tx2gene?: ReadonlyMap<string, string>;
  /** GEO probe → gene symbol (--probe-map). */
  probeMap?: ReadonlyMap<string, string>;
  /** How the probes of one gene become one row (default mean). */
  collapse?: CollapseRule;
  /** GEO: name samples by !Sample_title instead of their GSM accession. */
  titles?: boolean;
  /** Facts about the reading the user should see (which column, what was computed); the CLI prints them. */
  onNote?: (message: string) => void;
  /** Told when a file used --value, --tx2gene or --probe-map (the host refuses one no file used). */
  onUse?: (option: "value" | "tx2gene" | "probe-map") => void;
}

/** File names that say only what made them: such a file is named by its directory. */
const STANDARD_NAMES = new Set(["quant.sf", "quant.genes.sf", "abundance.tsv", "readspergene.out.tab"]);

/** Whether a file name (a path's last part, optionally .gz) says only what made it: quant.sf, abundance.tsv, … */
export const isStandardQuantName = (name: string): boolean => STANDARD_NAMES.has(name.replace(/\.gz$/i, "").toLowerCase());

/** A single-sample file's sample name: its directory for standard quantifier names, else its name up to the first dot. */
export function samplePathName(path: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  const base = parts[parts.length - 1] ?? path;
  const plain = base.replace(/\.gz$/i, "");
  if (STANDARD_NAMES.has(plain.toLowerCase()) && parts.length > 1) return parts[parts.length - 2];
  const dot = base.indexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Numeric annotation columns of quantifier outputs: never samples, in any file. */
const ANNOTATION = new Set([
  "length",
  "effectivelength",
  "effective_length",
  "eff_length",
  "numreads",
  "est_counts",
  "expected_count",
  "isopct",
]);

type Kind = "salmon" | "kallisto" | "rsem" | "gdc" | "star" | "featurecounts" | "geo";
const TITLES: Record<Kind, string> = {
  salmon: "Salmon quant file",
  kallisto: "kallisto abundance file",
  rsem: "RSEM results file",
  gdc: "GDC STAR counts file",
  star: "STAR ReadsPerGene file",
  featurecounts: "featureCounts file",
  geo: "GEO series matrix",
};

const lower = (xs: readonly string[]) => xs.map((x) => x.trim().toLowerCase());
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const SALMON = ["name", "length", "effectivelength", "tpm", "numreads"];
const KALLISTO = ["target_id", "length", "eff_length", "est_counts", "tpm"];
const FEATURECOUNTS = ["geneid", "chr", "start", "end", "strand", "length"];

/** The layout of a file from its first lines, or null for any other table. */
function sniff(lines: readonly string[]): { kind: Kind; header: number } | null {
  const first = lines[0] ?? "";
  if (first.startsWith("!Series_") || first.startsWith("!Sample_") || first.startsWith("!series_matrix_table_begin"))
    return { kind: "geo", header: 0 };
  let h = 0;
  while (h < lines.length && lines[h].startsWith("#") && !lines[h].startsWith("#1.")) h++;
  const f = lower((lines[h] ?? "").split("\t"));
  if (same(f.slice(0, 6), FEATURECOUNTS)) return { kind: "featurecounts", header: h };
  if (first.startsWith("# gene-model") || (f[0] === "gene_id" && f[1] === "gene_name" && f[3] === "unstranded"))
    return { kind: "gdc", header: h };
  if (h > 0) return null;
  if (f[0] === "n_unmapped" && f.length === 4) return { kind: "star", header: -1 };
  if (same(f, SALMON)) return { kind: "salmon", header: 0 };
  if (same(f, KALLISTO)) return { kind: "kallisto", header: 0 };
  if ((f[0] === "gene_id" || f[0] === "transcript_id") && f.includes("expected_count")) return { kind: "rsem", header: 0 };
  return null;
}

/**
 * Refuse a table that holds a quantifier's annotation column (Length, NumReads, …) as if it were a sample: the
 * one rule for every format (text header, Arrow, Parquet, HDF5 sample names). `names[c]` is the name of the
 * file's column c, undefined for a column that is no sample (the gene column); `where` locates column c.
 */
export function checkAnnotationColumns(
  names: readonly (string | undefined)[],
  file: string | undefined,
  where: (c: number) => InputLocation = (c) => ({ file, line: 1, column: c + 1 }),
): void {
  for (let c = 0; c < names.length; c++) {
    const name = names[c]?.trim().replace(/^"(.*)"$/, "$1");
    if (name !== undefined && ANNOTATION.has(name.toLowerCase())) {
      throw new InputError(
        `column "${name}" is a quantifier's annotation column, not a sample, and the file is none of the layouts cellfrac reads ` +
          `(Salmon, kallisto, RSEM, GDC STAR counts, STAR ReadsPerGene, featureCounts): give the tool's output as it wrote it, ` +
          `or a table of genes × samples without annotation columns`,
        where(c),
      );
    }
  }
}

/** The header line's columns as checkAnnotationColumns takes them (the first, the genes', is no sample). */
function headerColumns(headerLine: string): (string | undefined)[] {
  const fields: (string | undefined)[] = headerLine.split(headerLine.includes("\t") ? "\t" : ",");
  fields[0] = undefined;
  return fields;
}

const HEAD_BYTES = 1 << 16;

/**
 * Whether a file beginning with `head` (its first 64 KiB of text, inflated) must be read by readQuantLike
 * rather than as a plain table; a plain table with an annotation column is refused here already.
 */
export function isQuantLike(head: string, file: string | undefined): boolean {
  const lines = head.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/, 64);
  if (sniff(lines)) return true;
  if (!lines[0]?.startsWith("#1.")) checkAnnotationColumns(headerColumns(lines[0] ?? ""), file);
  return false;
}

/**
 * The matrix of a quantifier output or GEO series matrix (rows not yet merged by the duplicate policy) and
 * each row's line in the file (for the duplicate message), or null for any other table. A table with an
 * annotation column (Length, NumReads, …) is refused.
 */
export function readQuantLike(input: string | Uint8Array, opts: ReadOptions): { matrix: Matrix; lines?: number[] } | null {
  const head = typeof input === "string" ? input.slice(0, HEAD_BYTES) : new TextDecoder("utf-8").decode(input.subarray(0, HEAD_BYTES));
  if (!isQuantLike(head, opts.name)) return null;
  const found = sniff(head.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/, 64))!;
  const text = (typeof input === "string" ? input : new TextDecoder("utf-8").decode(input)).replace(/^\uFEFF/, "");
  const lines = text.split(/\r\n|\r|\n/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  const r = new Reader(lines, opts);
  const matrix =
    found.kind === "geo"
      ? readGeo(r)
      : found.kind === "featurecounts"
        ? readFeatureCounts(r, found.header)
        : found.kind === "star"
          ? readStar(r)
          : readSingle(r, found.kind, found.header);
  // Rows summed or collapsed have no one line (and are unique already).
  return { matrix, lines: r.lineOf.length === matrix.rows.length ? r.lineOf : undefined };
}

/** The lines of one file and how to read its cells. */
class Reader {
  readonly file: string | undefined;
  readonly q: QuantOptions;
  readonly naDrop: boolean;
  /** The line of each row of the last table read. */
  lineOf: number[] = [];
  constructor(
    readonly lines: string[],
    opts: ReadOptions,
  ) {
    this.file = opts.name;
    this.q = opts.quant ?? {};
    this.naDrop = opts.na === "drop-gene";
  }

  /** Fields of a line (tab-separated; GEO quotes its names). */
  fields(i: number, unquote = false): string[] {
    const f = this.lines[i].split("\t");
    return unquote ? f.map((x) => x.replace(/^"(.*)"$/, "$1")) : f;
  }

  /**
   * Data lines [from, to): the gene from column `geneCol` (0-based), values from `valueCols`, named `samples`.
   * `skip` leaves out lines (STAR's N_ rows).
   */
  table(
    from: number,
    to: number,
    geneCol: number,
    valueCols: readonly number[],
    samples: readonly string[],
    skip?: (g: string) => boolean,
    unquote = false,
  ): Matrix {
    const rows: string[] = [];
    this.lineOf = [];
    const cols: number[][] = valueCols.map(() => []);
    const need = Math.max(geneCol, ...valueCols) + 1;
    for (let i = from; i < to; i++) {
      const line = i + 1;
      if (this.lines[i].trim() === "") throw new InputError("empty line inside the table", { file: this.file, line });
      const f = this.fields(i, unquote);
      const gene = f[geneCol]?.trim() ?? "";
      if (f.length < need)
        throw new InputError(`expected ${need} fields or more, found ${f.length}`, { file: this.file, line, gene: gene || undefined });
      if (skip?.(gene)) continue;
      if (gene === "") throw new InputError("empty gene name", { file: this.file, line, column: geneCol + 1 });
      rows.push(gene);
      this.lineOf.push(line);
      valueCols.forEach((c, k) => {
        const where = { file: this.file, line, column: c + 1, gene, sample: samples[k] };
        cols[k].push(cellValue(f[c].trim(), where, this.naDrop));
      });
    }
    if (rows.length === 0) throw new InputError("the table has no data rows", { file: this.file });
    const data = new Float64Array(rows.length * samples.length);
    cols.forEach((v, k) => data.set(v, k * rows.length));
    return makeMatrix(rows, [...samples], data);
  }

  note(m: string): void {
    this.q.onNote?.(`${this.file ?? "mixture"}: ${m}`);
  }
}

/** The value columns by header name, for the --value choice. */
type ValueColumns = Partial<Record<QuantValue, string>>;

/** Column of --value (default TPM where present); UsageError naming what the file has otherwise. */
function valueColumn(r: Reader, kind: Kind, header: readonly string[], has: ValueColumns): number {
  r.q.onUse?.("value");
  const want = r.q.value ?? (has.tpm ? "tpm" : "counts");
  const name = has[want];
  if (!name) {
    const offer = (Object.keys(has) as QuantValue[]).join(" or ");
    throw new UsageError(`${r.file ?? "mixture"}: this ${TITLES[kind]} has no ${want.toUpperCase()} values; --value ${offer}`);
  }
  return lower(header).indexOf(name.toLowerCase());
}

/** Salmon, kallisto, RSEM and GDC STAR files: one sample each, named by the file. */
function readSingle(r: Reader, kind: Kind, h: number): Matrix {
  const header = r.fields(h).map((x) => x.trim());
  const lc = lower(header);
  const sample = samplePathName(r.file ?? "sample");
  let has: ValueColumns;
  let geneCol = 0;
  let txCol = -1;
  if (kind === "salmon") has = { tpm: "TPM", counts: "NumReads" };
  else if (kind === "kallisto") has = { tpm: "tpm", counts: "est_counts" };
  else if (kind === "gdc") {
    has = { tpm: "tpm_unstranded", counts: "unstranded", fpkm: "fpkm_unstranded" };
    geneCol = lc.indexOf("gene_name");
  } else {
    has = { tpm: "TPM", counts: "expected_count", fpkm: "FPKM" };
    // isoforms.results: transcript_id, gene_id, …; the file names each transcript's gene.
    if (lc[0] === "transcript_id" && lc[1] === "gene_id") txCol = 1;
  }
  const vc = valueColumn(r, kind, header, has);
  if (kind === "gdc") return gdcByName(r, h, geneCol, vc, sample);
  if (txCol >= 0) {
    const m = r.table(h + 1, r.lines.length, 0, [vc], [sample]);
    const genes = r.lines.slice(h + 1).map((_, i) => r.fields(h + 1 + i)[txCol].trim());
    return sumByGene(m, genes);
  }
  const m = r.table(h + 1, r.lines.length, geneCol, [vc], [sample]);
  // Salmon quantifies transcripts or (quant.genes.sf) genes: its rows tell; RSEM genes.results holds genes.
  if (kind === "kallisto" || (kind === "salmon" && (r.q.tx2gene || looksTranscript(m.rows)))) return toGenes(r, kind, m);
  return m;
}

/** GDC STAR counts: rows named by gene_name; the N_ summary rows (no gene_name) are skipped. */
function gdcByName(r: Reader, h: number, nameCol: number, vc: number, sample: string): Matrix {
  let from = h + 1;
  while (from < r.lines.length && r.lines[from].startsWith("N_")) from++;
  return r.table(from, r.lines.length, nameCol, [vc], [sample]);
}

const TRANSCRIPT = /^(?:ENS[A-Z]*T\d|[NX][MR]_\d)|\|/;

function looksTranscript(rows: readonly string[]): boolean {
  for (let i = 0; i < Math.min(rows.length, 100); i++) if (TRANSCRIPT.test(rows[i])) return true;
  return false;
}

const stripVersion = (id: string) => id.replace(/^(ENS[A-Z]*[GT]\d+)\.\d+$/, "$1");

/** Transcript rows summed to genes: --tx2gene, else the gene field of GENCODE names, else an error. */
function toGenes(r: Reader, kind: Kind, m: Matrix): Matrix {
  const map = r.q.tx2gene;
  if (map) r.q.onUse?.("tx2gene");
  let genes: string[];
  if (map) {
    let unversioned: Map<string, string> | undefined;
    const missing: string[] = [];
    genes = m.rows.map((t) => {
      let g = map.get(t);
      if (g === undefined) {
        unversioned ??= new Map([...map].map(([k, v]) => [stripVersion(k), v]));
        g = unversioned.get(stripVersion(t.split("|")[0]));
      }
      if (g === undefined) missing.push(t);
      return g ?? "";
    });
    if (missing.length) {
      const shown = missing
        .slice(0, 5)
        .map((t) => `"${t}"`)
        .join(", ");
      throw new InputError(
        `${missing.length} of ${m.rows.length} transcripts are not in the --tx2gene table: ${shown}${missing.length > 5 ? ", …" : ""}`,
        {
          file: r.file,
        },
      );
    }
  } else if (m.rows.every((t) => t.split("|").length >= 6)) {
    // GENCODE transcript names: ENST…|ENSG…|OTTHUMG…|OTTHUMT…|name-201|SYMBOL|length|biotype|
    genes = m.rows.map((t) => t.split("|")[5]);
  } else {
    throw new InputError(
      `this ${TITLES[kind]} holds transcript-level values (e.g. "${m.rows[0]}"): give --tx2gene FILE (transcript → gene, two columns), ` +
        `or quantify against GENCODE transcript names (ENST…|ENSG…|…|SYMBOL|…), whose gene field is then used`,
      { file: r.file },
    );
  }
  r.note(`${m.rows.length} transcripts summed to genes (${map ? "--tx2gene" : "the gene field of the GENCODE names"})`);
  return sumByGene(m, genes);
}

const SUM: RowCombiner = (d, c, rs) => {
  let v = 0;
  for (const r of rs) v += d[c + r];
  return v;
};

/** Rows with the same gene summed (in file order); genes in order of first occurrence. */
function sumByGene(m: Matrix, genes: readonly string[]): Matrix {
  const groups = new Map<string, number[]>();
  genes.forEach((g, i) => {
    const at = groups.get(g);
    if (at) at.push(i);
    else groups.set(g, [i]);
  });
  return mergeRowGroups(m, groups, SUM);
}

/** STAR ReadsPerGene.out.tab: no header, four N_ lines, then gene, unstranded, strand 1, strand 2 counts. */
function readStar(r: Reader): Matrix {
  r.q.onUse?.("value");
  if ((r.q.value ?? "counts") !== "counts") {
    throw new UsageError(
      `${r.file ?? "mixture"}: a STAR ReadsPerGene file has read counts only (no gene lengths for TPM or FPKM); --value counts`,
    );
  }
  r.note("STAR ReadsPerGene: the unstranded counts (column 2)");
  return r.table(0, r.lines.length, 0, [1], [samplePathName(r.file ?? "sample")], (g) => g.startsWith("N_"));
}

/** featureCounts: Geneid Chr Start End Strand Length, then one count column per BAM; TPM/FPKM from counts and Length. */
function readFeatureCounts(r: Reader, h: number): Matrix {
  const header = r.fields(h).map((x) => x.trim());
  const samples = header.slice(6).map(samplePathName);
  if (samples.length === 0) throw new InputError("featureCounts file without count columns", { file: r.file, line: h + 1 });
  const counts = r.table(
    h + 1,
    r.lines.length,
    0,
    samples.map((_, k) => 6 + k),
    samples,
  );
  r.q.onUse?.("value");
  const value = r.q.value ?? "tpm";
  if (value === "counts") return counts;
  const len = r.table(h + 1, r.lines.length, 0, [5], ["Length"]).data;
  const n = counts.rows.length;
  const out = new Float64Array(counts.data.length);
  for (let s = 0; s < samples.length; s++) {
    const c = counts.data.subarray(s * n, (s + 1) * n);
    const o = out.subarray(s * n, (s + 1) * n);
    for (let g = 0; g < n; g++) o[g] = value === "tpm" ? c[g] / len[g] : c[g];
    const total = rSum(o);
    // TPM: rate / Σ rate × 1e6; FPKM: count / length / Σ count × 1e9 (lengths in bases), as R computes them.
    for (let g = 0; g < n; g++) o[g] = value === "tpm" ? (o[g] / total) * 1e6 : (c[g] / len[g] / total) * 1e9;
  }
  r.note(`featureCounts: ${value.toUpperCase()} computed from the counts and the Length column (--value counts for the raw counts)`);
  return makeMatrix(counts.rows, samples, out);
}

/** GEO series matrix: the table between !series_matrix_table_begin and _end, rows by ID_REF, samples by GSM. */
function readGeo(r: Reader): Matrix {
  const begin = r.lines.findIndex((l) => l.startsWith("!series_matrix_table_begin"));
  const end = r.lines.findIndex((l) => l.startsWith("!series_matrix_table_end"));
  if (begin < 0) throw new InputError("GEO series matrix without a !series_matrix_table_begin line", { file: r.file });
  if (end < 0) throw new InputError("GEO series matrix without a !series_matrix_table_end line (is the file truncated?)", { file: r.file });
  if (end <= begin + 2) {
    throw new InputError(
      "this GEO series matrix has no expression rows: the series' values are in its supplementary files (e.g. a counts table), not here",
      { file: r.file, line: begin + 1 },
    );
  }
  const header = r.fields(begin + 1, true).map((x) => x.trim());
  let samples = header.slice(1);
  if (r.q.titles) samples = geoTitles(r, begin, samples);
  const m = r.table(
    begin + 2,
    end,
    0,
    samples.map((_, k) => k + 1),
    samples,
    undefined,
    true,
  );
  const probes = r.q.probeMap;
  if (probes) return collapseProbes(r, m, probes);
  const probe = m.rows.find((g) => /_at$|^ILMN_\d|^A_\d+_P\d|^\d+$/.test(g));
  if (probe) r.note(`GEO rows are array probe IDs (e.g. "${probe}"): give --probe-map FILE (probe → gene symbol) to read them as genes`);
  return m;
}

/** !Sample_title in the order of !Sample_geo_accession, for the table's GSM columns. */
function geoTitles(r: Reader, begin: number, gsms: readonly string[]): string[] {
  const row = (key: string) => {
    const i = r.lines.slice(0, begin).findIndex((l) => l.startsWith(`${key}\t`));
    return i < 0 ? undefined : r.fields(i, true).slice(1);
  };
  const acc = row("!Sample_geo_accession");
  const titles = row("!Sample_title");
  if (!acc || !titles)
    throw new InputError("--sample-names title: the file has no !Sample_title and !Sample_geo_accession lines", { file: r.file });
  return gsms.map((g) => {
    const k = acc.indexOf(g);
    if (k < 0 || titles[k] === undefined)
      throw new InputError(`--sample-names title: no !Sample_title for ${g}`, { file: r.file, sample: g });
    return titles[k];
  });
}

/** Probes renamed to genes; probes without one gene dropped; each gene's probes collapsed by the rule. */
function collapseProbes(r: Reader, m: Matrix, map: ReadonlyMap<string, string>): Matrix {
  r.q.onUse?.("probe-map");
  const rule = r.q.collapse ?? "mean";
  const groups = new Map<string, number[]>();
  let none = 0;
  let several = 0;
  m.rows.forEach((p, i) => {
    const g = map.get(p)?.trim() ?? "";
    if (g === "" || g === "---") none++;
    else if (g.includes("///")) several++;
    else {
      const at = groups.get(g);
      if (at) at.push(i);
      else groups.set(g, [i]);
    }
  });
  if (groups.size === 0) {
    throw new InputError(`no probe of the file is in the --probe-map table (e.g. "${m.rows[0]}")`, { file: r.file });
  }
  const how = rule === "first" ? "first probe" : rule === "max" ? "elementwise maximum" : "mean";
  r.note(
    `${m.rows.length} probes → ${groups.size} genes through --probe-map (--collapse ${rule}: the ${how} of each gene's probes)` +
      `; dropped: ${none} probe(s) without a gene symbol, ${several} mapping to several genes`,
  );
  return mergeRowGroups(m, groups, ROW_COMBINERS[rule]);
}

/**
 * A two-column identifier table (--tx2gene: transcript → gene; --probe-map: probe → symbol) from TSV/CSV text.
 * Lines beginning with #, ! or ^ are comments (GEO platform tables); a header line is kept as an entry
 * (it names no transcript). Platform tables with more columns: the symbol column is found by its name.
 */
export function parseIdMap(text: string, file: string): Map<string, string> {
  const all = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const at = [...all.keys()].filter((i) => all[i].trim() !== "" && !/^[#!^]/.test(all[i]));
  const lines = at.map((i) => all[i]);
  if (lines.length === 0) throw new InputError("empty identifier table", { file });
  const delim = lines[0].includes("\t") ? "\t" : ",";
  const split = (l: string) => l.split(delim).map((x) => x.trim().replace(/^"(.*)"$/, "$1"));
  const head = lower(split(lines[0]));
  let to = 1;
  if (head.length > 2) {
    const named = head.findIndex((h) =>
      ["gene symbol", "symbol", "gene_symbol", "gene.symbol", "genesymbol", "gene_name", "geneid"].includes(h),
    );
    if (named > 0) to = named;
  }
  const map = new Map<string, string>();
  lines.forEach((l, i) => {
    const f = split(l);
    if (f.length <= to) throw new InputError(`expected ${to + 1} fields or more, found ${f.length}`, { file, line: at[i] + 1 });
    if (!map.has(f[0])) map.set(f[0], f[to]);
  });
  return map;
}

const ONE = BigInt(1);
const f64 = new DataView(new ArrayBuffer(8));

/**
 * R's sum() of doubles: accumulated in x87 long double (64-bit significand, rounded to nearest even after each
 * addition), then rounded to double, so featureCounts' TPM is R's to the bit. The Wasm core has the same (rSum),
 * but parsing is synchronous: here exactly with BigInt, every value an integer multiple of 2^-1074.
 */
export function rSum(v: ArrayLike<number>): number {
  let acc = BigInt(0);
  for (let i = 0; i < v.length; i++) acc = roundBits(acc + exactUnits(v[i]), 64);
  const x = roundBits(acc, 53);
  const neg = x < 0;
  const mag = neg ? -x : x;
  const shift = Math.max(0, bitLength(mag) - 53);
  const d = Number(mag >> BigInt(shift)) * 2 ** (shift - 1074 + 537) * 2 ** -537;
  return neg ? -d : d;
}

/** A finite double as an integer count of 2^-1074. */
function exactUnits(x: number): bigint {
  f64.setFloat64(0, x);
  const bits = f64.getBigUint64(0);
  const e = Number((bits >> BigInt(52)) & BigInt(0x7ff));
  let m = bits & ((ONE << BigInt(52)) - ONE);
  if (e > 0) m = (m | (ONE << BigInt(52))) << BigInt(e - 1);
  return bits >> BigInt(63) ? -m : m;
}

function bitLength(x: bigint): number {
  if (x === BigInt(0)) return 0;
  const h = x.toString(16);
  return 4 * (h.length - 1) + (32 - Math.clz32(parseInt(h[0], 16)));
}

/** `a` rounded to `p` significant bits, to nearest, ties to even. */
function roundBits(a: bigint, p: number): bigint {
  const neg = a < 0;
  const x = neg ? -a : a;
  const len = bitLength(x);
  if (len <= p) return a;
  const s = BigInt(len - p);
  let q = x >> s;
  const rem = x - (q << s);
  const half = ONE << (s - ONE);
  if (rem > half || (rem === half && (q & ONE) === ONE)) q += ONE;
  return neg ? -(q << s) : q << s;
}
