// Loading the bundled gene table, cold, one process per measurement (bench/RESULTS.md, "Start-up"): CPU time of the
// load plus the lookups of one LM22 run's renames. Ways: `former` (the Map-based parser the index replaced,
// test/helpers/former-gene-table.ts), `text` (parseGeneTable on the inflated table: what the page does), `snapshot`
// (geneTable() through the Node host, which reads build/human_genes.index; needs `npm run build`).
//   npx tsx bench/gene-table.ts [runs]        (each way `runs` times, default 5, in fresh processes)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { currentSymbol, GENE_TABLE_FILE, type GeneTable, geneTable, parseGeneTable } from "../src/core/genes.js";
import "../src/node/host.js";
import { formerParse } from "../test/helpers/former-gene-table.js";

const WAYS = ["former", "text", "snapshot"] as const;
const NAMES = ["HIST1H2BG", "KIAA0226L", "FAIM3", "CD4", "ENSG00000121410", "NOT-A-GENE"];
const way = process.argv[2];

if (WAYS.includes(way as (typeof WAYS)[number])) {
  const gz = readFileSync(new URL(`../data/${GENE_TABLE_FILE}`, import.meta.url));
  const c0 = process.cpuUsage();
  const text = way === "snapshot" ? "" : gunzipSync(gz).toString("utf8");
  const table: GeneTable = way === "former" ? formerParse(text) : way === "text" ? parseGeneTable(text) : geneTable();
  const found = NAMES.map((n) => currentSymbol(n, table)).filter(Boolean).length;
  const cu = process.cpuUsage(c0);
  console.log(`${way}\t${((cu.user + cu.system) / 1000).toFixed(1)} ms CPU\t(${found} of ${NAMES.length} names found)`);
} else {
  const runs = Number(process.argv[2] ?? 5);
  const self = fileURLToPath(import.meta.url);
  for (let i = 0; i < runs; i++)
    for (const w of WAYS) process.stdout.write(execFileSync(process.execPath, ["--import", "tsx", self, w], { encoding: "utf8" }));
}
