// The method registry (src/core/registry.ts): its schema is consistent, parseOptions gives every host the
// same defaults and the same messages, each command's --help lists the schema's options, the Node API's
// runMethod writes what the CLI writes, and no other source file switches over method names.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { methodTableJson, methodTableTsv } from "../src/core/formats/results.js";
import { type Host, METHODS, type OptionSpec, checkValue, flagOf, keyOf, methodByName, parseOptions } from "../src/core/registry.js";
import { runMethod } from "../src/node/index.js";
import { cli } from "./helpers/cli.js";

const EXAMPLE = new URL("../data/example/scanb20_log2fpkm.tsv.gz", import.meta.url).pathname;
const HOSTS: Host[] = ["cli", "api", "page"];

/** The UsageError message parseOptions throws, or "" when it accepts. */
function message(method: string, raw: Record<string, unknown>, host: Host): string {
  try {
    parseOptions(methodByName(method), raw, host);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

describe("schema", () => {
  it("method names are unique; every option has help, hosts, and a default that passes its own check", () => {
    expect(new Set(METHODS.map((m) => m.name)).size).toBe(METHODS.length);
    for (const m of METHODS) {
      expect(new Set(m.options.map((o) => o.name)).size, m.name).toBe(m.options.length);
      for (const o of m.options) {
        expect(o.help.length, `${m.name} ${o.name}`).toBeGreaterThan(0);
        expect(o.hosts.length, `${m.name} ${o.name}`).toBeGreaterThan(0);
        if (o.default !== undefined) expect(checkValue(o, o.default), `${m.name} ${o.name}`).toBe(o.default);
        if (o.hosts.includes("page")) expect(o.page, `${m.name} ${o.name} is shown on the page without a control`).toBeDefined();
      }
    }
  });

  it("a page control shared by methods stands for the same kind of option", () => {
    const byId = new Map<string, OptionSpec>();
    for (const m of METHODS) {
      for (const o of m.options) {
        if (!o.page) continue;
        const first = byId.get(o.page.id) ?? o;
        byId.set(o.page.id, first);
        expect([o.name, o.type], `${m.name}: #${o.page.id}`).toEqual([first.name, first.type]);
      }
    }
  });
});

describe("parseOptions", () => {
  it("fills the defaults the same for every host", () => {
    for (const host of HOSTS) {
      const v = parseOptions(methodByName("cibersort"), {}, host);
      expect(v).toMatchObject({ signature: "LM22", perm: 100, seed: 1, qn: false, solver: "libsvm", scale: "auto", duplicates: "error" });
      expect(v.absolute).toBeUndefined();
      expect(parseOptions(methodByName("mcpcounter"), {}, host)).toMatchObject({ geneSets: "MCPcounter", transform: "none" });
      expect(parseOptions(methodByName("ssgsea"), { geneSets: "Danaher" }, host).normalize).toBe(true);
    }
  });

  it("takes integers as text (CLI, page) or numbers (API), within their range", () => {
    expect(parseOptions(methodByName("cibersort"), { perm: "7", seed: -3 }, "api")).toMatchObject({ perm: 7, seed: -3 });
    expect(message("cibersort", { perm: "-1" }, "cli")).toBe('--perm takes an integer ≥ 0; got "-1"');
    expect(message("cibersort", { perm: "" }, "page")).toBe('--perm takes an integer ≥ 0; got ""');
    expect(message("cibersort", { perm: 2.5 }, "api")).toBe('--perm takes an integer ≥ 0; got "2.5"');
    expect(message("cibersort", { seed: "2147483648" }, "cli")).toBe(
      '--seed takes an integer from -2147483647 to 2147483647; got "2147483648"',
    );
    expect(message("cibersort", { seed: "-2147483647" }, "cli")).toBe("");
  });

  it("words each problem once, whichever host asks", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["nnls", { scale: "ln" }, '--scale takes auto, linear or log2; got "ln"'],
      ["quantiseq", { duplicates: "sum" }, '--duplicates takes error, first, mean or max; got "sum"'],
      ["cibersort", { solver: "fast" }, '--solver takes libsvm or exact; got "fast"'],
      ["ssgsea", {}, "--method ssgsea needs --gene-sets (a .gmt/.tsv file, ESTIMATE, MCPcounter or Danaher)"],
      ["mean", { geneSets: "x.gmt", setColumn: "set" }, "--set-column/--gene-column apply to TSV gene-set files, not GMT"],
      ["epic", { mrnaScaling: false, mrnaProportions: true }, "--no-mrna-scaling and --mrna-proportions give the same numbers; use one"],
    ];
    for (const [method, raw, want] of cases) for (const host of HOSTS) expect(message(method, raw, host), `${method} ${host}`).toBe(want);
  });

  it("refuses options the method or the host does not take, naming the methods that do", () => {
    const score = METHODS.filter((m) => m.kind === "scores");
    expect(() => parseOptions(methodByName("mean"), { geneSets: "Danaher", normalize: false }, "cli", score)).toThrow(
      "--no-normalize applies to --method ssgsea only",
    );
    expect(message("cibersort", { threads: "2" }, "page")).toBe('cibersort has no option "threads"');
    expect(message("nnls", { perm: 3 }, "api")).toBe('nnls has no option "perm"');
    expect(() => methodByName("gsva")).toThrow(
      '--method takes cibersort, nnls, quantiseq, epic, ssgsea, singscore, mcpcounter, estimate, mean, zscore or pc1; got "gsva"',
    );
  });
});

