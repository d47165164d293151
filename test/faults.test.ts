// Faults and hostile input (issue 16): every output failure, bound and worker failure is one located line
// with the documented exit code, nothing partial is left behind. The issue's four crashes are the first
// cases, with their exact message shapes. Most cases call main() in-process; exit-code contracts that need
// a real process (stdout, signals of pipes, worker threads) spawn the built CLI.
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";
import { parseMatrix } from "../src/core/formats/read.js";
import { parseGeneSets } from "../src/core/genesets.js";
import { DEFAULT_LIMITS, setInputLimits, StreamGuard } from "../src/core/limits.js";
import { writeFileAtomic } from "../src/node/write.js";
import { formatDuration } from "../src/node/bounds.js";
import { FitFailure, recordSize, runFitsInProcess } from "../src/core/cibersort/fits.js";
import { coreAlgLayout } from "../src/core/kernels.js";
import { loadCore } from "../src/core/wasm.js";
import type { CibersortEngine } from "../src/core/cibersort/engine.js";
import { formatParquet } from "../src/core/formats/parquet.js";
import { injectFault } from "../src/core/cibersort/faults.js";

const CLI = new URL("../dist/node/cli.js", import.meta.url).pathname;
const isRoot = process.getuid?.() === 0;

async function run(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

/** The CLI as a process; `stdout` may be a file descriptor (e.g. /dev/full). */
function spawnCli(args: string[], opts: { env?: Record<string, string>; stdout?: number } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", opts.stdout ?? "pipe", "pipe"],
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout ?? "", err: r.stderr };
}

let dir: string;
let mixture: string;
let signature: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cellfrac-faults-"));
  // A small deterministic problem: 40 genes, 3 cell types, 6 samples (fits take milliseconds).
  const G = 40;
  const T = 3;
  const S = 6;
  let s = 7;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const sig = Array.from({ length: G }, () => Array.from({ length: T }, () => 1 + 100 * rnd()));
  const mix = Array.from({ length: G }, (_, g) => Array.from({ length: S }, () => sig[g].reduce((a, v) => a + v * rnd(), 0) + rnd()));
  signature = join(dir, "sig.tsv");
  mixture = join(dir, "mix.tsv");
  writeFileSync(signature, `${["gene\tA\tB\tC", ...sig.map((r, g) => `G${g}\t${r.join("\t")}`)].join("\n")}\n`);
  writeFileSync(
    mixture,
    [`gene\t${Array.from({ length: S }, (_, i) => `S${i + 1}`).join("\t")}`, ...mix.map((r, g) => `G${g}\t${r.join("\t")}`)].join("\n") +
      "\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  setInputLimits(DEFAULT_LIMITS);
});

const CIB = () => ["cibersort", mixture, "--signature", signature, "--perm", "4", "-q"];

