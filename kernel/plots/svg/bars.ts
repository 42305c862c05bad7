// BarChartSpec → SVG: bars grouped side by side per category, or stacked (positive values up from
// 0, negative ones down), one <path> per series; category names under the axis, turned 45° when
// they do not fit.
import type { BarChartSpec } from '../../protocol';
import { LIGHT_THEME } from '../figures';
import { linearAxis } from './axes';
import {
  categoryLayout,
  drawAxisLines,
  drawCategoryLabels,
  drawLegend,
  drawTitle,
  drawYAxis,
  leftMargin,
  PAD,
  svgDocument,
  tickLabelWidth,
  xAxisHeight,
  xTitle,
  yOf,
  type Frame,
  type LegendEntry,
} from './chart';
import { HEIGHT, INK, px, WIDTH } from './markup';

/** Share of a category's slot the bars take (plotly's default gap is the rest). */
const FILL = 0.8;

export function barChartSvg(spec: BarChartSpec): string {
  const colors = LIGHT_THEME.colorway;
  const n = spec.categories.length;
  const value = (s: BarChartSpec['series'][number], i: number): number => {
    const v = s.values[i];
    return v !== undefined && v !== null && Number.isFinite(v) ? v : 0;
  };
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    let up = 0;
    let down = 0;
    for (const s of spec.series) {
      const v = value(s, i);
      if (spec.stacked) (v >= 0 ? (up += v) : (down += v));
      else ((up = Math.max(up, v)), (down = Math.min(down, v)));
    }
    ((lo = Math.min(lo, down)), (hi = Math.max(hi, up)));
  }

  const title = drawTitle(spec.title);
  const legend: LegendEntry[] = spec.series.map((s, k) => ({ name: s.name, color: colors[k % colors.length]!, swatch: { kind: 'box' } }));
  const legendPart = spec.series.length > 1 ? drawLegend(legend, title.bottom - 4) : { markup: '', bottom: title.bottom };
  const top = legendPart.bottom + 4;
  const axisFor = (bottom: number) => linearAxis(lo, hi, { pad: 0.05, includeZero: true, target: Math.max(2, Math.round((bottom - top) / 45)) });
  // The bottom margin depends on the category labels, which depend on the width left by the y
  // labels, which depend on the height: one provisional pass settles it.
  const provisional = axisFor(HEIGHT - 60);
  const left = leftMargin(tickLabelWidth(provisional), spec.yLabel !== undefined);
  const right = WIDTH - PAD - 8;
  const pitch = (right - left) / Math.max(1, n);
  const labels = categoryLayout(spec.categories, pitch);
  const bottom = HEIGHT - xAxisHeight(labels.height, spec.xLabel !== undefined);
  const axis = axisFor(bottom);
  const frame: Frame = { left: Math.max(left, leftMargin(tickLabelWidth(axis), spec.yLabel !== undefined)), top, right, bottom };
  const slot = (frame.right - frame.left) / Math.max(1, n);

  const paths = spec.series.map((s, k) => {
    let d = '';
    for (let i = 0; i < n; i++) {
      const v = value(s, i);
      let from = 0;
      let x: number;
      let width: number;
      if (spec.stacked) {
        // The stack below this series: the same-signed values of the series before it.
        for (let q = 0; q < k; q++) {
          const w = value(spec.series[q]!, i);
          if (w >= 0 === v >= 0) from += w;
        }
        width = slot * FILL;
        x = frame.left + i * slot + (slot * (1 - FILL)) / 2;
      } else {
        width = (slot * FILL) / spec.series.length;
        x = frame.left + i * slot + (slot * (1 - FILL)) / 2 + k * width;
      }
      if (v === 0) continue;
      const y0 = yOf(axis, frame, from);
      const y1 = yOf(axis, frame, from + v);
      d += `M${px(x)} ${px(y0)}h${px(width)}V${px(y1)}h${px(-width)}z`;
    }
    return d ? `<path fill="${colors[k % colors.length]}" d="${d}"/>` : '';
  });

  const zero = lo < 0 ? `<path d="M${px(frame.left)} ${px(yOf(axis, frame, 0))}H${px(frame.right)}" stroke="${INK.axis}"/>` : '';
  const body = [
    title.markup,
    legendPart.markup,
    drawYAxis(axis, frame, spec.yLabel),
    ...paths,
    zero,
    drawAxisLines(frame),
    drawCategoryLabels(labels, (i) => frame.left + (i + 0.5) * slot, frame),
    xTitle(frame, spec.xLabel),
  ];
  return svgDocument(spec.title, body);
}
