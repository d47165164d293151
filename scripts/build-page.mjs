#!/usr/bin/env node
// `npm run build:web`: the static page in dist/web, bundled by esbuild from src/ (no tsc output needed).
// Entry points: the page and its two workers (the run worker, the fit workers); code they share goes into
// chunks and apache-arrow (Arrow downloads) into a chunk loaded on first use. The output keeps src/'s
// layout under app/ (app/browser/page/page.js, app/browser/run-worker.js, chunks beside the workers), so
// the modules' `new URL(…, import.meta.url)` references hold unchanged: the workers, and the assets at
// the same place relative to app/browser/ as build/ and data/ to dist/browser/ in the package, copied here.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "dist/web");
rmSync(web, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/browser/page/page.ts", "src/browser/run-worker.ts", "src/browser/fit-worker.ts"],
  outbase: "src",
  outdir: join(web, "app"),
  entryNames: "[dir]/[name]",
  // Beside the workers: a chunk's import.meta.url then resolves ../../build/ and ./fit-worker.js as theirs.
  chunkNames: "browser/chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
  // The version the page's reports name (src/browser/page/analysis.ts), as `cellfrac report` reads it.
  define: { CELLFRAC_VERSION: JSON.stringify(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version) },
});

const nodeBuiltins = Object.values(result.metafile.inputs).flatMap((i) => i.imports.filter((m) => m.path.startsWith("node:")));
if (nodeBuiltins.length) throw new Error(`build:web: the page imports Node built-ins: ${nodeBuiltins.map((m) => m.path).join(", ")}`);

// Assets: the Wasm core (release build) and the bundled data the page fetches.
const copy = (from, to) => {
  mkdirSync(dirname(join(web, to)), { recursive: true });
  copyFileSync(join(root, from), join(web, to));
};
copy("build/cellfrac.wasm", "build/cellfrac.wasm");
copy("data/LM22.tsv", "data/LM22.tsv");
copy("data/lineages.tsv", "data/lineages.tsv"); // cellfrac compare's cell-type lineages (the page's Compare step)
for (const dir of ["identifiers", "til10", "genesets"]) {
  for (const f of readdirSync(join(root, "data", dir))) if (/\.(tsv|txt)(\.gz)?$/.test(f)) copy(`data/${dir}/${f}`, `data/${dir}/${f}`);
}
for (const f of ["index.html", "styles.css"]) copy(`src/browser/page/${f}`, f);
const js = Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js"));
const sources = Object.keys(result.metafile.inputs).length;
console.log(`build:web: ${js.length} modules (3 entry points + chunks) from ${sources} sources in dist/web/app`);
