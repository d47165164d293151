// Vega-Lite spec → SVG text with vega's headless View (renderer "none"), in Node or a browser.
// Text widths are estimated from the font size instead of measured on a canvas, so the same spec gives the
// same SVG bytes on every host (Node has no canvas; a browser's would measure with its own fonts).
// Expressions run in vega's AST interpreter (vega-interpreter), not compiled with `new Function`: the page's
// CSP forbids eval, and the CLI takes the same path so that both make the same bytes by construction.
// vega and vega-lite are loaded on the first render: every other cellfrac command starts without them.
import type { VlSpec } from "./specs.js";
import { renameSvgIds } from "./svg.js";

type Vega = typeof import("vega");
type VegaLite = typeof import("vega-lite");
type Interpreter = typeof import("vega-interpreter")["expressionInterpreter"];
let libs: Promise<[Vega, VegaLite, Interpreter]> | undefined;

function load(): Promise<[Vega, VegaLite, Interpreter]> {
  libs ??= Promise.all([import("vega"), import("vega-lite"), import("vega-interpreter")]).then(([vega, vl, vi]) => {
    // vega exports textMetrics (from vega-scenegraph) without declaring it in its types.
    (vega as unknown as { textMetrics: { canvas(use: boolean): void } }).textMetrics.canvas(false);
    return [vega, vl, vi.expressionInterpreter];
  });
  return libs;
}

/** Renders one spec to a standalone SVG document. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const [vega, vl, interpreter] = await load();
  const vg = vl.compile(spec as unknown as Parameters<VegaLite["compile"]>[0]).spec;
  const view = new vega.View(vega.parse(vg, undefined, { ast: true }), { renderer: "none", expr: interpreter });
  try {
    return renameSvgIds(await view.toSVG(), "v");
  } finally {
    view.finalize();
  }
}
