// The self-contained HTML report: charts as inline SVG (rendered before, so the file needs no chart code),
// the tables' TSV text as inline JSON, and a small script that draws sortable tables and offers the TSV
// downloads. A Content-Security-Policy with hashes of that one style and one script forbids every
// connection, so the file requests nothing when opened, from disk or anywhere else.
// Every byte depends only on the inputs except the one line that starts `<p class="stamp">`.
import type { Coverage } from "../methods/types.js";
import { renameSvgIds } from "../charts/svg.js";
import type { ChartEntry } from "./charts.js";

export interface InputFingerprint {
  /** What the file is: results, samples, stats. */
  role: string;
  /** File name as given (the report shows no directories of the machine it was made on). */
  name: string;
  bytes: number;
  sha256: string;
}

export interface ReportDocument {
  version: string;
  /** The timestamp line's text, e.g. an ISO time. */
  generated: string;
  method: string | null;
  resultsFormat: "json" | "tsv";
  samples: number;
  estimates: number;
  coverage: Coverage[];
  warnings: string[];
  /** Facts about the inputs (samples without annotation, …). */
  notes: string[];
  inputs: InputFingerprint[];
  charts: (ChartEntry & { svg?: string })[];
  tables: { id: string; title: string; file: string; tsv: string }[];
}

