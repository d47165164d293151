#!/usr/bin/env node
// `npm run build:cli` (after build:ts): the CLI bundled by Rollup into dist/node/cli.js, over tsc's output.
// Why a bundle: a short run (the bundled example, --help) spent a large share of its time in the ES module
// loader, resolving, reading and linking ~60 modules one by one; bundled, the run loads a few files. What a
// command loads on first use (commands, Parquet/HDF5/Arrow readers, the worker pool) stays lazy: code
// splitting puts each dynamic import into a chunk, and packages (apache-arrow, piscina, hyparquet, …) stay
// imports of node_modules.
// Why Rollup and not esbuild (which still compiles each TypeScript file here): esbuild puts every module in the
// chunk of the exact set of entry points that reach it, and counts a command's dynamic import as an entry of
// its own, so the modules cli.ts loads anyway and those every mixture-reading command shares came apart into
// many small files (the example's run loaded 29 files). Rollup leaves out of a dynamic entry's chunks what its
// importer has already loaded and merges chunks under MIN_CHUNK into a chunk loaded with them: the example's
// run loads 13 files, `--help` 3 (bench/RESULTS.md, "Start-up": the module load). Each file the loader
// opens costs ≈ 0.35–0.65 ms here, about as much as compiling 10 KB of code.
// The chunks (cli-*.js) lie beside cli.js in dist/node/, where every module that finds the package's files by
// `import.meta.url` lives (src/node/host.ts: PACKAGE_ROOT; pool.ts: the worker files). The Node API
// (dist/node/index.js) and the workers stay tsc's modules. dist/node/cli-chunks.json lists each chunk's
// source files (test/startup.test.ts reads it to tell what a run loaded).
import { transform } from "esbuild";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rollup } from "rollup";

/** Chunks smaller than this (bytes) are merged into one loaded with them where that runs no code earlier. */
const MIN_CHUNK = 2000;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/node");
for (const f of readdirSync(out)) if (/^cli-[A-Za-z0-9]+\.js$/.test(f)) rmSync(join(out, f));
const tsconfigRaw = readFileSync(join(root, "tsconfig.json"), "utf8");

/** src/ as tsc sees it: "./x.js" names x.ts; each file compiled alone by esbuild (types dropped). */
const typescript = {
  name: "typescript",
  resolveId(source, importer) {
    if (!importer || !source.startsWith(".")) return null;
    const ts = resolve(dirname(importer), source).replace(/\.js$/, ".ts");
    return existsSync(ts) ? ts : null;
  },
  async load(id) {
    if (!id.endsWith(".ts")) return null;
    const r = await transform(readFileSync(id, "utf8"), { loader: "ts", format: "esm", target: "node20", tsconfigRaw, sourcefile: id });
    return r.code;
  },
};

const bundle = await rollup({
  input: { cli: join(root, "src/node/cli.ts") },
  plugins: [typescript],
  // Node built-ins and packages stay imports (node_modules); only src/ is bundled.
  external: (id) => !id.startsWith(".") && !id.startsWith("/"),
  logLevel: "warn",
  onLog(level, log, handler) {
    if (log.code === "CIRCULAR_DEPENDENCY") return; // ES modules allow them (commands/index.ts ↔ a command)
    handler(level, log);
  },
});
const { output } = await bundle.write({
  dir: out,
  format: "esm",
  entryFileNames: "[name].js",
  chunkFileNames: "cli-[hash].js",
  hashCharacters: "base36",
  experimentalMinChunkSize: MIN_CHUNK,
});
await bundle.close();
const chunks = Object.fromEntries(
  output
    .filter((o) => o.type === "chunk")
    .map((c) => [c.fileName, Object.keys(c.modules).map((m) => relative(root, m).split("\\").join("/"))]),
);
writeFileSync(join(out, "cli-chunks.json"), `${JSON.stringify(chunks, null, 1)}\n`);
const sources = new Set(Object.values(chunks).flat()).size;
console.log(`build:cli: dist/node/cli.js and ${output.length - 1} chunks from ${sources} sources`);
