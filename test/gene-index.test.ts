// The gene table's index (src/core/gene-index.ts) against the Map-building parser it replaced (kept below as
// the oracle: same lookups, same iteration order), and the build's snapshot (build/human_genes.index)
// against the bundled table it was made from.
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { GeneIndex } from "../src/core/gene-index.js";
import { currentSymbol, currentSymbolIn, GENE_TABLE_FILE, type GeneTable, parseGeneTable } from "../src/core/genes.js";
import { formerParse } from "./helpers/former-gene-table.js";

const GZ = readFileSync(new URL(`../data/${GENE_TABLE_FILE}`, import.meta.url));
const TEXT = gunzipSync(GZ).toString("utf8");
const TRAILER = GZ.subarray(GZ.length - 8);
const SNAPSHOT = new URL("../build/human_genes.index", import.meta.url);

/** Every difference between two tables on the text's names (and a few absent ones), then in iteration order. */
function differences(text: string, a: GeneTable, b: GeneTable): string[] {
  const out: string[] = [];
  const names = new Set(text.split(/[\t\r\n,]/));
  for (const k of ["", "absent", "ENSG00000000000", "A\tB", "β-name"]) names.add(k);
  for (const k of names) {
    const got = [b.symbols.has(k), b.ensembl.get(k), b.other.get(k), b.ambiguous.get(k)];
    const want = [a.symbols.has(k), a.ensembl.get(k), a.other.get(k), a.ambiguous.get(k)];
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${JSON.stringify(k)}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
  }
  for (const m of ["symbols", "ensembl", "other", "ambiguous"] as const) {
    if (a[m].size !== b[m].size) out.push(`${m}: size ${b[m].size} != ${a[m].size}`);
    if (JSON.stringify([...a[m]]) !== JSON.stringify([...b[m]])) out.push(`${m}: iteration order differs`);
  }
  return out;
}

