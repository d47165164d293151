/** Table text: exact number formatting and TSV tables. */

/**
 * Shortest text that parses back to the same double (JS String semantics), with R's spellings for the
 * non-finite values. -0 is written "-0" so that it round-trips too.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0 && 1 / x < 0) return "-0";
  return String(x);
}

/** TSV: header `firstHeader<TAB>col…`, one line per row, LF endings, trailing newline. */
export function formatTable(firstHeader: string, colNames: string[], rowNames: string[], values: (r: number, c: number) => number): string {
  // A tab or line break inside a name would silently shift or split the table.
  for (const s of [firstHeader, ...colNames, ...rowNames]) {
    if (/[\t\r\n]/.test(s)) throw new RangeError(`name contains a tab or line break: ${JSON.stringify(s)}`);
  }
  const nc = colNames.length;
  const lines = new Array<string>(rowNames.length + 1);
  lines[0] = [firstHeader, ...colNames].join("\t");
  const cells = new Array<string>(nc + 1);
  for (let r = 0; r < rowNames.length; r++) {
    cells[0] = rowNames[r];
    for (let c = 0; c < nc; c++) cells[c + 1] = formatNumber(values(r, c));
    lines[r + 1] = cells.join("\t");
  }
  return `${lines.join("\n")}\n`;
}
