// `cellfrac serve`: the static page (dist/web) on 127.0.0.1 with cross-origin isolation (COOP/COEP, so
// the fit workers share memory) and a Content-Security-Policy that allows no connection but to this origin.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkValue } from "../../core/registry.js";
import { PACKAGE_ROOT } from "../host.js";
import type { Command } from "./types.js";
import { listed } from "./index.js";

/** Sent with every response; the page carries the same policy as a meta tag for other static hosts. */
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' blob: data:; " +
  "style-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".tsv": "text/tab-separated-values; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** The package's dist/web (also when running from src/: tests, tsx). */
export function defaultWebRoot(): string {
  const dir = fileURLToPath(new URL("dist/web/", PACKAGE_ROOT));
  if (existsSync(join(dir, "index.html")) && existsSync(join(dir, "app"))) return dir;
  throw new Error("cellfrac: the page is not built (run npm run build)");
}

export interface ServeOptions {
  root?: string;
  /** 0 picks a free port. Default 8080. */
  port?: number;
  host?: string;
  /** Send COOP/COEP (default true). Off, the page runs as on a plain static host: transferred buffers. */
  isolate?: boolean;
}

/** Start the static server; resolves once listening. `url` is the page's address. */
export async function startServer(opts: ServeOptions = {}): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const root = resolve(opts.root ?? defaultWebRoot());
  const host = opts.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    const headers: Record<string, string> = {
      ...(opts.isolate === false
        ? {}
        : {
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Embedder-Policy": "require-corp",
            "Cross-Origin-Resource-Policy": "same-origin",
          }),
      "Content-Security-Policy": CSP,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-cache",
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...headers, Allow: "GET, HEAD" }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, headers).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": body.length });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port ?? 8080, host, () => ok());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  return {
    server,
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

export const serveCommand: Command = {
  ...listed("serve"),
  async run(args, io) {
    const { values } = parseArgs({ args, strict: true, options: { port: { type: "string" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      io.stdout(
        "Usage: cellfrac serve [--port N]\n\n" +
          "Serves the cellfrac page (dist/web) on 127.0.0.1 only, with COOP/COEP (shared memory for the\n" +
          "fit workers) and a Content-Security-Policy that allows no connection but to this server. Ctrl-C stops it.\n" +
          "  --port N   port (default 8080; 0 picks a free one)\n",
      );
      return 0;
    }
    const PORT = { name: "port", type: "integer", min: 0, max: 65535, help: "", hosts: ["cli"] } as const;
    const port = (checkValue(PORT, values.port) as number | undefined) ?? 8080;
    const { url, close } = await startServer({ port });
    io.stderr(`cellfrac serve: ${url} (Ctrl-C to stop)\n`);
    await new Promise<void>((ok) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void close().then(ok);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  },
};
