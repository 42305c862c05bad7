// Static SVG renderings of RNN Lab's plot specs. Places that do not run our notebook renderer
// (GitHub, JupyterLab, nbviewer, VS Code without the extension) show the best MIME type they know;
// for our plots that was text/plain. Each plot bundle now also carries image/svg+xml, drawn here
// from the spec: a pure function (no DOM, no fonts, no dependencies), the same bytes for the same
// spec, 800 × 400 with a white background, and small (see downsample.ts).
//
// The interactive item stays first in the bundle. VS Code does not go by that order: it sorts the
// items by its `notebook.displayOrder` (empty by default), then by its built-in list (json, html,
// svg, …, text/plain) where MIME types it does not list, such as ours, come first; so our renderer
// wins unless a person puts image/svg+xml in that setting.
import { RnnLabMime, type BarChartSpec, type HeatmapSpec, type LineChartSpec, type MimeBundle } from '../../protocol';
import { barChartSvg } from './bars';
import { heatmapSvg } from './heatmap';
import { lineChartSvg } from './lines';

export type PlotSpec = LineChartSpec | HeatmapSpec | BarChartSpec;

export const SVG_MIME = 'image/svg+xml';

export function plotSvg(spec: PlotSpec): string {
  switch (spec.kind) {
    case 'heatmap':
      return heatmapSvg(spec);
    case 'bars':
      return barChartSvg(spec);
    default:
      return lineChartSvg(spec);
  }
}

const PLOT_MIMES: readonly string[] = [RnnLabMime.lines, RnnLabMime.heatmap, RnnLabMime.bars];

/**
 * The bundle with an image/svg+xml rendering of its plot, placed right after the plot's own item.
 * Bundles without a plot, or that already have an SVG, are returned as they are.
 */
export function withStaticPlot(bundle: MimeBundle): MimeBundle {
  if (bundle[SVG_MIME] !== undefined) return bundle;
  const mime = PLOT_MIMES.find((m) => bundle[m] !== undefined);
  if (!mime) return bundle;
  let svg: string;
  try {
    svg = plotSvg(bundle[mime] as PlotSpec);
  } catch {
    // The static image is a courtesy to other viewers; a spec it cannot draw must not cost the
    // cell its interactive plot. (Unit tests draw the awkward specs: empty, single point, NaN.)
    return bundle;
  }
  const out: MimeBundle = {};
  for (const [key, value] of Object.entries(bundle)) {
    out[key] = value;
    if (key === mime) out[SVG_MIME] = svg;
  }
  return out;
}
