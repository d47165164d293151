// The command list (src/node/commands/index.ts) is the one place a command's name, usage and summary are
// written: every listed module must load a Command that agrees with its entry, and every command module in
// the folder must be listed — so a command added or renamed on one side only fails here.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/node/commands/index.js";
import type { Command } from "../src/node/commands/types.js";
import { main } from "../src/node/cli.js";

const DIR = new URL("../src/node/commands/", import.meta.url);
const isCommand = (x: unknown): x is Command =>
  typeof x === "object" && x !== null && typeof (x as Command).run === "function" && typeof (x as Command).name === "string";

describe("the command list and the command modules agree", () => {
  it("names are unique and every entry loads a Command with its own name, usage and summary", async () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const entry of COMMANDS) {
      const cmd = await entry.load();
      expect({ name: cmd.name, usage: cmd.usage, summary: cmd.summary }, entry.name).toEqual({
        name: entry.name,
        usage: entry.usage,
        summary: entry.summary,
      });
      expect(entry.usage.startsWith(`cellfrac ${entry.name}`), entry.usage).toBe(true);
    }
  });

  it("every command exported from src/node/commands/ is listed", async () => {
    const found: string[] = [];
    for (const f of readdirSync(DIR).filter((f) => f.endsWith(".ts"))) {
      const mod = (await import(new URL(f, DIR).href)) as Record<string, unknown>;
      for (const x of Object.values(mod)) if (isCommand(x)) found.push(x.name);
    }
    expect(found.sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it("cellfrac --help shows each usage line once, in the list's order", async () => {
    let out = "";
    expect(await main(["--help"], { stdout: (s) => void (out += s), stderr: () => {}, isTTY: false })).toBe(0);
    const at = COMMANDS.map((c) => out.indexOf(`  ${c.usage} `));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const c of COMMANDS) expect(out.split(`  ${c.usage} `)).toHaveLength(2);
  });
});
