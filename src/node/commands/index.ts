// All cellfrac commands, in the order `cellfrac --help` lists them.
import { cibersortCommand } from "./cibersort.js";
import { compareCommand } from "./compare.js";
import { demoCommand } from "./demo.js";
import { epicCommand } from "./epic.js";
import { nnlsCommand } from "./nnls.js";
import { quantiseqCommand } from "./quantiseq.js";
import { reportCommand } from "./report.js";
import { scoreCommand } from "./score.js";
import { serveCommand } from "./serve.js";
import { statsCommand } from "./stats.js";
import type { Command } from "./types.js";

export const COMMANDS: Command[] = [cibersortCommand, nnlsCommand, epicCommand, quantiseqCommand, scoreCommand, compareCommand, statsCommand, reportCommand, demoCommand, serveCommand];
