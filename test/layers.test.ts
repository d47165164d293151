// The layers of src/ (see README): src/core is pure (no node: module, no `process`, no DOM, no host), and
// neither host (src/node, src/browser) imports the other. Every import is read: static, re-export,
// side-effect and dynamic import().
import { readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");

type Layer = "core" | "node" | "browser" | "other";

function layerOf(path: string): Layer {
  const top = relative(SRC, path).split(/[\\/]/)[0];
  return top === "core" || top === "node" || top === "browser" ? top : "other";
}

const STRING_OR_COMMENT = /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;
const blank = (m: string) => m.replace(/[^\n]/g, " ");

/** Comments blanked out (strings kept, they name the modules), so prose that mentions node: is not an import. */
function stripComments(code: string): string {
  return code.replace(STRING_OR_COMMENT, (m, str) => str ?? blank(m));
}

/** Comments and string contents blanked out: what runs (a script kept in a string, e.g. for an HTML page, does not). */
function codeOnly(code: string): string {
  return code.replace(STRING_OR_COMMENT, (m, str) => (str ? str[0] + blank(str.slice(1, -1)) + str.slice(-1) : blank(m)));
}

/** Module specifiers of every import / export-from / import() in the code. */
export function importsOf(code: string): string[] {
  const c = stripComments(code);
  const from = /\b(?:import|export)\b[^;"'`()]*?\bfrom\s*["']([^"']+)["']/g;
  const bare = /\bimport\s*["']([^"']+)["']/g;
  const dynamic = /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g;
  return [from, bare, dynamic].flatMap((re) => [...c.matchAll(re)].map((m) => m[1]));
}

/** The rule violations of one file (path under src/, code). */
export function violations(path: string, code: string): string[] {
  const from = layerOf(path);
  const out: string[] = [];
  const where = relative(ROOT, path);
  for (const spec of importsOf(code)) {
    if (spec.startsWith(".")) {
      const to = layerOf(resolve(dirname(path), spec));
      if (from === "core" && (to === "node" || to === "browser")) out.push(`${where}: the core imports the ${to} host (${spec})`);
      const hosts = (from === "node" && to === "browser") || (from === "browser" && to === "node");
      if (hosts) out.push(`${where}: the ${from} host imports the ${to} host (${spec})`);
    } else if (from === "core" && isBuiltin(spec)) out.push(`${where}: the core imports Node's ${spec}`);
    else if (from === "browser" && isBuiltin(spec)) out.push(`${where}: the browser host imports Node's ${spec}`);
  }
  if (from === "core") {
    const c = codeOnly(code);
    if (/\bprocess\s*\.|\bprocess\s*\[/.test(c)) out.push(`${where}: the core reads process`);
    if (/\b(?:document|window|localStorage|navigator)\s*\./.test(c)) out.push(`${where}: the core touches the DOM`);
    if (/\brequire\s*\(/.test(c)) out.push(`${where}: the core calls require()`);
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

describe("layers", () => {
  const files = sources(SRC);

  it("reads the tree (every layer has files)", () => {
    for (const l of ["core", "node", "browser"] as const) expect(files.filter((f) => layerOf(f) === l).length).toBeGreaterThan(3);
  });

  it("src/core imports no host and no node: module, reads no process, touches no DOM; no host imports the other", () => {
    expect(files.flatMap((f) => violations(f, readFileSync(f, "utf8")))).toEqual([]);
  });

  it("catches each kind of violation (the rules above can fail)", () => {
    const core = join(SRC, "core/methods/x.ts");
    const found = (path: string, code: string) => violations(path, code).length;
    expect(found(core, 'import { readFileSync } from "node:fs";')).toBe(1);
    expect(found(core, 'import fs from "fs";')).toBe(1);
    expect(found(core, 'export { DATA } from "../../node/data.js";')).toBe(1);
    expect(found(core, 'const z = await import("node:zlib");')).toBe(1);
    expect(found(core, 'import "../../browser/host.js";')).toBe(1);
    expect(found(core, "const dir = process.env.X;")).toBe(1);
    expect(found(core, "document.title = 'x';")).toBe(1);
    expect(found(core, "const page = `<script>document.title = 1</script>`;")).toBe(0); // a string is not code
    expect(found(join(SRC, "browser/x.ts"), 'import { main } from "../node/cli.js";')).toBe(1);
    expect(found(join(SRC, "node/x.ts"), 'import { preloadData } from "../browser/host.js";')).toBe(1);
    // Allowed: the core importing the core or a package; prose in comments; hosts importing the core.
    const allowed = [
      "// reads node:fs? no: process.env is the host's",
      'import { tableFromIPC } from "apache-arrow";',
      'import { x } from "../matrix.js";',
    ].join("\n");
    expect(found(core, allowed)).toBe(0);
    expect(found(join(SRC, "node/x.ts"), 'import { readFileSync } from "node:fs";\nimport { x } from "../core/matrix.js";')).toBe(0);
  });
});
