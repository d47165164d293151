#!/usr/bin/env node
// `npm run build:cli` (after build:ts): the CLI bundled by esbuild into dist/node/cli.js, over tsc's output.
// Why: a short run (the bundled example, --help) spent a large share of its time in the ES module loader,
// resolving, reading and linking ~60 modules one by one; bundled, the run loads a few files. What a command
// loads on first use (commands, Parquet/HDF5/Arrow readers, the worker pool) stays lazy: code splitting puts
// each dynamic import into a chunk, and packages (apache-arrow, piscina, hyparquet, …) stay imports of
// node_modules. The chunks (cli-*.js) lie beside cli.js in dist/node/, where every module that finds the package's
// files by `import.meta.url` lives (src/node/host.ts: PACKAGE_ROOT; pool.ts: the worker files). The Node API
// (dist/node/index.js) and the workers stay tsc's modules.
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/node");
for (const f of readdirSync(out)) if (/^cli-[A-Z0-9]+\.js$/.test(f)) rmSync(join(out, f));

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: "src/node/cli.ts" },
  outdir: out,
  chunkNames: "cli-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  metafile: true,
  logLevel: "warning",
});
const files = Object.keys(result.metafile.outputs).length;
console.log(`build:cli: dist/node/cli.js and ${files - 1} chunks from ${Object.keys(result.metafile.inputs).length} sources`);
