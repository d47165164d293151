// All cellfrac commands, in the order `cellfrac --help` lists them.
import { cibersortCommand } from "./cibersort.js";
import { demoCommand } from "./demo.js";
import { nnlsCommand } from "./nnls.js";
import { scoreCommand } from "./score.js";
import { serveCommand } from "./serve.js";
import type { Command } from "./types.js";

export const COMMANDS: Command[] = [cibersortCommand, nnlsCommand, scoreCommand, demoCommand, serveCommand];