describe("the issue's crashes", () => {
  it("-o into a directory that does not exist: exit 3, one line naming the path and the reason, nothing created", async () => {
    const out = join(dir, "no-such-dir", "x.tsv");
    const r = await run(...CIB(), "-o", out);
    expect(r.code).toBe(3);
    expect(r.err).toBe(`cellfrac: error: ${out}: cannot write: directory ${join(dir, "no-such-dir")} does not exist (ENOENT)\n`);
    expect(existsSync(join(dir, "no-such-dir"))).toBe(false);
  });

  it("stdout on a full disk (/dev/full): exit 3, one line, no Node stack", () => {
    const fd = openSync("/dev/full", "w");
    try {
      const r = spawnCli(CIB(), { stdout: fd });
      expect(r.code).toBe(3);
      expect(r.err).toBe("cellfrac: error: stdout: cannot write: no space left on the device (ENOSPC)\n");
    } finally {
      closeSync(fd);
    }
  });

  it("durations in limit messages: seconds up to years, two significant digits", () => {
    expect([59, 90, 3 * 86400, 8e9].map(formatDuration)).toEqual(["59 seconds", "1.5 minutes", "3 days", "250 years"]);
  });

  it("--perm 99999999999: exit 2 before any work, with the memory and time estimates and the way out", async () => {
    const r = await run(...CIB(), "--perm", "99999999999");
    expect(r.code).toBe(2);
    const parts = [
      /^cellfrac: --perm 99,999,999,999 needs [\d.]+ TiB for the permutation draws and fits /,
      /\(40 signature genes: [\d.]+ (bytes|KiB) each\) and at least 250 years of CPU time \(--solver libsvm\); /,
      /at most [\d,]+ fit in [\d.]+ [GMT]iB /,
      /\((half of this machine's [\d.]+ [GMT]iB; CELLFRAC_MAX_MEMORY raises it|CELLFRAC_MAX_MEMORY)\) /,
      /— CIBERSORT's P-values need 100 to 1,000\n$/,
    ];
    expect(r.err).toMatch(new RegExp(parts.map((p) => p.source).join("")));
  });

  it("a 1 MB gzip file whose second line inflates to 1 GiB: exit 3, 'line 2 is longer than 64 MiB', whole-file and streamed", () => {
    const bomb = join(dir, "bomb.tsv.gz");
    // gzip members concatenate: one 1 MiB member of '1's repeated 1024 times is a 1 GiB line in ~1 MB.
    const member = gzipSync(Buffer.alloc(1 << 20, 0x31), { level: 9 });
    writeFileSync(bomb, Buffer.concat([gzipSync("gene\ts1\nA\t"), ...Array.from({ length: 1024 }, () => member)]));
    const msg =
      `cellfrac: error: mixture ${bomb}: line 2 is longer than 64 MiB — not an expression table ` +
      `(raise the limit with CELLFRAC_MAX_LINE)\n`;
    for (const args of [
      ["cibersort", bomb, "--signature", signature, "-q"],
      ["nnls", bomb, "-q"],
    ]) {
      const r = spawnCli(args);
      expect(r.code, args[0]).toBe(3);
      expect(r.err).toBe(msg);
    }
  }, 120_000);
});

describe("output errors", () => {
  it("an existing output survives a failed write (disk full on a small tmpfs); the temp file is removed", (ctx) => {
    const mnt = join(dir, "full");
    mkdirSync(mnt);
    const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=8k", "tmpfs", mnt]);
    if (m.status !== 0) {
      ctx.skip(`needs root to mount a small tmpfs (mount said: ${String(m.stderr).trim()})`);
      return;
    }
    try {
      const out = join(mnt, "out.json");
      writeFileSync(out, "old\n");
      // fill what is left but a few hundred bytes: the table (~1 KB) cannot fit
      const fd = openSync(join(mnt, "fill"), "w");
      try {
        for (;;) writeSync(fd, Buffer.alloc(256));
      } catch {
        /* full */
      } finally {
        closeSync(fd);
      }
      truncateSync(join(mnt, "fill"), statSync(join(mnt, "fill")).size - 512);
      const r = spawnCli([...CIB(), "--perm", "0", "-o", out]);
      expect(r.code).toBe(3);
      expect(r.err).toBe(`cellfrac: error: ${out}: cannot write: no space left on the device (ENOSPC)\n`);
      expect(readFileSync(out, "utf8")).toBe("old\n");
      expect(readdirSync(mnt).sort()).toEqual(["fill", "out.json"]);
    } finally {
      spawnSync("umount", [mnt]);
    }
  }, 60_000);

  it("no permission on the output directory: exit 3 before the run", (ctx) => {
    const ro = join(dir, "readonly");
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    chmodSync(dir, 0o755);
    const out = join(ro, "x.tsv");
    if (!isRoot) {
      const r = spawnCli([...CIB(), "-o", out]);
      expect(r.code).toBe(3);
      expect(r.err).toBe(`cellfrac: error: ${out}: cannot write: permission denied (EACCES)\n`);
      return;
    }
    // root writes anywhere: run the CLI as "nobody" (uid 65534) when this machine allows it
    const args = [CLI, ...CIB(), "-o", out];
    chmodSync(mixture, 0o644);
    const r = spawnSync(process.execPath, args, { encoding: "utf8", uid: 65534, gid: 65534, timeout: 60_000 });
    if (r.error || /EACCES.*(cli|dist)|Cannot find module/.test(r.stderr)) {
      ctx.skip(`cannot run the CLI as uid 65534 here (${r.error?.message ?? r.stderr.split("\n")[0]})`);
      return;
    }
    expect(r.stderr).toBe(`cellfrac: error: ${out}: cannot write: permission denied (EACCES)\n`);
    expect(r.status).toBe(3);
  }, 60_000);

  it("-o naming a directory, or a path through a file: exit 3", async () => {
    const asDir = join(dir, "adir.tsv");
    mkdirSync(asDir);
    const r1 = await run(...CIB(), "-o", asDir);
    expect(r1.code).toBe(3);
    expect(r1.err).toBe(`cellfrac: error: ${asDir}: cannot write: is a directory (EISDIR)\n`);
    const r2 = await run(...CIB(), "-o", join(mixture, "x.tsv"));
    expect(r2.code).toBe(3);
    expect(r2.err).toBe(`cellfrac: error: ${join(mixture, "x.tsv")}: cannot write: a component of the path is not a directory (ENOTDIR)\n`);
  });

  it("stdout closed by the reader (EPIPE): exit 3, one line", async () => {
    const child = spawn(process.execPath, [CLI, ...CIB()], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // the reader is gone before the table is written
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((res) => child.on("close", res));
    expect(code).toBe(3);
    expect(err).toBe("cellfrac: error: stdout: cannot write: the reader closed the pipe (EPIPE)\n");
  }, 60_000);

  it("-o on a FIFO whose reader leaves: EPIPE named, no temp file beside it", async () => {
    const fifo = join(dir, "fifo.tsv");
    if (spawnSync("mkfifo", [fifo]).status !== 0) throw new Error("mkfifo failed");
    const reader = spawn("head", ["-c", "1", fifo], { stdio: ["ignore", "ignore", "ignore"] });
    const done = new Promise((res) => reader.on("close", res));
    expect(() => writeFileAtomic(fifo, "x".repeat(1 << 20))).toThrow(`${fifo}: cannot write: the reader closed the pipe (EPIPE)`);
    await done;
    expect(readdirSync(dir).filter((f) => f.startsWith("fifo"))).toEqual(["fifo.tsv"]);
  }, 30_000);

  it("two runs writing the same -o at once leave one complete file and no temp file", async () => {
    const out = join(dir, "same.tsv");
    const expected = (await run(...CIB())).out;
    const one = () =>
      new Promise<number | null>((res) => spawn(process.execPath, [CLI, ...CIB(), "-o", out], { stdio: "ignore" }).on("close", res));
    expect(await Promise.all([one(), one(), one()])).toEqual([0, 0, 0]);
    expect(readFileSync(out, "utf8")).toBe(expected);
    expect(readdirSync(dir).filter((f) => f.startsWith("same.tsv"))).toEqual(["same.tsv"]);
  }, 120_000);
});

describe("options bounded before work (exit 2)", () => {
  it("--threads beyond the memory its workers need", async () => {
    const r = await run(...CIB(), "--threads", "1000000");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^cellfrac: --threads 1,000,000 needs [\d.]+ TiB for the workers alone \(64 MiB each\); at most [\d,]+ in /);
    expect(r.err).toMatch(/ — more threads than cores gain nothing\n$/);
    expect(r.err.split("\n")).toHaveLength(2);
  });

  it("--perm beyond CELLFRAC_MAX_MEMORY; a bad CELLFRAC_MAX_MEMORY or limit variable is a usage error", () => {
    const r = spawnCli([...CIB(), "--perm", "100000"], { env: { CELLFRAC_MAX_MEMORY: "10M" } });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^cellfrac: --perm 100,000 needs [\d.]+ MiB .*; at most [\d,]+ fit in 10 MiB \(CELLFRAC_MAX_MEMORY\) — /);
    const bad = spawnCli(CIB(), { env: { CELLFRAC_MAX_MEMORY: "lots" } });
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(`cellfrac: CELLFRAC_MAX_MEMORY="lots" is not a positive size (e.g. 8G, 512M)\n`);
    const badLimit = spawnCli(CIB(), { env: { CELLFRAC_MAX_LINE: "-1" } });
    expect(badLimit.code).toBe(2);
    expect(badLimit.err).toBe(`cellfrac: CELLFRAC_MAX_LINE="-1" is not a positive size (e.g. 1000, 64M, 2G)\n`);
  }, 60_000);

  it("serve --port out of range", async () => {
    const r = await run("serve", "--port", "70000");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^cellfrac: --port .*65535.*\n$/); // the registry's bound
  });
});