/** Lowercase hex SHA-256 (Web Crypto: the same in Node ≥ 20 and in browsers). */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const d = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256Base64(text: string): Promise<string> {
  const d = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...d));
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;
padding:0 16px 48px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table.summary td{padding:2px 12px 2px 0;vertical-align:top}table.summary td:first-child{color:#555;white-space:nowrap}
code{font-size:12px}.stamp{color:#666;font-size:12px}
figure.chart{margin:16px 0;overflow-x:auto}figure.chart svg{max-width:none}figcaption{color:#555;font-size:13px}
p.skipped{color:#777;font-style:italic}
.table-wrap{max-height:480px;overflow:auto;border:1px solid #ddd}
table.data{border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums}
table.data th,table.data td{padding:2px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
table.data th:first-child,table.data td:first-child{text-align:left}
table.data th{position:sticky;top:0;background:#f4f4f4;cursor:pointer}
table.data th[aria-sort=ascending]::after{content:" \\25B2"}table.data th[aria-sort=descending]::after{content:" \\25BC"}
button{margin:6px 8px 6px 0}`;

/** Draws each table from its TSV (sortable by a click on a header), shows the first rows, offers the TSV. */
const SCRIPT = `(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var MAX = 1000;
  function num(s) {
    if (s === "NA" || s === "NaN" || s === "") return NaN;
    if (s === "Inf") return Infinity;
    if (s === "-Inf") return -Infinity;
    return Number(s);
  }
  function el(tag, text) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  data.tables.forEach(function (t) {
    var box = document.getElementById("table-" + t.id);
    var lines = t.tsv.replace(/\\n$/, "").split("\\n");
    var head = lines[0].split("\\t");
    var rows = lines.slice(1).map(function (l) { return l.split("\\t"); });
    var numeric = head.map(function (_, j) {
      return rows.every(function (r) { return r[j] === "" || r[j] === "NA" || !isNaN(num(r[j])); });
    });
    var order = rows.map(function (_, i) { return i; });
    var table = el("table");
    table.className = "data";
    table.setAttribute("data-testid", "table-" + t.id);
    var thead = table.createTHead().insertRow();
    var tbody = table.createTBody();
    var sortCol = -1, dir = 1;
    head.forEach(function (h, j) {
      var th = el("th", h);
      th.setAttribute("scope", "col");
      th.addEventListener("click", function () { dir = sortCol === j ? -dir : 1; sortCol = j; sort(); });
      thead.appendChild(th);
    });
    var parsed = [];
    // Numbers by value with NA last either way; text by code point; ties keep the file's order.
    function compare(a, b) {
      var x = rows[a][sortCol], y = rows[b][sortCol];
      if (!numeric[sortCol]) return dir * (x < y ? -1 : x > y ? 1 : 0) || a - b;
      if (!parsed[sortCol]) parsed[sortCol] = rows.map(function (r) { return num(r[sortCol]); });
      x = parsed[sortCol][a]; y = parsed[sortCol][b];
      if (isNaN(x) || isNaN(y)) return (isNaN(x) ? 1 : 0) - (isNaN(y) ? 1 : 0) || a - b;
      return dir * (x - y) || a - b;
    }
    function sort() {
      order.sort(compare);
      Array.prototype.forEach.call(thead.cells, function (th, j) {
        if (j === sortCol) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
      draw();
    }
    function draw() {
      tbody.textContent = "";
      order.slice(0, MAX).forEach(function (i) {
        var tr = tbody.insertRow();
        rows[i].forEach(function (v) { tr.insertCell().textContent = v; });
      });
    }
    draw();
    var wrap = el("div");
    wrap.className = "table-wrap";
    wrap.appendChild(table);
    var btn = el("button", "Download TSV (" + t.file + ")");
    btn.type = "button";
    btn.setAttribute("data-testid", "download-" + t.id);
    btn.addEventListener("click", function () {
      var a = el("a");
      a.href = URL.createObjectURL(new Blob([t.tsv], { type: "text/tab-separated-values" }));
      a.download = t.file;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 0);
    });
    box.appendChild(btn);
    if (rows.length > MAX) {
      box.appendChild(el("p", "Showing the first " + MAX + " of " + rows.length + " rows (in the chosen order); the TSV has all."));
    }
    box.appendChild(wrap);
  });
  document.body.setAttribute("data-ready", "");
})();`;

/** JSON safe inside a <script> element. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function coverageText(c: Coverage): string {
  const miss = c.missing.length
    ? `; missing: ${c.missing.slice(0, 30).join(", ")}${c.missing.length > 30 ? `, … (${c.missing.length - 30} more)` : ""}`
    : "";
  return `${c.name}: ${c.found} of ${c.total} genes found${miss}`;
}

function summaryRows(d: ReportDocument): [string, string][] {
  const rows: [string, string][] = [
    ["method", escapeHtml(d.method ?? `not recorded (${d.resultsFormat.toUpperCase()} results; JSON results name the method)`)],
    ["samples × estimates", `${d.samples} × ${d.estimates}`],
  ];
  if (d.coverage.length) rows.push(["coverage", d.coverage.map((c) => escapeHtml(coverageText(c))).join("<br>")]);
  else if (d.resultsFormat === "tsv") rows.push(["coverage", "not recorded in a TSV (JSON results carry it)"]);
  rows.push([
    "warnings",
    d.warnings.length ? d.warnings.map(escapeHtml).join("<br>") : d.resultsFormat === "json" ? "none" : "not recorded in a TSV",
  ]);
  for (const n of d.notes) rows.push(["note", escapeHtml(n)]);
  rows.push([
    "inputs",
    d.inputs.map((i) => `${escapeHtml(i.role)}: ${escapeHtml(i.name)} (${i.bytes} bytes)<br><code>SHA-256 ${i.sha256}</code>`).join("<br>"),
  ]);
  rows.push(["cellfrac", escapeHtml(d.version)]);
  return rows;
}

/** The report as one HTML string. */
export async function reportHtml(d: ReportDocument): Promise<string> {
  const csp = [
    "default-src 'none'",
    `style-src 'sha256-${await sha256Base64(STYLE)}'`,
    `script-src 'sha256-${await sha256Base64(SCRIPT)}'`,
    "img-src data:",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const charts = d.charts
    .map((c, i) => {
      const body = c.svg ? renameSvgIds(c.svg, `c${i}-`) : `<p class="skipped">Not drawn: ${escapeHtml(c.skipped ?? "no data")}.</p>`;
      const attrs = `class="chart" id="chart-${c.id}" data-testid="chart-${c.id}" data-drawn="${c.svg ? "yes" : "no"}"`;
      return `<figure ${attrs}>\n<h3>${escapeHtml(c.title)}</h3>\n${body}\n</figure>`;
    })
    .join("\n");
  const tables = d.tables.map((t) => `<h3>${escapeHtml(t.title)}</h3>\n<div id="table-${t.id}"></div>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>cellfrac report${d.method ? ` — ${escapeHtml(d.method)}` : ""}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>cellfrac report</h1>
<section id="summary">
<h2>Run</h2>
<table class="summary">
${summaryRows(d)
  .map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`)
  .join("\n")}
</table>
<p class="stamp">Generated ${escapeHtml(d.generated)}</p>
</section>
<section id="charts">
<h2>Charts</h2>
${charts}
</section>
<section id="tables">
<h2>Tables</h2>
${tables}
</section>
<script type="application/json" id="report-data">${scriptJson({ tables: d.tables })}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
