// LineChartSpec → SVG: each series a path (dashed for validation curves), dots for markers, the raw
// curve faint behind the smoothed one when the spec smooths (as the plotly figure draws it), a log
// y axis when asked (values ≤ 0 leave gaps there, as in plotly).
import type { LineChartSpec } from '../../protocol';
import { emaSmooth, LIGHT_THEME } from '../figures';
import { linearAxis, logAxis, type Axis } from './axes';
import {
  drawAxisLines,
  drawLegend,
  drawTitle,
  drawXAxis,
  drawYAxis,
  leftMargin,
  PAD,
  svgDocument,
  tickLabelWidth,
  xAxisHeight,
  xOf,
  yOf,
  type Frame,
  type LegendEntry,
} from './chart';
import { decimate, type CurvePoint } from './downsample';
import { HEIGHT, WIDTH } from './markup';

interface Curve {
  points: CurvePoint[];
  color: string;
  width: number;
  opacity: number;
  dash: boolean;
  line: boolean;
  marker: boolean;
}

export function lineChartSvg(spec: LineChartSpec): string {
  const colors = LIGHT_THEME.colorway;
  const smoothing = spec.smoothing ?? 0;
  const curves: Curve[] = [];
  const legend: LegendEntry[] = [];
  let xLo = Infinity;
  let xHi = -Infinity;
  let yLo = Infinity;
  let yHi = -Infinity;
  let anyMarkers = false;
  spec.series.forEach((s, i) => {
    const color = colors[i % colors.length]!;
    const mode = s.mode ?? 'lines';
    const line = mode !== 'markers';
    const marker = mode !== 'lines';
    anyMarkers ||= marker;
    // JSON turns NaN into null, so a spec read back from a notebook may hold nulls. Gaps become
    // NaN, not null: an array of numbers alone stays a flat array of doubles (10⁶ points).
    const y = (s.y as (number | null)[]).map((v) => (v === null || !Number.isFinite(v) || (spec.logY && v <= 0) ? NaN : v));
    const n = Math.min(s.x.length, y.length);
    for (let k = 0; k < n; k++) {
      const v = y[k]!;
      const x = s.x[k]!;
      if (!Number.isFinite(v) || !Number.isFinite(x)) continue;
      ((xLo = Math.min(xLo, x)), (xHi = Math.max(xHi, x)), (yLo = Math.min(yLo, v)), (yHi = Math.max(yHi, v)));
    }
    const base = { color, dash: s.dash ?? false, line, marker };
    if (smoothing > 0) {
      curves.push({ ...base, points: decimate(s.x, y), width: 1, opacity: 0.3, marker: false });
      curves.push({ ...base, points: decimate(s.x, emaSmooth(y, smoothing)), width: 2, opacity: 1 });
    } else {
      curves.push({ ...base, points: decimate(s.x, y), width: 2, opacity: 1 });
    }
    legend.push({ name: s.name, color, swatch: { kind: 'line', dash: base.dash, line, marker } });
  });

  const title = drawTitle(spec.title);
  const legendPart = spec.series.length > 1 ? drawLegend(legend, title.bottom - 4) : { markup: '', bottom: title.bottom };
  const top = legendPart.bottom + 4;
  const bottom = HEIGHT - xAxisHeight(20, spec.xLabel !== undefined);
  const yAxis: Axis = spec.logY
    ? logAxis(yLo, yHi, { pad: 0.04 })
    : linearAxis(yLo, yHi, { pad: 0.05, target: Math.max(2, Math.round((bottom - top) / 45)) });
  const left = leftMargin(tickLabelWidth(yAxis), spec.yLabel !== undefined);
  const right = WIDTH - PAD - 14;
  const frame: Frame = { left, top, right, bottom };
  // Lines span the x range exactly; dots get a margin so that the outermost are whole.
  const xAxis = linearAxis(xLo, xHi, { pad: anyMarkers ? 0.03 : 0, target: Math.max(2, Math.round((right - left) / 90)) });

  const body = [
    title.markup,
    legendPart.markup,
    drawYAxis(yAxis, frame, spec.yLabel),
    drawXAxis(xAxis, frame, spec.xLabel),
    drawAxisLines(frame),
    ...curves.map((c) => drawCurve(c, xAxis, yAxis, frame)),
  ];
  return svgDocument(spec.title, body);
}

/** Coordinates in tenths of a px, as integers, so that relative steps add up exactly. */
function tenths(v: number): number {
  return Math.round(v * 10);
}

/**
 * Path data written compactly: relative steps after the first point of a run ("M x y l dx dy dx
 * dy …", the command letter once per run), no space before a minus sign.
 */
class PathData {
  private text = '';
  private separate = false;

  /** Starts a command: its letter, then numbers. */
  command(letter: string, ...values: number[]): void {
    this.text += letter;
    this.separate = false;
    this.numbers(...values);
  }

  /** More numbers for the current command (an implicit repeat of it). */
  numbers(...values: number[]): void {
    for (const v of values) {
      const s = String(v / 10);
      this.text += this.separate && !s.startsWith('-') ? ` ${s}` : s;
      this.separate = true;
    }
  }

  toString(): string {
    return this.text;
  }
}

function drawCurve(curve: Curve, xAxis: Axis, yAxis: Axis, frame: Frame): string {
  const attrs = `stroke="${curve.color}"${curve.opacity < 1 ? ` stroke-opacity="${curve.opacity}"` : ''}`;
  const lines = new PathData();
  const dots = new PathData();
  let prev: [number, number] | null = null;
  let lastDot: [number, number] | null = null;
  // 0: after a gap (next point starts a run), 1: after a run's first point, 2: inside "l" steps.
  let state = 0;
  for (const p of curve.points) {
    if (p === null) {
      state = 0;
      continue;
    }
    const x = tenths(xOf(xAxis, frame, p[0]));
    const y = tenths(yOf(yAxis, frame, p[1]));
    if (state === 0) lines.command('M', x, y);
    else if (state === 1) lines.command('l', x - prev![0], y - prev![1]);
    else lines.numbers(x - prev![0], y - prev![1]);
    state = Math.min(2, state + 1);
    // A zero-length segment with round caps is a dot: much shorter than a <circle>.
    if (lastDot === null) dots.command('M', x, y);
    else dots.command('m', x - lastDot[0], y - lastDot[1]);
    dots.command('h', 0);
    lastDot = [x, y];
    prev = [x, y];
  }
  const parts: string[] = [];
  const lineData = lines.toString();
  if (curve.line && lineData) {
    const dash = curve.dash ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<path d="${lineData}" fill="none" ${attrs} stroke-width="${curve.width}" stroke-linejoin="round" stroke-linecap="round"${dash}/>`);
  }
  const dotData = dots.toString();
  if (curve.marker && dotData) parts.push(`<path d="${dotData}" ${attrs} stroke-width="6" stroke-linecap="round"/>`);
  return parts.join('');
}
