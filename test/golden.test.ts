// test/golden holds copies of the steering repository's shared/ files (test/golden/extract.mjs). Where shared/
// is beside the repository, every copy must still equal its source, so the two cannot drift apart; in a
// clone with nothing beside it the check is skipped, and the golden files alone drive the suite.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR, goldenContent, goldenFiles, goldenPath } from "./golden/extract.mjs";
import { SHARED, hasShared, readGolden } from "./helpers/reference.js";

const shared = hasShared();

describe("test/golden", () => {
  it("holds only gzipped files, README.md and extract.mjs (with its types)", () => {
    const all = readdirSync(GOLDEN_DIR, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
    expect(all.filter((f) => !f.endsWith(".gz")).sort()).toEqual(["README.md", "extract.d.mts", "extract.mjs"]);
  });

  it.skipIf(!shared)(`every file equals its source in ../shared${shared ? "" : " (skipped: no ../shared beside the repository)"}`, () => {
    const files = goldenFiles(SHARED);
    const onDisk = readdirSync(GOLDEN_DIR, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".gz"));
    expect(onDisk.map((f) => GOLDEN_DIR + f).sort()).toEqual(files.map((f) => goldenPath(f)).sort());
    for (const f of files) expect(readGolden(goldenPath(f)) === goldenContent(f, SHARED), f).toBe(true);
  }, 120_000);
});
