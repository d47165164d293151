// Progress on stderr: a redrawn bar with ETA on a terminal, one summary line otherwise.

export interface Progress {
  update: (done: number, total: number) => void;
  done: () => void;
}

const REDRAW_MS = 100; // at most ten redraws a second

export function createProgress(write: (s: string) => void, isTTY: boolean, unit: string): Progress {
  const start = performance.now();
  let last = 0;
  let lastDone = 0;
  let lastTotal = 0;
  return {
    update(done, total) {
      lastDone = done;
      lastTotal = total;
      if (!isTTY) return;
      const now = performance.now();
      if (now - last < REDRAW_MS && done < total) return;
      last = now;
      const frac = total > 0 ? done / total : 1;
      const width = 30;
      const fill = Math.round(frac * width);
      const elapsed = (now - start) / 1000;
      const eta = done > 0 ? (elapsed * (total - done)) / done : NaN;
      write(
        `\r[${"#".repeat(fill)}${" ".repeat(width - fill)}] ${done}/${total} ${unit} ${(100 * frac).toFixed(0)}%` +
          (Number.isFinite(eta) ? ` ETA ${eta.toFixed(0)}s ` : ""),
      );
    },
    done() {
      const secs = ((performance.now() - start) / 1000).toFixed(1);
      write(`${isTTY ? "\r\x1b[K" : ""}cellfrac: ${lastDone}/${lastTotal} ${unit} in ${secs} s\n`);
    },
  };
}