describe("hosts", () => {
  it("each command's --help lists every CLI option of its methods, spelled as parsed", async () => {
    const commands: [string, string[]][] = [
      ["cibersort", ["cibersort"]],
      ["nnls", ["nnls"]],
      ["epic", ["epic"]],
      ["quantiseq", ["quantiseq"]],
      ["score", METHODS.filter((m) => m.kind === "scores").map((m) => m.name)],
    ];
    for (const [command, methods] of commands) {
      const help = (await cli(command, "--help")).out;
      for (const name of methods) {
        if (command === "score") expect(help, name).toMatch(new RegExp(`^  ${name} `, "m"));
        for (const o of methodByName(name).options.filter((x) => x.hosts.includes("cli")))
          expect(help, `${command} ${o.name}`).toContain(`  ${flagOf(o)}`);
      }
    }
  });

  it("every CLI option of a method is accepted by its command (a parse error would exit 2 before reading)", async () => {
    // A mixture that does not exist: a run that got past option parsing fails reading it (exit 3).
    const values: Record<string, string> = {
      signature: "LM22",
      "gene-sets": "Danaher",
      reference: "TRef",
      "epic-data": "x",
      "set-column": "a",
      "gene-column": "b",
    };
    for (const m of METHODS) {
      const args = m.options
        .filter((o) => o.hosts.includes("cli"))
        .flatMap((o) =>
          o.type === "boolean" ? (o.name === "mrna-scaling" && m.name === "epic" ? [] : [flagOf(o)]) : [flagOf(o), valueFor(o, values)],
        );
      const command = m.kind === "scores" ? ["score", "--method", m.name] : [m.name];
      const r = await cli(...command, "no-such-mixture.tsv", ...args);
      expect([r.code, r.err.split("\n")[0]], `${m.name} ${args.join(" ")}`).toEqual([3, expect.stringMatching(/no-such-mixture\.tsv/)]);
    }
  });

  it("the Node API's runMethod gives the CLI's output for the same options", async () => {
    for (const [method, options, args] of [
      ["ssgsea", { geneSets: "Danaher", normalize: false }, ["score", "--method", "ssgsea", "--gene-sets", "Danaher", "--no-normalize"]],
      ["nnls", { scale: "log2", coefficients: true }, ["nnls", "--scale", "log2", "--coefficients"]],
    ] as [string, Record<string, unknown>, string[]][]) {
      const out = await runMethod(method, EXAMPLE, options);
      expect((await cli(...args, EXAMPLE, "-q")).out, method).toBe(methodTableTsv(out.table));
      expect(methodTableJson(out.table)).toMatch(new RegExp(`"method": "${method}"`));
    }
    await expect(runMethod("nnls", EXAMPLE, { scale: "ln" })).rejects.toThrow('--scale takes auto, linear or log2; got "ln"');
  }, 60_000); // the first run reads the gene table (docs/genes.md): seconds on a busy machine
});

describe("one registry", () => {
  it("no source file outside the registry and the method modules branches on a method's name", () => {
    const names = METHODS.map((m) => m.name).join("|");
    const branch = new RegExp(`(case |method\\s*[!=]==?\\s*)"(${names})"`);
    const root = new URL("../src/", import.meta.url).pathname;
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) =>
        statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith(".ts") ? [join(dir, f)] : [],
      );
    const offenders = files(root)
      .filter((f) => !f.endsWith("core/registry.ts") && !f.includes("core/methods/"))
      .filter((f) => branch.test(readFileSync(f, "utf8")))
      .map((f) => f.slice(root.length));
    expect(offenders).toEqual([]);
  });
});

/** A valid CLI value for an option: its default, first choice, minimum, or a stand-in. */
function valueFor(o: OptionSpec, values: Record<string, string>): string {
  if (o.type === "choice") return o.default ?? o.choices[0];
  if (o.type === "integer") return String(o.default ?? o.min);
  return values[o.name] ?? String(o.default ?? keyOf(o.name));
}
