// Vega-Lite spec → SVG text with vega's headless View (renderer "none"), in Node or a browser.
// Text widths are estimated from the font size instead of measured on a canvas, so the same spec gives the
// same SVG bytes on every host (Node has no canvas; a browser's would measure with its own fonts).
import * as vega from "vega";
import { compile } from "vega-lite";
import type { VlSpec } from "./specs.js";
import { renameSvgIds } from "./svg.js";

// vega exports textMetrics (from vega-scenegraph) without declaring it in its types.
(vega as unknown as { textMetrics: { canvas(use: boolean): void } }).textMetrics.canvas(false);

/** Renders one spec to a standalone SVG document. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const vg = compile(spec as unknown as Parameters<typeof compile>[0]).spec;
  const view = new vega.View(vega.parse(vg), { renderer: "none" });
  try {
    return renameSvgIds(await view.toSVG(), "v");
  } finally {
    view.finalize();
  }
}
