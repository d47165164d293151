// test/golden holds copies of the steering repository's shared/ files (test/golden/extract.mjs). Where shared/
// is beside the repository, every copy must still equal its source, so the two cannot drift apart; in a
// clone with nothing beside it the check is skipped, and the golden files alone drive the suite.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR, goldenContent, goldenFiles, goldenPath } from "./golden/extract.mjs";
import { SHARED, hasShared, readGolden } from "./helpers/reference.js";

const shared = hasShared();

describe("test/golden", () => {
  // extract.mjs owns data/ and reference/ (other folders, e.g. stats/, hold goldens made otherwise).
  const extracted = () =>
    ["data", "reference"].flatMap((d) =>
      readdirSync(GOLDEN_DIR + d, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name)),
    );

  it("data/ and reference/ hold only gzipped files", () => {
    expect(extracted().filter((f) => !f.endsWith(".gz"))).toEqual([]);
  });

  it.skipIf(!shared)(
    `every file equals its source in ../shared${shared ? "" : " (skipped: no ../shared beside the repository)"}`,
    () => {
      const files = goldenFiles(SHARED);
      expect(extracted().sort()).toEqual(files.map((f) => goldenPath(f)).sort());
      for (const f of files) expect(readGolden(goldenPath(f)) === goldenContent(f, SHARED), f).toBe(true);
    },
    120_000,
  );
});
