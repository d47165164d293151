// The cellfrac page: builds the options form from the method registry, runs the engine on a worker
// (src/browser/run-worker.ts, which checks the options through the registry), shows progress with cancel,
// then the table, charts, coverage and warnings, and offers downloads.
import { proxy, wrap } from "comlink";
import { METHODS, type MethodSpec, type OptionSpec, type PageControl, keyOf, methodByName } from "../../core/registry.js";
import type { RunRequest, RunResult, RunWorkerApi } from "../run-worker.js";
import { fillTable, save } from "./dom.js";
import { isHdf5 } from "../../core/formats/hdf5.js";

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

const folderInput = $<HTMLInputElement>("mixture-folder");

let worker: Worker | undefined;
/** The charts and the Analysis step (vega, the stats and report code): loaded while the first run computes. */
let analysis: Promise<typeof import("./analysis.js")> | undefined;
const loadAnalysis = () => (analysis ??= import("./analysis.js"));

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
  if (e.dataTransfer?.files.length) {
    mixtureInput.files = e.dataTransfer.files;
    mixtureInput.dispatchEvent(new Event("change"));
  }
});

/** The quantifier files of a chosen folder, by kind in this order of preference (quant.sf over quant.genes.sf). */
const FOLDER_KINDS = ["quant.sf", "abundance.tsv", "readspergene.out.tab", "quant.genes.sf"];
const baseOf = (path: string) => (path.split("/").pop() ?? path).replace(/\.gz$/i, "").toLowerCase();
let folderFiles: File[] = [];

/** A folder's files of the first quantifier kind it holds, sorted by path (as a shell lists S1/quant.sf S2/quant.sf …). */
function pickFolder(files: readonly File[]): File[] {
  const kind = FOLDER_KINDS.find((k) => files.some((f) => baseOf(f.webkitRelativePath) === k));
  if (!kind) return [];
  return files
    .filter((f) => baseOf(f.webkitRelativePath) === kind)
    .sort((a, b) => (a.webkitRelativePath < b.webkitRelativePath ? -1 : a.webkitRelativePath > b.webkitRelativePath ? 1 : 0));
}

/** The mixture files of the run: the folder's quantifier files when a folder was chosen last, else the chosen files. */
const mixtureFiles = (): File[] => (folderFiles.length ? folderFiles : Array.from(mixtureInput.files ?? []));

mixtureInput.addEventListener("change", () => {
  folderInput.value = "";
  folderFiles = [];
  $("folder-note").textContent = "";
  void applyFiles();
});
folderInput.addEventListener("change", () => {
  const all = Array.from(folderInput.files ?? []);
  folderFiles = pickFolder(all);
  mixtureInput.value = "";
  $("folder-note").textContent = folderFiles.length
    ? `${folderFiles.length} ${baseOf(folderFiles[0].webkitRelativePath)} file${folderFiles.length > 1 ? "s" : ""}: ` +
      folderFiles.map((f) => f.webkitRelativePath).join(", ")
    : all.length
      ? `no ${FOLDER_KINDS.join(", ")} file in the chosen folder: choose the files instead`
      : "";
  void applyFiles();
});

/** HDF5 options are shown only when a chosen file is HDF5 (told by its first bytes, as the reader tells it). */
let filesSeq = 0;
async function applyFiles(): Promise<void> {
  const seq = ++filesSeq;
  const files = mixtureFiles();
  const heads = await Promise.all(files.map(async (f) => new Uint8Array(await f.slice(0, 8).arrayBuffer())));
  if (seq !== filesSeq) return; // chosen again meanwhile
  $("hdf5-options").hidden = !heads.some(isHdf5);
  document.body.dataset.files = String(files.length);
}

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
  { key: "quant", id: "quant-options", legend: "Quantifier outputs and GEO series matrices" },
  // Shown only when a chosen mixture file is HDF5 (applyFiles).
  { key: "hdf5", id: "hdf5-options", legend: "HDF5 options (AnnData .h5ad, ARCHS4)" },
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
void applyFiles();

