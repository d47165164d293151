// The text of `cellfrac stats` results: TSV, JSON and the wide feature × term matrix.
import { STATS_COLUMNS, type StatsRecord } from "./types.js";

/** NaN = R's NA (written "NA"), null = not defined (written empty). */
const cell = (x: number | null, fmt: (x: number) => string) => (x === null ? "" : Number.isNaN(x) ? "NA" : fmt(x));

/** TSV with the columns of STATS_COLUMNS, numbers at full precision. */
export function formatStatsTsv(records: StatsRecord[], fmt: (x: number) => string): string {
  const lines = [STATS_COLUMNS.join("\t")];
  for (const r of records) {
    lines.push(
      [
        r.feature,
        r.stratum,
        r.test,
        r.term,
        String(r.n),
        ...(["estimate", "std_error", "statistic", "df", "df2", "p_value", "q_value"] as const).map((k) => cell(r[k], fmt)),
      ].join("\t"),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** JSON: { columns, records } with null for both NA and undefined. */
export function formatStatsJson(records: StatsRecord[]): string {
  const clean = records.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" && Number.isNaN(v) ? null : v])),
  );
  return `${JSON.stringify({ columns: STATS_COLUMNS, records: clean }, null, 1)}\n`;
}

/** Feature × (test, term, stratum) matrix of one statistic. */
export function formatStatsWide(records: StatsRecord[], value: (typeof STATS_COLUMNS)[number], fmt: (x: number) => string): string {
  const colKey = (r: StatsRecord) => `${r.test}:${r.term}${r.stratum ? `|${r.stratum}` : ""}`;
  const cols = [...new Set(records.map(colKey))];
  const feats = [...new Set(records.map((r) => r.feature))];
  const at = new Map(records.map((r) => [`${r.feature}\u0000${colKey(r)}`, r[value]]));
  const lines = [["feature", ...cols].join("\t")];
  for (const f of feats) {
    lines.push(
      [
        f,
        ...cols.map((c) => {
          const v = at.get(`${f}\u0000${c}`);
          return v === undefined ? "" : typeof v === "number" ? cell(v, fmt) : v === null ? "" : String(v);
        }),
      ].join("\t"),
    );
  }
  return `${lines.join("\n")}\n`;
}
