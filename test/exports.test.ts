// The package's exports: "." (Node API) and "./browser" (core + web-worker runner), each with types, and
// "./browser" bundles for the browser with no Node built-in (esbuild --bundle --platform=browser).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { types: string; default: string }> };

/** The TypeScript source of a dist/ module (dist/browser/index.js ← src/browser/index.ts). */
const sourceOf = (dist: string) => dist.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts");

/** Bundles `entry` as esbuild does for a browser app; returns the Node built-ins the graph reached. */
async function browserBundle(entry: string): Promise<string[]> {
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    platform: "browser",
    format: "esm",
  });
  return Object.values(r.metafile?.inputs ?? {})
    .flatMap((i) => i.imports.map((m) => m.path))
    .filter((p) => p.startsWith("node:"));
}

describe("package exports", () => {
  it('"." and "./browser", each with types and a module from src/', () => {
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining([".", "./browser"]));
    for (const key of [".", "./browser"]) {
      const e = pkg.exports[key];
      expect(e.types).toBe(e.default.replace(/\.js$/, ".d.ts"));
      expect(existsSync(join(ROOT, sourceOf(e.default))), sourceOf(e.default)).toBe(true);
    }
  });

  it('"./browser" bundles for the browser without any node: built-in', async () => {
    expect(await browserBundle(sourceOf(pkg.exports["./browser"].default))).toEqual([]);
    const built = join(ROOT, pkg.exports["./browser"].default);
    // The built module too, when `npm run build` has run (npm test builds first).
    if (existsSync(built)) expect(await browserBundle(built)).toEqual([]);
  });

  it("the check can fail: the Node API reaches node: built-ins", async () => {
    await expect(browserBundle(sourceOf(pkg.exports["."].default))).rejects.toThrow(/node:/);
  });
});