async function readFile(f: File): Promise<{ name: string; bytes: Uint8Array }> {
  // A directory's files (quant.sf per sample) keep their path: the sample is named by its directory.
  return { name: f.webkitRelativePath || f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
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
    if (el.closest("fieldset")?.hidden) continue; // options of files not chosen (HDF5)
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
  const chosen = mixtureFiles();
  const mix = chosen[0];
  if (!mix) {
    showError("cellfrac: choose or drop a mixture file first");
    setState("failed");
    mixtureInput.focus();
    return;
  }
  let req: RunRequest;
  try {
    const options = await formOptions(methodByName(methodSelect.value));
    // Several files (one per sample from a quantifier, or several cohorts) are merged by gene. The worker reads
    // the Files itself: HDF5 in place, never copied whole into memory.
    const mixtures = chosen.map((f) => ({ name: f.webkitRelativePath || f.name, file: f }));
    const mixture = mixtures.length > 1 ? mixtures : mixtures[0];
    req = { method: methodSelect.value, mixture, options, workers: workersParam(), testFault: testFault() };
  } catch (err) {
    showError((err as Error).message);
    setState("failed");
    return;
  }
  setRunning(true);
  void loadAnalysis().catch(() => {}); // a failure shows when the result is drawn
  progress.removeAttribute("value"); // indeterminate while reading and preparing
  status.textContent = `Reading ${mix.name}…`;
  const w = new Worker(new URL("../run-worker.js", import.meta.url), { type: "module", name: "cellfrac-run" });
  worker = w;
  const api = wrap<RunWorkerApi>(w);
  const t0 = performance.now();
  // A worker that fails to load or throws outside comlink never answers: its error event ends the run.
  const crashed = new Promise<never>((_, reject) =>
    w.addEventListener("error", (ev) => reject(new Error(ev.message || "the run worker failed to start")), { once: true }),
  );
  const onProgress = proxy((done: number, total: number) => {
    if (worker !== w) return;
    progress.max = Math.max(1, total);
    progress.value = done;
    const pct = Math.round((100 * done) / Math.max(1, total));
    status.textContent = `Fitting: ${Math.round(done / 3)} of ${Math.round(total / 3)} fits (${pct}%)`;
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
  $("heat-title").textContent = r.kind === "scores" ? "Heatmap: scores × samples" : "Heatmap: cell types × samples";
  renderTable(r.table);
  out.hidden = false;
  wireDownloads(r);
  wireCompare(r);
  document.body.dataset.charts = "";
  loadAnalysis()
    .then((a) => a.showRun({ tsv: r.table, json: r.json, base: baseName() }))
    .catch((e: unknown) => showError(`cellfrac: the charts failed: ${(e as Error)?.message ?? e}`));
}

function renderCoverage(r: RunResult): void {
  const body = $("coverage-body");
  const parts: HTMLElement[] = [];
  const many = r.coverage.length > 1;
  for (const c of r.coverage) {
    const p = document.createElement("p");
    const pct = c.total ? ` (${((100 * c.found) / c.total).toFixed(1)}%)` : "";
    const which = many || r.kind === "scores" ? ` (${c.name})` : "";
    p.textContent = `Genes used${which}: ${c.found} of ${c.total} ${r.kind === "scores" ? "genes" : "signature genes"}${pct}.`;
    if (c.missing.length) {
      const shown = c.missing.slice(0, 40);
      const more = c.missing.length > shown.length ? ", …" : "";
      p.textContent += ` Missing from the mixture (${c.missing.length}): ${shown.join(", ")}${more}`;
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
const renderTable = (tsv: string) => fillTable($<HTMLTableElement>("results"), tsv);

function baseName(): string {
  const n = mixtureFiles()[0]?.name ?? "mixture";
  return `${n.replace(/\.gz$/i, "").replace(/\.(tsv|txt|csv|gct|arrow|parquet)$/i, "")}.${methodSelect.value}`;
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
    Mixture: arrow.makeVector(
      arrow.makeData({ type: new arrow.Utf8(), length: bytes.length, nullCount: 0, valueOffsets: offsets, data: text }),
    ),
  };
  r.columns.forEach((name, c) => {
    cols[name] = arrow.makeVector(Float64Array.from(r.samples, (_, s) => r.values[s * n + c]));
  });
  return arrow.tableToIPC(new arrow.Table(cols), "file") as Uint8Array<ArrayBuffer>;
}

/** The Compare step (src/browser/page/compare.ts, loaded on first use) on this run's table. */
function wireCompare(r: RunResult): void {
  const compare = () => import("./compare.js");
  document.body.dataset.compare = "";
  $("compare-report").textContent = ""; // the last run's comparison is gone with its table
  $("compare-error").hidden = true;
  for (const id of ["download-compare", "download-compare-json"]) $<HTMLButtonElement>(id).disabled = true;
  $("compare-run").onclick = () => {
    delete document.body.dataset.compare;
    void compare().then((c) => c.runCompare(r.table, `${baseName()}.tsv`));
  };
  $("download-compare").onclick = () => void compare().then((c) => c.saveCompare("tsv", baseName()));
  $("download-compare-json").onclick = () => void compare().then((c) => c.saveCompare("json", baseName()));
}

function wireDownloads(r: RunResult): void {
  const on = (id: string, f: () => void | Promise<void>) => {
    $(id).onclick = () => {
      Promise.resolve(f()).catch((e: unknown) => showError(`cellfrac: download failed: ${(e as Error)?.message ?? e}`));
    };
  };
  on("download-tsv", () => save(new Blob([r.table], { type: "text/tab-separated-values" }), `${baseName()}.tsv`));
  on("download-arrow", async () =>
    save(new Blob([await arrowFile(r)], { type: "application/vnd.apache.arrow.file" }), `${baseName()}.arrow`),
  );
  on("download-json", () => save(new Blob([r.json], { type: "application/json" }), `${baseName()}.json`));
}

document.body.dataset.ready = "1";
setState("idle");
