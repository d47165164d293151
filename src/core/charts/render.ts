// Vega-Lite spec → SVG text with vega's headless View (renderer "none"), in Node or a browser.
// Text widths are estimated from the font size instead of measured on a canvas, so the same spec gives the
// same SVG bytes on every host (Node has no canvas; a browser's would measure with its own fonts).
// vega and vega-lite are loaded on the first render: every other cellfrac command starts without them.
import type { VlSpec } from "./specs.js";
import { renameSvgIds } from "./svg.js";

type Vega = typeof import("vega");
type VegaLite = typeof import("vega-lite");
let libs: Promise<[Vega, VegaLite]> | undefined;

function load(): Promise<[Vega, VegaLite]> {
  libs ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vl]) => {
    // vega exports textMetrics (from vega-scenegraph) without declaring it in its types.
    (vega as unknown as { textMetrics: { canvas(use: boolean): void } }).textMetrics.canvas(false);
    return [vega, vl];
  });
  return libs;
}

/** Renders one spec to a standalone SVG document. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const [vega, vl] = await load();
  const vg = vl.compile(spec as unknown as Parameters<VegaLite["compile"]>[0]).spec;
  const view = new vega.View(vega.parse(vg), { renderer: "none" });
  try {
    return renameSvgIds(await view.toSVG(), "v");
  } finally {
    view.finalize();
  }
}
