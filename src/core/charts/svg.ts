// SVG text fix-ups shared by the renderer and the report (no vega import: the report module stays light).

/**
 * Renames an SVG's ids (clip paths, gradients) to prefix + 1, 2, … in order of appearance, references too.
 * vega numbers them with process-wide counters, so without this the second chart drawn in a process would
 * differ from the same chart drawn first; the report also prefixes them per chart (ids share one document).
 */
export function renameSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `${prefix}${ids.size + 1}`);
  const to = (id: string) => ids.get(id) ?? id;
  return svg.replace(/\b(id="|url\(#|href="#)([^")]+)/g, (_, lead: string, id: string) => lead + to(id));
}
