import { defineConfig } from "vitest/config";

// Tests call core modules directly; the core reads bundled data and the Wasm module through a host
// (src/core/host.ts), so every test file starts with the Node host installed.
export default defineConfig({ test: { setupFiles: ["src/node/host.ts"] } });
