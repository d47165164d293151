// The bundled CLI (scripts/build-cli.mjs): its chunks lie in dist/node/, so a module that finds the package's
// files by `new URL(…, import.meta.url)` must itself be in src/node/ (as host.ts with PACKAGE_ROOT, pool.ts with
// the worker files); one in a subfolder (src/node/commands/) would resolve one level off once bundled. And the
// built CLI, the bundle, runs from any directory.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const NODE_SRC = fileURLToPath(new URL("../src/node/", import.meta.url));
const BIN = fileURLToPath(new URL("../dist/node/cli.js", import.meta.url));
const PACKAGE = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

describe("the bundled CLI", () => {
  it("only modules directly in src/node/ resolve paths from import.meta.url", () => {
    const deeper = readdirSync(NODE_SRC, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith(".ts") && f.parentPath.replace(/[\\/]$/, "") !== NODE_SRC.replace(/[\\/]$/, ""))
      .map((f) => join(f.parentPath, f.name))
      .filter((p) => readFileSync(p, "utf8").includes("import.meta.url"));
    expect(deeper).toEqual([]);
  });

  it.skipIf(!existsSync(BIN))("is the bundle, and runs from another directory (needs npm run build)", () => {
    const cwd = tmpdir();
    const v = spawnSync(process.execPath, [BIN, "--version"], { cwd, encoding: "utf8" });
    expect(v.stdout.trim()).toBe(PACKAGE.version);
    expect(readFileSync(BIN, "utf8")).toMatch(/cli-[a-z0-9]+\.js/); // the bundle, not tsc's module
  });
});
