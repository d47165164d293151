// The whole report from the inputs' bytes: parse, choose and render the charts, assemble the HTML. Pure, so
// the CLI and (later) the browser page make the same bytes from the same files; the caller reads and
// writes files and supplies the timestamp line's text.
import { renderSvg } from "../charts/render.js";
import { DEFAULT_LIMITS, type ChartLimits, type StatsRow } from "../charts/specs.js";
import { InputError } from "../errors.js";
import { formatTable } from "../formats/write.js";
import { reportCharts, type ChartEntry } from "./charts.js";
import { type InputFingerprint, reportHtml, sha256Hex } from "./html.js";
import { type Annotation, parseAnnotation, parseResults, parseStats } from "./inputs.js";

/** One input: its path (error messages name it; the report shows only the file name) and its bytes. */
export interface ReportFile {
  path: string;
  bytes: Uint8Array;
}

export interface ReportRequest {
  results: ReportFile;
  samples?: ReportFile;
  stats?: ReportFile[];
  groupBy?: string;
  score?: string;
  limits?: ChartLimits;
  /** cellfrac version shown in the summary. */
  version: string;
  /** Text of the timestamp line (the only part of the report that is not a function of the inputs). */
  generated: string;
}

export interface Report {
  html: string;
  /** Every chart type in report order: its SVG, or why it was not drawn. */
  charts: (ChartEntry & { svg?: string })[];
}

const fileName = (path: string): string => path.split(/[\\/]/).pop()!;

export async function buildReport(r: ReportRequest): Promise<Report> {
  const inputs: InputFingerprint[] = [];
  const text = async (f: ReportFile, role: string): Promise<string> => {
    inputs.push({ role, name: fileName(f.path), bytes: f.bytes.length, sha256: await sha256Hex(f.bytes) });
    return new TextDecoder("utf-8").decode(f.bytes);
  };
  const results = parseResults(await text(r.results, "results"), r.results.path);
  const notes: string[] = [];
  let annotation: Annotation | undefined;
  if (r.samples) {
    annotation = parseAnnotation(await text(r.samples, "samples"), r.samples.path);
    const absent = results.samples.filter((s) => !annotation!.rows.has(s));
    if (absent.length === results.samples.length) {
      throw new InputError(`no sample of ${r.results.path} is in the annotation's first column`, { file: r.samples.path });
    }
    if (absent.length) {
      notes.push(`${absent.length} of ${results.samples.length} samples are not in ${fileName(r.samples.path)} (first: ${absent[0]})`);
    }
  }
  const stats: StatsRow[] = [];
  const statsTables = [];
  for (const [i, f] of (r.stats ?? []).entries()) {
    const tsv = await text(f, "stats");
    stats.push(...parseStats(tsv, f.path));
    const name = fileName(f.path);
    statsTables.push({ id: `stats${i + 1}`, title: `Stats: ${name}`, file: name, tsv: tsv.endsWith("\n") ? tsv : `${tsv}\n` });
  }
  const entries = reportCharts(results, annotation, stats, { groupBy: r.groupBy, score: r.score, limits: r.limits ?? DEFAULT_LIMITS });
  const charts = [];
  for (const c of entries) charts.push({ ...c, svg: c.spec ? await renderSvg(c.spec) : undefined });

  const S = results.samples.length;
  const resultsTsv = formatTable(results.rowHeader, results.columns, results.samples, (s, c) => results.values[s + c * S]);
  const resultsFile = `${fileName(r.results.path).replace(/\.[^.]*$/, "")}.tsv`;
  const html = await reportHtml({
    version: r.version,
    generated: r.generated,
    method: results.method,
    resultsFormat: results.format,
    samples: S,
    estimates: results.estimateColumns,
    coverage: results.coverage,
    warnings: results.warnings,
    notes,
    inputs,
    charts,
    tables: [{ id: "results", title: "Results", file: resultsFile, tsv: resultsTsv }, ...statsTables],
  });
  return { html, charts };
}
