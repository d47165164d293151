// Property-based fuzzing of every reader (issue 16): valid inputs of each format, damaged by random edits
// (bytes flipped, delimiters/quotes/NUL/BOM/1e999 inserted, truncation, repeats, absurd 32-bit sizes), read
// in-process whole and streamed, and a few through the CLI. Each gives a result or a located InputError —
// never a crash, never a partial file. Fixed seed; FUZZ_SEED / FUZZ_RUNS change it (bench/fuzz.ts runs long).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import { parseMatrix } from "../src/core/formats/read.js";
import { streamMatrixFile } from "../src/node/stream.js";
import { checkMatrix, damage, editArb, ROLE, readerProperty, seeds, type ReaderName } from "./helpers/fuzz.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const CLI = new URL("../dist/node/cli.js", import.meta.url).pathname;
const ALL = seeds();
const dir = mkdtempSync(join(tmpdir(), "cellfrac-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("whole-input readers: a result or a located InputError", () => {
  const readers = [...new Set(ALL.map((s) => s.reader))] as ReaderName[];
  for (const reader of readers) {
    it(`${reader}: ${RUNS} damaged inputs`, () => {
      const mine = ALL.filter((s) => s.reader === reader);
      let ok = 0;
      let refused = 0;
      fc.assert(
        readerProperty(mine, (o) => (o.ok ? ok++ : refused++)),
        { seed: SEED, numRuns: RUNS },
      );
      expect(ok + refused).toBe(RUNS);
      expect(refused, "the mutations reach the error paths").toBeGreaterThan(0);
    }, 60_000);
  }
});

describe("streamed reader (cibersort's path): the same contract", () => {
  const streamed = ALL.filter((s) => ["tsv", "tsv.gz", "gct", "parquet", "arrow"].includes(s.reader));
  it(`${Math.ceil(RUNS / 5)} damaged files, plain and gzipped`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(streamed.length - 1), fc.array(editArb, { minLength: 1, maxLength: 4 }), async (i, edits) => {
        const seed = streamed[i];
        const path = join(dir, `s${n++}-${seed.name}`);
        writeFileSync(path, damage(seed, edits));
        try {
          const r = await streamMatrixFile(path, { what: "mixture", keepRows: (g) => g.length % 2 === 0 });
          if (r) checkMatrix(r.matrix);
        } catch (e) {
          if (!(e instanceof InputError && e.message.replace(ROLE, "").startsWith(path))) throw e;
        } finally {
          rmSync(path);
        }
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 5) },
    );
  }, 120_000);
});

describe("the CLI on damaged inputs: exit 0 with a whole table or exit 3 with one located line, no partial file", () => {
  it("8 inputs through cellfrac cibersort -o", () => {
    const sig = ALL.find((s) => s.reader === "signature")!;
    const sigPath = join(dir, sig.name);
    writeFileSync(sigPath, sig.bytes);
    const mixtures = ALL.filter((s) => ["tsv", "csv", "tsv.gz", "gct", "parquet", "arrow"].includes(s.reader) && !s.name.includes("-"));
    const cases = fc.sample(fc.tuple(fc.nat(mixtures.length - 1), fc.array(editArb, { minLength: 1, maxLength: 3 })), {
      seed: SEED,
      numRuns: 8,
    });
    const codes: number[] = [];
    cases.forEach(([i, edits], k) => {
      const m = mixtures[i];
      const input = join(dir, `cli${k}-${m.name}`);
      const out = join(dir, `cli${k}-out.tsv`);
      writeFileSync(input, damage(m, edits));
      const r = spawnSync(process.execPath, [CLI, "cibersort", input, "--signature", sigPath, "--perm", "0", "-q", "-o", out], {
        encoding: "utf8",
        timeout: 60_000,
      });
      codes.push(r.status ?? -1);
      if (r.status === 0) {
        expect(readFileSync(out, "utf8")).toMatch(/^Mixture\t.*\n(.*\n)+$/);
      } else {
        expect(r.status, r.stderr).toBe(3);
        expect(r.stderr).toMatch(new RegExp(`^cellfrac: error: (mixture )?${input.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[:,][^\n]+\n$`));
        expect(existsSync(out)).toBe(false);
      }
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    });
    expect(codes.length).toBe(8);
  }, 240_000);
});

describe("Arrow stream: nothing after the end-of-stream marker is read (bench/fuzz.ts 50000 1, input 17,822)", () => {
  // Three edits shift the schema of stream.arrows: it ends after a field-less schema, and apache-arrow 21 then
  // read on past the end marker into shifted bytes, decoding a node count of ~10^9 (minutes, 3.6 GB).
  const seed = ALL.find((s) => s.name === "stream.arrows")!;
  const bytes = damage(seed, [
    { kind: "flip", at: 400483513, byte: 89 },
    { kind: "insert", at: 616878878, token: 14 },
    { kind: "insert", at: 1137702921, token: 17 },
  ]);
  const refusal = /Arrow table needs a gene column and at least one sample column$/;
  it("whole input: refused at once", () => {
    const t = performance.now();
    expect(() => parseMatrix(bytes, { name: "bad.arrows" })).toThrow(refusal);
    expect(performance.now() - t).toBeLessThan(5000);
  }, 10_000);
  for (const gz of [false, true]) {
    it(`streamed${gz ? ", gzipped" : ""}: refused at once`, async () => {
      const path = join(dir, `eos.arrows${gz ? ".gz" : ""}`);
      writeFileSync(path, gz ? gzipSync(bytes) : bytes);
      await expect(streamMatrixFile(path, { what: "mixture" })).rejects.toThrow(refusal);
    }, 10_000);
  }
});
