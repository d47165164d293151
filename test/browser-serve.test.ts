// `cellfrac serve`: the built page on 127.0.0.1 with COOP/COEP and the no-network CSP, right MIME types
// (compileStreaming needs application/wasm), nothing outside dist/web, and a clean stop on SIGTERM.
import { spawn } from "node:child_process";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { main } from "../src/node/cli.js";

const CLI = new URL("../dist/node/cli.js", import.meta.url).pathname;

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise "/../"). */
function get(url: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (d) => (body += d));
      res.on("end", () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

describe("cellfrac serve", () => {
  it("serves the page with isolation and CSP headers, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let err = "";
        child.stderr.on("data", (d) => {
          err += d;
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(err);
          if (m) ok(m[0]);
        });
        child.on("exit", (code) => fail(new Error(`serve exited ${code}: ${err}`)));
      });
      const page = await get(url, "/");
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.headers["cross-origin-opener-policy"]).toBe("same-origin");
      expect(page.headers["cross-origin-embedder-policy"]).toBe("require-corp");
      const csp = String(page.headers["content-security-policy"]);
      expect(csp).toMatch(/connect-src 'self'/);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).not.toMatch(/https?:/);
      expect(page.body).toMatch(/data-testid="mixture-input"/);
      expect(page.body).toMatch(/http-equiv="Content-Security-Policy"/); // for static hosts without headers
      expect((await get(url, "/build/cellfrac.wasm")).headers["content-type"]).toBe("application/wasm");
      expect((await get(url, "/app/browser/page/page.js")).headers["content-type"]).toMatch(/^text\/javascript/);
      expect([403, 404]).toContain((await get(url, "/../package.json")).status); // never the file outside dist/web
      expect([403, 404]).toContain((await get(url, "/%2e%2e/%2e%2e/package.json")).status);
      expect([403, 404]).toContain((await get(url, "/app/..%2f..%2f..%2fpackage.json")).status);
      expect((await get(url, "/no-such-file")).status).toBe(404);
      const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);

  it("a bad port is a usage error (exit 2)", async () => {
    let err = "";
    const code = await main(["serve", "--port", "http"], { stdout: () => {}, stderr: (s) => (err += s), isTTY: false });
    expect(code).toBe(2);
    expect(err).toMatch(/--port takes an integer/);
  });
});