describe("the gene table's index", () => {
  it("answers as the former parser on the bundled table: every name, sizes, iteration order", () => {
    expect(differences(TEXT, formerParse(TEXT), parseGeneTable(TEXT))).toEqual([]);
  }, 120_000);

  it("answers as the former parser on odd tables: CRLF, empty fields and items, extra fields, repeats", () => {
    const tables = [
      "h\nA\tE1,,E1\tx,,A,B\nB\tE1\tx,A\n\tE9\tq\nC\nD\t\t\nA\tE2\ty,x\r\nX\tE3,E3\tB,C,,\t extra\tmore\nY\t\tB\n",
      "no newline at all",
      "h\n",
      "h\r\nα\tE1\tβ,γ\r\nβ\tE1\tα\r\n",
      TEXT.split("\n").slice(0, 3000).join("\r\n"),
    ];
    // Small random tables over few names, so that names collide across genes, fields and lines.
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const name = () => ["A", "B", "C", "D", "", "E1", "E2"][rnd(7)];
    for (let r = 0; r < 300; r++) {
      const lines = ["header"];
      for (let i = 0; i < 1 + rnd(8); i++) {
        const fields = [name(), Array.from({ length: rnd(3) }, name).join(","), Array.from({ length: rnd(4) }, name).join(",")];
        lines.push(fields.slice(0, 1 + rnd(3)).join("\t") + (rnd(4) === 0 ? "\r" : ""));
      }
      tables.push(lines.join("\n") + (rnd(2) ? "\n" : ""));
    }
    for (const t of tables) expect(differences(t, formerParse(t), parseGeneTable(t)), t).toEqual([]);
  });

  it("currentSymbolIn(S)(name) is S.has(currentSymbol(name)) for every name, with the index and with plain Maps", () => {
    const check = (text: string, S: string[]): string[] => {
      const names = new Set(text.split(/[\t\r\n,]/));
      for (const k of ["", "absent", "ENSG00000000000", "β-name", ...S]) names.add(k);
      for (const k of [...names]) if (k.startsWith("ENSG")) names.add(`${k}.7`).add(`${k}_PAR_Y`).add(`${k}x`);
      const ix = parseGeneTable(text);
      const former = formerParse(text); // plain Sets and Maps: currentSymbolIn's path for tables without an index
      const set = new Set(S);
      const bad: string[] = [];
      for (const t of [ix, former]) {
        const test = currentSymbolIn(S, t);
        for (const k of names) {
          const c = currentSymbol(k, t);
          if (test(k) !== (c !== undefined && set.has(c))) bad.push(`${JSON.stringify(k)} in ${S}`);
        }
      }
      return bad;
    };
    // LM22-like: a few thousand current symbols of the bundled table, a previous symbol and an absent name.
    const symbols = [...parseGeneTable(TEXT).symbols];
    const S = symbols.filter((_, i) => i % 37 === 0).concat(["HIST1H2BG", "KIAA0226L", "absent"]);
    expect(check(TEXT, S)).toEqual([]);
    let seed = 5;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pool = ["A", "B", "C", "D", "", "E1", "ENSG00000000001", "ENSG00000000002"];
    for (let r = 0; r < 200; r++) {
      const lines = ["header"];
      for (let i = 0; i < 1 + rnd(8); i++) {
        const list = (n: number) => Array.from({ length: rnd(n) }, () => pool[rnd(pool.length)]).join(",");
        lines.push([pool[rnd(pool.length)], list(3), list(4)].slice(0, 1 + rnd(3)).join("\t"));
      }
      const text = `${lines.join("\n")}\n`;
      expect(
        check(
          text,
          pool.filter(() => rnd(2) === 0),
        ),
        text,
      ).toEqual([]);
    }
  }, 120_000);

  it("from a snapshot answers as built from the text, and refuses a snapshot of another table", () => {
    const ix = GeneIndex.of(new Uint8Array(Buffer.from(TEXT)));
    const snap = ix.serialize(TRAILER);
    const back = GeneIndex.fromSnapshot(snap, TRAILER)!;
    expect(back).toBeDefined();
    for (const k of ["CD4", "KIAA0226L", "ENSG00000102445", "HIST1H2BG", "FAIM3", "absent"])
      expect([back.isSymbol(k), back.ensembl(k), back.other(k), back.ambiguous(k)]).toEqual([
        ix.isSymbol(k),
        ix.ensembl(k),
        ix.other(k),
        ix.ambiguous(k),
      ]);
    expect([...back.ambiguousEntries()]).toEqual([...ix.ambiguousEntries()]);
    const some = [...ix.symbols()].filter((_, i) => i % 50 === 0);
    expect(back.otherNamesOf(some)).toEqual(ix.otherNamesOf(some));
    expect(back.otherNamesOf(some).length).toBeGreaterThan(100);
    // Its lists read back from the snapshot (one at a time above, all of them here) make the same snapshot.
    expect(Buffer.from(back.serialize(TRAILER)).equals(Buffer.from(snap))).toBe(true);
    const other = Uint8Array.from(TRAILER);
    other[0] ^= 1;
    expect(GeneIndex.fromSnapshot(snap, other)).toBeUndefined();
    expect(GeneIndex.fromSnapshot(snap.subarray(0, snap.length - 4), TRAILER)).toBeUndefined();
  }, 60_000);

  // npm test builds first (pretest), so the snapshot is there; a bare vitest run without a build says so.
  it.skipIf(!existsSync(SNAPSHOT))(
    "build/human_genes.index is the index of the bundled table (needs npm run build: skipped without it)",
    () => {
      const built = readFileSync(SNAPSHOT);
      const fresh = GeneIndex.of(gunzipSync(GZ)).serialize(TRAILER);
      expect(built.length).toBe(fresh.length);
      expect(Buffer.compare(built, fresh)).toBe(0);
    },
    60_000,
  );
});
