// `cellfrac <args>` in this process (the CLI's own parsing, reading and writers): exit code, stdout, stderr.
import { main } from "../../src/node/cli.js";

export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: false });
  return { code, out, err };
}