describe("inputs bounded (exit 3, located)", () => {
  it("a line over CELLFRAC_MAX_LINE, from the CLI (streamed) and parseMatrix (whole)", () => {
    const long = join(dir, "long.tsv");
    writeFileSync(long, `gene\ts1\nA\t1\nB\t${"2".repeat(5000)}\n`);
    const r = spawnCli(["nnls", long, "-q"], { env: { CELLFRAC_MAX_LINE: "4K" } });
    expect(r.code).toBe(3);
    expect(r.err).toBe(
      `cellfrac: error: mixture ${long}: line 3 is longer than 4 KiB — not an expression table (raise the limit with CELLFRAC_MAX_LINE)\n`,
    );
    setInputLimits({ maxLineBytes: 4096 });
    expect(() => parseMatrix(readFileSync(long), { name: "long.tsv" })).toThrow(
      "long.tsv: line 3 is longer than 4 KiB — not an expression table (raise the limit with CELLFRAC_MAX_LINE)",
    );
  }, 60_000);

  it("line counting through CR, CRLF and chunk boundaries", () => {
    setInputLimits({ maxLineBytes: 8 });
    const text = Buffer.from("a\r\nbb\rccc\n\r\nddddddddd\n");
    for (const cut of [1, 2, 3, 5, 7, 64]) {
      const g = new StreamGuard("f", { lines: true });
      expect(() => {
        for (let i = 0; i < text.length; i += cut) g.push(text.subarray(i, i + cut));
      }).toThrow("f: line 5 is longer than 8 bytes");
    }
  });

  it("line counting after long lines (their searches go through the Buffer's indexOf), with CR, CRLF and without", () => {
    setInputLimits({ maxLineBytes: 4096 });
    const texts = [
      `${"x".repeat(3000)}\r\n${"y".repeat(2500)}\r${"z".repeat(10)}\n${"w".repeat(5000)}\n`,
      `${"x".repeat(3000)}\n${"y".repeat(2500)}\n${"z".repeat(10)}\n${"w".repeat(5000)}\n`,
    ];
    for (const t of texts) {
      const text = Buffer.from(t);
      for (const cut of [1000, 3001, 4096, 65536]) {
        const g = new StreamGuard("f", { lines: true });
        expect(() => {
          for (let i = 0; i < text.length; i += cut) g.push(text.subarray(i, i + cut));
        }).toThrow("f: line 4 is longer than 4 KiB");
      }
    }
  });

  it("decompressed size over CELLFRAC_MAX_FILE (whole-file gunzip and the stream)", () => {
    const gz = join(dir, "big.tsv.gz");
    writeFileSync(gz, gzipSync(`gene\ts1\n${Array.from({ length: 200_000 }, (_, i) => `G${i}\t1\n`).join("")}`));
    const msg = "the decompressed data exceeds the limit of 1 MiB (raise it with CELLFRAC_MAX_FILE)";
    setInputLimits({ maxFileBytes: 2 ** 20 });
    expect(() => parseMatrix(readFileSync(gz), { name: "big.tsv.gz" })).toThrow(`big.tsv.gz: ${msg}`);
    const r = spawnCli(["nnls", gz, "-q"], { env: { CELLFRAC_MAX_FILE: "1M" } });
    expect(r.code).toBe(3);
    expect(r.err).toBe(`cellfrac: error: mixture ${gz}: ${msg}\n`);
  }, 60_000);

  it("rows and columns over the limits; a Parquet footer declaring more rows than allowed", () => {
    setInputLimits({ maxRows: 3, maxColumns: 2 });
    expect(() => parseMatrix("gene\ta\nA\t1\nB\t2\nC\t3\nD\t4\n", { name: "m.tsv" })).toThrow(
      "m.tsv: 4 data rows exceeds the limit of 3 (raise it with CELLFRAC_MAX_ROWS)",
    );
    expect(() => parseMatrix("gene\ta\tb\tc\nA\t1\t2\t3\n", { name: "m.tsv" })).toThrow(
      "m.tsv: 3 columns exceeds the limit of 2 (raise it with CELLFRAC_MAX_COLUMNS)",
    );
    setInputLimits(DEFAULT_LIMITS);
    const pq = formatParquet("gene", ["s1"], ["A", "B", "C", "D"], (r) => r + 1);
    setInputLimits({ maxRows: 3 });
    expect(() => parseMatrix(pq, { name: "m.parquet" })).toThrow(
      "m.parquet: 4 data rows exceeds the limit of 3 (raise it with CELLFRAC_MAX_ROWS)",
    );
  });

  it("a gene set over the gene limit, and a GMT line over the line limit", () => {
    setInputLimits({ maxSetGenes: 3 });
    expect(() => parseGeneSets("S\tdesc\ta\tb\tc\td\n", { format: "gmt", name: "s.gmt" })).toThrow(
      `s.gmt:1: gene set "S"'s size exceeds the limit of 3 genes (raise it with CELLFRAC_MAX_SET_GENES)`,
    );
    setInputLimits({ maxSetGenes: DEFAULT_LIMITS.maxSetGenes, maxLineBytes: 16 });
    expect(() => parseGeneSets("S\tdesc\ta\nT\tdesc\tabcdefghijklmnopq\n", { format: "gmt", name: "s.gmt" })).toThrow(
      "s.gmt: line 2 is longer than 16 bytes — not a gene-set file (raise the limit with CELLFRAC_MAX_LINE)",
    );
  });

  it("a cell over the cell limit (careful parser)", () => {
    setInputLimits({ maxCellBytes: 10 });
    expect(() => parseMatrix('gene\ts1\n"A"\t12345678901234\n', { name: "m.tsv" })).toThrow(
      "m.tsv:2:2: a cell of 14 characters exceeds the limit of 10 bytes (raise it with CELLFRAC_MAX_CELL)",
    );
  });
});

