// The cellfrac page: builds the options form from the method registry, runs the engine on a worker
// (src/browser/run-worker.ts, which checks the options through the registry), shows progress with cancel,
// then the table, charts, coverage and warnings, and offers downloads.
import { proxy, wrap } from "comlink";
import { METHODS, type MethodSpec, type OptionSpec, type PageControl, keyOf, methodByName } from "../../core/registry.js";
import type { RunRequest, RunResult, RunWorkerApi } from "../run-worker.js";

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} is missing`);
  return el as T;
};

const form = $<HTMLFormElement>("run-form");
const mixtureInput = $<HTMLInputElement>("mixture");
const runBtn = $<HTMLButtonElement>("run");
const cancelBtn = $<HTMLButtonElement>("cancel");
const progress = $<HTMLProgressElement>("progress");
const status = $<HTMLSpanElement>("status");
const errorBox = $<HTMLDivElement>("error");
const out = $<HTMLElement>("out");
const SVG_NS = "http://www.w3.org/2000/svg";

let worker: Worker | undefined;

// Drop a file anywhere on the mixture box: it becomes the mixture input's file.
const drop = $<HTMLDivElement>("drop-zone");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer?.files.length) mixtureInput.files = e.dataTransfer.files;
});

function showError(message: string): void {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function setRunning(running: boolean): void {
  runBtn.disabled = running;
  cancelBtn.disabled = !running;
}

/**
 * A fit-worker failure for the e2e tests (test/browser-faults.e2e.test.ts), which set the global
 * `cellfracTestFault` with page.evaluate before a run; nothing on the page or in its address sets it.
 */
function testFault(): string | undefined {
  const spec = (globalThis as { cellfracTestFault?: unknown }).cellfracTestFault;
  return typeof spec === "string" ? spec : undefined; // the fit workers ignore anything but <kind>@<vector>
}

/** `?workers=N` in the page address sets the fit-worker count (default: the browser's logical cores). */
function workersParam(): number | undefined {
  const v = new URLSearchParams(location.search).get("workers");
  return v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined;
}

/** The form's groups, in page order; "input" controls sit outside any fieldset. */
const GROUPS: { key: PageControl["group"]; id?: string; legend?: string }[] = [
  { key: "input" },
  { key: "cibersort", id: "cibersort-options", legend: "CIBERSORT options" },
  { key: "quantiseq", id: "quantiseq-options", legend: "quanTIseq options" },
  { key: "epic", id: "epic-options", legend: "EPIC options" },
  { key: "score", id: "score-options", legend: "Gene-set options" },
  { key: "common", id: "common-options", legend: "Input options" },
];

/** Options the page shows, one control per element id (methods share e.g. the signature and --scale). */
const CONTROLS = new Map<string, OptionSpec & { page: PageControl }>();
for (const m of METHODS) {
  for (const o of pageOptions(m)) if (!CONTROLS.has(o.page.id)) CONTROLS.set(o.page.id, o);
}
function pageOptions(m: MethodSpec): (OptionSpec & { page: PageControl })[] {
  return m.options.filter((o): o is OptionSpec & { page: PageControl } => Boolean(o.page) && o.hosts.includes("page"));
}
/** Element ids a method uses: its controls and their selects. */
const controlIds = (m: MethodSpec) => pageOptions(m).flatMap((o) => (o.page.select ? [o.page.select.id, o.page.id] : [o.page.id]));

function node<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
const label = (id: string, text: string) => node("label", { htmlFor: id, textContent: text });

function select(
  id: string,
  values: readonly string[],
  labels: Readonly<Record<string, string>> = {},
  selected?: string,
  testid?: string,
): HTMLSelectElement {
  const sel = node("select", { id }, testid ? { "data-testid": testid } : {});
  for (const v of values) sel.append(node("option", { value: v, textContent: labels[v] ?? v, selected: v === selected }));
  return sel;
}

/** The elements of one option's control (a row, or a field for files). */
function control(o: OptionSpec & { page: PageControl }): HTMLElement[] {
  const p = o.page;
  const test: Record<string, string> = p.testid ? { "data-testid": p.testid } : {};
  const row = node("div", { className: "row" });
  switch (o.type) {
    case "boolean":
      row.append(node("input", { type: "checkbox", id: p.id, checked: o.default }, test), label(p.id, p.label));
      return [row];
    case "integer": {
      const range: Record<string, string> = { min: String(o.min), ...(o.max === undefined ? {} : { max: String(o.max) }) };
      const value = String(o.default ?? "");
      const input = node("input", { type: "number", id: p.id, step: "1", value }, { ...range, inputmode: "numeric", ...test });
      row.append(label(p.id, p.label), input);
      return [row];
    }
    case "choice":
      const values = o.default === undefined ? ["", ...o.choices] : o.choices;
      row.append(label(p.id, p.label), select(p.id, values, p.choiceLabels, o.default ?? "", p.testid));
      return [row];
    case "text":
      row.append(label(p.id, p.label), node("input", { type: "text", id: p.id, placeholder: p.placeholder ?? "", size: 14 }, test));
      return [row];
    case "file": {
      const out: HTMLElement[] = [];
      if (p.hint) out.push(node("p", { className: "hint", id: `${p.id}-note`, textContent: p.hint }));
      if (p.select) {
        const r = node("div", { className: "row" });
        const choices = select(p.select.id, ["", ...o.bundled, "file"], p.select.choiceLabels, "", p.select.testid);
        r.append(label(p.select.id, p.select.label), choices);
        out.push(r);
      }
      const field = node("div", { className: "field" });
      const input = node("input", { type: "file", id: p.id, multiple: Boolean(p.multiple), accept: p.accept ?? "" }, test);
      if (p.hint) input.setAttribute("aria-describedby", `${p.id}-note`);
      // Choosing a file selects it over the bundled choices.
      if (p.select) input.addEventListener("change", () => input.files?.length && ($<HTMLSelectElement>(p.select!.id).value = "file"));
      field.append(label(p.id, p.label), input);
      return [...out, field];
    }
  }
}

function buildForm(): void {
  const container = $("method-options");
  for (const g of GROUPS) {
    const specs = [...CONTROLS.values()].filter((o) => o.page.group === g.key);
    if (!specs.length) continue;
    const parent = g.id ? node("fieldset", { id: g.id }) : container;
    if (g.legend) parent.append(node("legend", { textContent: g.legend }));
    for (const o of specs) parent.append(...control(o));
    if (parent !== container) container.append(parent);
  }
  const kinds: [MethodSpec["kind"], string][] = [
    ["fractions", "Deconvolution (cell fractions)"],
    ["scores", "Gene-set scores"],
  ];
  for (const [kind, title] of kinds) {
    const group = node("optgroup", { label: title });
    for (const m of METHODS.filter((x) => x.kind === kind)) group.append(node("option", { value: m.name, textContent: m.page.label }));
    methodSelect.append(group);
  }
}

const methodSelect = $<HTMLSelectElement>("method");
buildForm();
/** Controls a method does not use are disabled, not hidden, so the form keeps its order. */
function applyMethod(): void {
  const m = methodByName(methodSelect.value);
  const used = new Set(controlIds(m));
  for (const id of METHODS.flatMap(controlIds)) $<HTMLInputElement>(id).disabled = !used.has(id);
  // A group none of whose controls apply is disabled as a whole (its legend says which method it is for).
  for (const fs of Array.from(form.querySelectorAll("fieldset"))) {
    fs.disabled = !Array.from(fs.querySelectorAll<HTMLInputElement>("input, select")).some((c) => used.has(c.id));
  }
  $("method-help").textContent = m.page.help;
}
methodSelect.addEventListener("change", applyMethod);
applyMethod();

async function readFile(f: File): Promise<{ name: string; bytes: Uint8Array }> {
  return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
}

/** A file option's value: a bundled name, the chosen file(s), or undefined (the method's default). */
async function fileValue(p: PageControl): Promise<unknown> {
  const files = Array.from($<HTMLInputElement>(p.id).files ?? []);
  if (p.select) {
    const choice = $<HTMLSelectElement>(p.select.id).value;
    if (choice !== "file") return choice || undefined;
    if (!files.length) throw new Error(`cellfrac: choose a file for "${p.select.label}" or a bundled choice`);
  }
  if (!files.length) return undefined;
  return p.multiple ? Promise.all(files.map(readFile)) : readFile(files[0]);
}

/** The method's options as the form holds them (keys: the registry's); the run worker checks them. */
async function formOptions(m: MethodSpec): Promise<Record<string, unknown>> {
  const raw: Record<string, unknown> = {};
  for (const o of pageOptions(m)) {
    const el = $<HTMLInputElement>(o.page.id);
    const text = el.value.trim();
    raw[keyOf(o.name)] =
      o.type === "boolean" ? el.checked : o.type === "file" ? await fileValue(o.page) : o.type === "integer" ? text : text || undefined;
  }
  return raw;
}

/** body[data-state]: idle, running, done, failed or cancelled (set synchronously, for tests and styles). */
const setState = (s: string) => (document.body.dataset.state = s);

form.addEventListener("submit", (e) => {
  e.preventDefault();
  errorBox.hidden = true;
  out.hidden = true;
  setState("running");
  void run();
});

cancelBtn.addEventListener("click", () => {
  if (!worker) return;
  worker.terminate(); // the run worker and its fit workers stop at once
  worker = undefined;
  setRunning(false);
  progress.value = 0;
  status.textContent = "Cancelled.";
  setState("cancelled");
  runBtn.focus();
});

async function run(): Promise<void> {
  const mix = mixtureInput.files?.[0];
  if (!mix) {
    showError("cellfrac: choose or drop a mixture file first");
    setState("failed");
    mixtureInput.focus();
    return;
  }
  let req: RunRequest;
  try {
    const options = await formOptions(methodByName(methodSelect.value));
    req = { method: methodSelect.value, mixture: await readFile(mix), options, workers: workersParam(), testFault: testFault() };
  } catch (err) {
    showError((err as Error).message);
    setState("failed");
    return;
  }
  setRunning(true);
  progress.removeAttribute("value"); // indeterminate while reading and preparing
  status.textContent = `Reading ${mix.name}…`;
  const w = new Worker(new URL("../run-worker.js", import.meta.url), { type: "module", name: "cellfrac-run" });
  worker = w;
  const api = wrap<RunWorkerApi>(w);
  const t0 = performance.now();
  // A worker that fails to load or throws outside comlink never answers: its error event ends the run.
  const crashed = new Promise<never>((_, reject) => w.addEventListener("error", (ev) => reject(new Error(ev.message || "the run worker failed to start")), { once: true }));
  const onProgress = proxy((done: number, total: number) => {
    if (worker !== w) return;
    progress.max = Math.max(1, total);
    progress.value = done;
    status.textContent = `Fitting: ${Math.round(done / 3)} of ${Math.round(total / 3)} fits (${Math.round((100 * done) / Math.max(1, total))}%)`;
  });
  const res = await Promise.race([crashed, api.run(req, onProgress)]).catch((err: unknown) => ({
    ok: false as const,
    kind: "internal" as const,
    message: `cellfrac: internal error: ${(err as Error)?.message ?? err}`,
  }));
  if (worker !== w) return; // cancelled meanwhile
  w.terminate();
  worker = undefined;
  setRunning(false);
  progress.max = 1;
  progress.value = res.ok ? 1 : 0;
  if (!res.ok) {
    status.textContent = "Failed.";
    showError(res.message);
    setState("failed");
    return;
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  status.textContent = `Done: ${res.samples.length} samples in ${secs} s.`;
  document.body.dataset.runMs = String(Math.round(performance.now() - t0));
  render(res, secs);
  setState("done");
}

function render(r: RunResult, secs: string): void {
  const S = r.samples.length;
  const T = r.cellTypes.length;
  const what = `${r.label}, ${S} samples × ${T} ${r.kind === "scores" ? "scores" : "cell types"}`;
  $("summary").textContent =
    `${what}, ${secs} s on ${r.workers || "no"} fit worker${r.workers === 1 ? "" : "s"} ` +
    `(${r.workers ? (r.shared ? "SharedArrayBuffer" : "transferred buffers") : "in the run worker"}).`;
  out.dataset.kind = r.kind;
  renderCoverage(r);
  const bars = stackedBars(r);
  const heat = heatmap(r);
  $("heat-title").textContent = r.kind === "scores" ? "Heatmap: scores × samples (each row scaled to its own range)" : "Heatmap: cell types × samples";
  $("bars").replaceChildren(bars);
  $("heat").replaceChildren(heat);
  $("legend").replaceChildren(
    ...r.cellTypes.map((t, i) => {
      const s = document.createElement("span");
      s.textContent = t;
      s.style.setProperty("--c", color(i, r.cellTypes.length));
      return s;
    }),
  );
  renderTable(r.table);
  out.hidden = false;
  wireDownloads(r, bars, heat);
}

function renderCoverage(r: RunResult): void {
  const body = $("coverage-body");
  const parts: HTMLElement[] = [];
  const many = r.coverage.length > 1;
  for (const c of r.coverage) {
    const p = document.createElement("p");
    const pct = c.total ? ` (${((100 * c.found) / c.total).toFixed(1)}%)` : "";
    p.textContent = `Genes used${many || r.kind === "scores" ? ` (${c.name})` : ""}: ${c.found} of ${c.total} ${r.kind === "scores" ? "genes" : "signature genes"}${pct}.`;
    if (c.missing.length) {
      const shown = c.missing.slice(0, 40);
      p.textContent += ` Missing from the mixture (${c.missing.length}): ${shown.join(", ")}${c.missing.length > shown.length ? ", …" : ""}`;
    }
    parts.push(p);
  }
  if (r.antilog) {
    const p = document.createElement("p");
    p.textContent = "The mixture was anti-logged (2^x).";
    parts.push(p);
  }
  const ul = document.createElement("ul");
  for (const w of r.warnings) {
    const li = document.createElement("li");
    li.className = "warn";
    li.textContent = `warning: ${w}`;
    ul.append(li);
  }
  if (!r.warnings.length) {
    const li = document.createElement("li");
    li.textContent = "No warnings.";
    ul.append(li);
  }
  parts.push(ul);
  body.replaceChildren(...parts);
}

/** The table shows the TSV's own text, cell for cell (full double precision, as the CLI writes it). */
function renderTable(tsv: string): void {
  const table = $<HTMLTableElement>("results");
  const lines = tsv.replace(/\n$/, "").split("\n");
  const thead = document.createElement("thead");
  const hr = document.createElement("tr");
  for (const h of lines[0].split("\t")) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    hr.append(th);
  }
  thead.append(hr);
  const tbody = document.createElement("tbody");
  for (const line of lines.slice(1)) {
    const tr = document.createElement("tr");
    line.split("\t").forEach((cell, i) => {
      const td = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) (td as HTMLTableCellElement).scope = "row";
      td.textContent = cell;
      tr.append(td);
    });
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
}

function color(i: number, n: number): string {
  const h = Math.round((360 * i) / n);
  return `hsl(${h}, ${i % 2 ? 55 : 70}%, ${i % 3 === 0 ? 45 : i % 3 === 1 ? 60 : 35}%)`;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgRoot(w: number, h: number, title: string): SVGSVGElement {
  const svg = el("svg", { xmlns: SVG_NS, width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: "img", "font-family": "sans-serif", "font-size": 10 });
  svg.append(el("title", {}, title), el("rect", { x: 0, y: 0, width: w, height: h, fill: "#fff" }));
  return svg;
}

/** Pixels per sample in both charts: labelled columns for small cohorts, thin ones for large. */
const columnWidth = (S: number): number => (S <= 40 ? 18 : S <= 200 ? 5 : 2);

function stackedBars(r: RunResult): SVGSVGElement {
  const S = r.samples.length;
  const T = r.cellTypes.length;
  const bw = columnWidth(S);
  const [left, top, h] = [40, 10, 220];
  const bottom = S <= 40 ? 90 : 20;
  const w = left + S * bw + 10;
  const svg = svgRoot(w, top + h + bottom, "Fractions per sample (stacked)");
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + h * (1 - f);
    svg.append(el("line", { x1: left - 4, x2: w - 10, y1: y, y2: y, stroke: "#ddd" }), el("text", { x: left - 6, y: y + 3, "text-anchor": "end" }, f.toFixed(2)));
  }
  for (let s = 0; s < S; s++) {
    let total = 0;
    for (let t = 0; t < T; t++) total += Math.max(0, r.fractions[s * T + t]) || 0;
    const scale = total > 1 ? 1 / total : 1; // absolute modes: bars show shares
    let y = top + h;
    const g = el("g", {});
    g.append(el("title", {}, r.samples[s]));
    for (let t = 0; t < T; t++) {
      const v = (Math.max(0, r.fractions[s * T + t]) || 0) * scale;
      if (v <= 0) continue;
      const bh = v * h;
      y -= bh;
      g.append(el("rect", { x: left + s * bw, y, width: Math.max(1, bw - (bw > 3 ? 1 : 0)), height: bh, fill: color(t, T) }));
    }
    svg.append(g);
    if (S <= 40) svg.append(el("text", { x: left + s * bw + bw / 2, y: top + h + 6, transform: `rotate(60 ${left + s * bw + bw / 2} ${top + h + 6})` }, r.samples[s]));
  }
  return svg;
}

function heatmap(r: RunResult): SVGSVGElement {
  const S = r.samples.length;
  const T = r.cellTypes.length;
  const cw = columnWidth(S);
  const [ch, left, top] = [14, 190, 10];
  const scores = r.kind === "scores";
  // Fractions: one scale, white 0 to dark blue at the largest fraction. Scores: each row (gene set) from
  // its own minimum (white) to its maximum (dark blue), as their units differ between sets.
  const lo = new Float64Array(T);
  const span = new Float64Array(T).fill(1);
  let max = 0;
  for (const v of r.fractions) if (v > max) max = v;
  if (!(max > 0)) max = 1;
  for (let t = 0; t < T; t++) {
    if (!scores) {
      span[t] = max;
      continue;
    }
    let a = Infinity;
    let b = -Infinity;
    for (let s = 0; s < S; s++) {
      const v = r.fractions[s * T + t];
      if (v < a) a = v;
      if (v > b) b = v;
    }
    lo[t] = Number.isFinite(a) ? a : 0;
    span[t] = b > a ? b - a : 1;
  }
  const w = left + S * cw + 70;
  const svg = svgRoot(w, top + T * ch + 20, scores ? "Heatmap of scores (each row white at its minimum to dark blue at its maximum)" : `Heatmap of fractions (white 0 to dark blue ${max.toPrecision(3)})`);
  for (let t = 0; t < T; t++) {
    svg.append(el("text", { x: left - 6, y: top + t * ch + 10, "text-anchor": "end" }, r.cellTypes[t]));
    for (let s = 0; s < S; s++) {
      const v = r.fractions[s * T + t];
      const fill = Number.isNaN(v) ? "#bbb" : shade(Math.max(0, v - lo[t]) / span[t]);
      const rect = el("rect", { x: left + s * cw, y: top + t * ch, width: cw, height: ch, fill });
      if (S <= 200) rect.append(el("title", {}, `${r.samples[s]} · ${r.cellTypes[t]}: ${v}`));
      svg.append(rect);
    }
  }
  const lx = left + S * cw + 15;
  for (let i = 0; i <= 10; i++) svg.append(el("rect", { x: lx, y: top + (10 - i) * 10, width: 12, height: 10, fill: shade(i / 10) }));
  svg.append(el("text", { x: lx + 15, y: top + 8 }, scores ? "max" : max.toPrecision(2)), el("text", { x: lx + 15, y: top + 108 }, scores ? "min" : "0"));
  return svg;
}

function shade(f: number): string {
  const c = (a: number, b: number) => Math.round(a + (b - a) * f);
  return `rgb(${c(255, 8)}, ${c(255, 48)}, ${c(255, 107)})`;
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function svgText(svg: SVGSVGElement): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
}

async function svgToPng(svg: SVGSVGElement): Promise<Blob> {
  const w = Number(svg.getAttribute("width"));
  const h = Number(svg.getAttribute("height"));
  const url = URL.createObjectURL(new Blob([svgText(svg)], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = w * 2;
    canvas.height = h * 2;
    const ctx = canvas.getContext("2d")!;
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error("PNG encoding failed"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

function baseName(): string {
  const n = mixtureInput.files?.[0]?.name ?? "mixture";
  return n.replace(/\.gz$/i, "").replace(/\.(tsv|txt|csv|gct|arrow|parquet)$/i, "") + "." + methodSelect.value;
}

/**
 * The results table as an Arrow IPC file: Mixture (Utf8), then one Float64 column per table column. The
 * vectors are made from their buffers directly: Arrow's builders compile code with `new Function`, which
 * the page's CSP (no unsafe-eval) refuses.
 */
async function arrowFile(r: RunResult): Promise<Uint8Array<ArrayBuffer>> {
  const arrow = await import("apache-arrow"); // loaded on first use only
  const enc = new TextEncoder();
  const bytes = r.samples.map((x) => enc.encode(x));
  const offsets = new Int32Array(bytes.length + 1);
  bytes.forEach((b, i) => (offsets[i + 1] = offsets[i] + b.length));
  const text = new Uint8Array(offsets[bytes.length]);
  bytes.forEach((b, i) => text.set(b, offsets[i]));
  const n = r.columns.length;
  const cols: Record<string, InstanceType<typeof arrow.Vector>> = {
    Mixture: arrow.makeVector(arrow.makeData({ type: new arrow.Utf8(), length: bytes.length, nullCount: 0, valueOffsets: offsets, data: text })),
  };
  r.columns.forEach((name, c) => {
    cols[name] = arrow.makeVector(Float64Array.from(r.samples, (_, s) => r.values[s * n + c]));
  });
  return arrow.tableToIPC(new arrow.Table(cols), "file") as Uint8Array<ArrayBuffer>;
}

function wireDownloads(r: RunResult, bars: SVGSVGElement, heat: SVGSVGElement): void {
  const on = (id: string, f: () => void | Promise<void>) => {
    $(id).onclick = () => {
      Promise.resolve(f()).catch((e: unknown) => showError(`cellfrac: download failed: ${(e as Error)?.message ?? e}`));
    };
  };
  on("download-tsv", () => save(new Blob([r.table], { type: "text/tab-separated-values" }), baseName() + ".tsv"));
  on("download-arrow", async () => save(new Blob([await arrowFile(r)], { type: "application/vnd.apache.arrow.file" }), baseName() + ".arrow"));
  on("download-json", () => save(new Blob([r.json], { type: "application/json" }), baseName() + ".json"));
  on("download-bars-svg", () => save(new Blob([svgText(bars)], { type: "image/svg+xml" }), baseName() + ".bars.svg"));
  on("download-heat-svg", () => save(new Blob([svgText(heat)], { type: "image/svg+xml" }), baseName() + ".heatmap.svg"));
  on("download-bars-png", async () => save(await svgToPng(bars), baseName() + ".bars.png"));
  on("download-heat-png", async () => save(await svgToPng(heat), baseName() + ".heatmap.png"));
}

document.body.dataset.ready = "1";
setState("idle");
