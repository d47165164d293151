// Writes build/human_genes.index: the lookup index of the bundled gene table (src/core/gene-index.ts) with the
// text it indexes, so that a run reads it instead of inflating and hashing the table's 2 MB of names (the
// Node host hands it to genes.ts, which uses it only for the very table it was made from). Run by
// `npm run build` after tsc; test/gene-index.test.ts checks that it agrees with the table.
import { mkdirSync, renameSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { GeneIndex } from "../dist/core/gene-index.js";
import { GENE_TABLE_FILE } from "../dist/core/genes.js";

const gz = readFileSync(new URL(`../data/${GENE_TABLE_FILE}`, import.meta.url));
const snap = GeneIndex.of(gunzipSync(gz)).serialize(gz.subarray(gz.length - 8));
const out = new URL("../build/human_genes.index", import.meta.url);
mkdirSync(new URL(".", out), { recursive: true });
writeFileSync(new URL(`${out.href}.tmp`), snap);
renameSync(new URL(`${out.href}.tmp`), out);
