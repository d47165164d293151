// Small DOM helpers the page's modules share (page.ts, analysis.ts).

/** Fills a table with a TSV's own text, cell for cell (full double precision, as the CLI writes it). */
export function fillTable(table: HTMLTableElement, tsv: string): void {
  const lines = tsv.replace(/\n$/, "").split("\n");
  const thead = document.createElement("thead");
  const hr = document.createElement("tr");
  for (const h of lines[0].split("\t")) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    hr.append(th);
  }
  thead.append(hr);
  const tbody = document.createElement("tbody");
  for (const line of lines.slice(1)) {
    const tr = document.createElement("tr");
    line.split("\t").forEach((cell, i) => {
      const td = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) (td as HTMLTableCellElement).scope = "row";
      td.textContent = cell;
      tr.append(td);
    });
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
}

/** Offers a blob as a download named `name`. */
export function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
