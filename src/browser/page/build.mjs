#!/usr/bin/env node
// `npm run build:web`: assembles the static page in dist/web from tsc's output (run `npm run build:ts`
// first) without a bundler. It follows the imports of the page and its workers through dist/, copies
// those modules to dist/web/app/ (same relative layout, so relative imports hold), rewrites the bare
// specifiers "comlink" and "apache-arrow" to copies of their ESM builds, and replaces any `node:` module still in the graph with
// a generated stub whose functions throw (reading files and gunzip are done by src/browser instead;
// fileURLToPath works, as src/data.ts calls it at load). The
// Wasm core goes to dist/web/build/ (where src/wasm.ts's URL points), LM22 and the Ensembl table to dist/web/data/.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const dist = join(root, "dist");
const web = join(dist, "web");
const app = join(web, "app");
const entries = ["browser/page/page.js", "browser/run-worker.js", "browser/fit-worker.js", "browser/index.js"];
/** Bare specifiers with a browser ESM entry: the package's files are copied to app/vendor/<package>/. */
const vendor = {
  comlink: "comlink/dist/esm/comlink.mjs",
  "apache-arrow": "apache-arrow/Arrow.dom.mjs",
  flatbuffers: "flatbuffers/mjs/flatbuffers.js",
  tslib: "tslib/tslib.es6.mjs",
  "json-with-bigint": "json-with-bigint/json-with-bigint.js",
};
const nodeModules = join(root, "node_modules");

for (const e of entries) if (!existsSync(join(dist, e))) throw new Error(`build:web: dist/${e} is missing (run npm run build:ts first)`);
for (const d of ["app", "build", "data"]) rmSync(join(web, d), { recursive: true, force: true });

// Import and re-export statements (at a line start, so prose in comments is not taken for one) and import().
const IMPORT_RE = /(^[ \t]*(?:import|export)\b[^\n]*?\bfrom\s*|^[ \t]*\}\s*from\s*|^[ \t]*import\s+|\bimport\s*\(\s*)(["'])([^"']+)\2/gm;
const NAMED_RE = /import\s*\{([^}]*)\}\s*from\s*["'](node:[^"']+)["']/g;
/** Stubs that must work because they run when a module loads (src/data.ts names its folder). */
const WORKING = {
  "node:url": { fileURLToPath: "(u) => decodeURIComponent(new URL(String(u)).pathname)" },
  // src/methods/quantiseq.ts names its data folder at load (TIL10_DIR); the page fetches the files itself.
  "node:path": { join: '(...p) => p.filter((x) => x !== "").join("/").replace(/\\/+/g, "/")' },
};
const stubs = new Map(); // node module -> Set of imported names
const seen = new Set();
const usedVendor = new Set();
const queue = [...entries];
while (queue.length) {
  const rel = queue.shift();
  if (seen.has(rel)) continue;
  seen.add(rel);
  const src = readFileSync(join(dist, rel), "utf8");
  for (const m of src.matchAll(NAMED_RE)) {
    const names = stubs.get(m[2]) ?? new Set();
    for (const part of m[1].split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0];
      if (name) names.add(name);
    }
    stubs.set(m[2], names);
  }
  const out = src
    .replace(IMPORT_RE, (all, pre, q, spec) => {
      if (spec.startsWith("./") || spec.startsWith("../")) {
        queue.push(join(dirname(rel), spec));
        return all;
      }
      const target = spec in vendor ? `vendor/${vendor[spec]}` : spec.startsWith("node:") ? `shims/${spec.slice(5).replace(/\//g, "_")}.js` : undefined;
      if (spec in vendor) usedVendor.add(vendor[spec]);
      if (!target) throw new Error(`build:web: dist/${rel} imports "${spec}", which has no browser build here`);
      if (spec.startsWith("node:") && !stubs.has(spec)) stubs.set(spec, new Set());
      let r = relative(dirname(join(app, rel)), join(app, target)).replace(/\\/g, "/");
      if (!r.startsWith(".")) r = "./" + r;
      return `${pre}${q}${r}${q}`;
    })
    .replace(/\n\/\/# sourceMappingURL=.*$/m, "");
  mkdirSync(dirname(join(app, rel)), { recursive: true });
  writeFileSync(join(app, rel), out);
}
// Vendored packages: follow each used entry through its package's files (relative imports), rewriting bare
// specifiers of other vendored packages; text that only looks like one (in comments) is left alone.
const vqueue = Object.values(vendor).filter((v) => usedVendor.has(v));
const vseen = new Set();
while (vqueue.length) {
  const rel = vqueue.shift();
  if (vseen.has(rel)) continue;
  vseen.add(rel);
  const src = readFileSync(join(nodeModules, rel), "utf8");
  const out = src
    .replace(IMPORT_RE, (all, pre, q, spec) => {
      if (spec.startsWith("./") || spec.startsWith("../")) {
        vqueue.push(join(dirname(rel), spec));
        return all;
      }
      if (!(spec in vendor)) return all;
      vqueue.push(vendor[spec]);
      let r = relative(dirname(join(app, "vendor", rel)), join(app, "vendor", vendor[spec])).replace(/\\/g, "/");
      if (!r.startsWith(".")) r = "./" + r;
      return `${pre}${q}${r}${q}`;
    })
    .replace(/\n\/\/# sourceMappingURL=.*$/m, "");
  mkdirSync(dirname(join(app, "vendor", rel)), { recursive: true });
  writeFileSync(join(app, "vendor", rel), out);
}
mkdirSync(join(app, "shims"), { recursive: true });
for (const [mod, names] of stubs) {
  const lines = [`// Generated by src/web/build.mjs: ${mod} is not available in the browser; these throw if called.`];
  lines.push(`const missing = (what) => () => { throw new Error("cellfrac: ${mod} " + what + " is not available in the browser"); };`);
  for (const n of names) lines.push(`export const ${n} = ${WORKING[mod]?.[n] ?? `missing(${JSON.stringify(n)})`};`);
  lines.push("export default {};");
  writeFileSync(join(app, "shims", `${mod.slice(5).replace(/\//g, "_")}.js`), lines.join("\n") + "\n");
}
mkdirSync(join(web, "build"), { recursive: true });
copyFileSync(join(root, "build/cellfrac.wasm"), join(web, "build/cellfrac.wasm"));
mkdirSync(join(web, "data"), { recursive: true });
copyFileSync(join(root, "data/LM22.tsv"), join(web, "data/LM22.tsv"));
// The bundled data the page fetches: the Ensembl table, TIL10 (quanTIseq) and the gene-set collections.
for (const dir of ["identifiers", "til10", "genesets"]) {
  mkdirSync(join(web, "data", dir), { recursive: true });
  for (const f of readdirSync(join(root, "data", dir))) if (/\.(tsv|txt)$/.test(f)) copyFileSync(join(root, "data", dir, f), join(web, "data", dir, f));
}
for (const f of ["index.html", "styles.css"]) copyFileSync(join(root, "src/browser/page", f), join(web, f));
const shimmed = [...stubs.keys()];
console.log(`build:web: ${seen.size} modules in dist/web/app, ${vseen.size} vendored` + (shimmed.length ? `; stubbed node modules: ${shimmed.join(", ")}` : ""));