describe("worker failures stop the run cleanly", () => {
  // CELLFRAC_TEST_FAULT=<kind>@<vector>[+<n>ms],…: vectors are the 4 permutations, then samples S1…S6.
  for (const [fault, msg] of [
    ["throw@5", /^cellfrac: error: cibersort: the fit of sample "S2" failed: Error: injected fault\n$/],
    ["trap@2", /^cellfrac: error: cibersort: the fit of permutation 3 failed: WebAssembly trap: unreachable\n$/],
    [
      "oom@7",
      new RegExp(
        /^cellfrac: error: cibersort: the fits? of (permutation \d|sample "S\d")( to .* \(one worker's chunk\))? failed: /.source +
          /a fit worker failed: out of memory: .*\n$/.source,
      ),
    ],
  ] as const) {
    it(`${fault.split("@")[0]} in a worker: exit 1, method and sample named, no output written`, () => {
      const out = join(dir, `fault-${fault.split("@")[0]}.tsv`);
      const r = spawnCli([...CIB(), "--threads", "2", "-o", out], { env: { CELLFRAC_TEST_FAULT: fault } });
      expect(r.err).toMatch(msg);
      expect(r.code).toBe(1);
      expect(readdirSync(dir).filter((f) => f.startsWith("fault-"))).toEqual([]);
    }, 120_000);
  }

  it("two chunks fail: the lower vector is named though it fails last, and the pool waits for it", () => {
    // Chunks are one vector here. Vector 5 (S2) fails 1 s after vector 6 (S3) on the other worker: a pool that
    // reports the first failure in time names S3 (and terminated a busy worker, which could crash the process).
    const out = join(dir, "fault-two.tsv");
    const r = spawnCli([...CIB(), "--threads", "2", "-o", out], { env: { CELLFRAC_TEST_FAULT: "throw@5+1000ms,trap@6" } });
    expect(r.err).toMatch(/^cellfrac: error: cibersort: the fit of sample "S2" failed: Error: injected fault\n$/);
    expect(r.code).toBe(1);
    expect(readdirSync(dir).filter((f) => f.startsWith("fault-"))).toEqual([]);
  }, 120_000);

  it("the hook is inert when unset: the same run succeeds", () => {
    const r = spawnCli([...CIB(), "--threads", "2"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Mixture\t/);
  }, 60_000);

  it("the hook: a task fails at its lowest listed vector, n ms late with +<n>ms; other tasks are untouched", () => {
    const oom = (): never => {
      throw new Error("the host's oom");
    };
    const spec = "throw@9,trap@7+50ms";
    expect(() => injectFault(spec, 0, 7, oom)).not.toThrow(); // vectors 0-6
    const t0 = Date.now();
    const e = (() => {
      try {
        injectFault(spec, 6, 4, oom); // vectors 6-9 hold 7 and 9
      } catch (x) {
        return x;
      }
    })();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
    expect(e).toBeInstanceOf(FitFailure);
    expect(e).toMatchObject({ first: 1, last: 1, reason: "WebAssembly trap: unreachable" });
    expect(() => injectFault("oom@3", 3, 1, oom)).toThrow("the host's oom");
  });

  it("in this thread, a failing fit is a FitFailure naming its vector in the whole batch", async () => {
    // the 6th fit (vector 5, in the second chunk of 4) traps
    let calls = 0;
    const layout = coreAlgLayout((await loadCore()).x); // the block layout the module exports
    const block = new Float64Array(layout.size(1));
    const engine = {
      layout,
      standardize: (v: Float64Array, z: Float64Array) => (z.set(v), 1),
      fitBlock: () => {
        if (++calls === 6) throw new WebAssembly.RuntimeError("unreachable");
        return block;
      },
    } as unknown as CibersortEngine;
    const problem = { runId: "t", x: new Float64Array(2), G: 2, T: 1, recordSize: recordSize(layout, 1) };
    const failure = await runFitsInProcess(problem, new Float64Array(20), () => engine, {
      chunkSize: 4,
    }).catch((e) => e);
    expect(failure).toBeInstanceOf(FitFailure);
    expect(failure).toMatchObject({ first: 5, last: 5, reason: "WebAssembly trap: unreachable" });
  });
});
