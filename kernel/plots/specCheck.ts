// Whether a plot or table spec (protocol.ts) has the shape the renderers read. The display helpers
// build valid specs; an object's own toMimeBundle() may return anything under our MIME types, and
// a spec the renderer cannot read draws a blank output, so the kernel checks those (repr.ts).
// Only the structure is checked (arrays where arrays are read, numbers where numbers are): values
// such as NaN or a null in y are drawn as gaps.
import { RnnLabMime } from '../protocol';

type Problem = string | null;

/** What is wrong with `spec` as the data of `mime`, or null (also for MIME types that are not specs). */
export function specProblem(mime: string, spec: unknown): Problem {
  switch (mime) {
    case RnnLabMime.lines:
      return linesProblem(spec);
    case RnnLabMime.heatmap:
      return heatmapProblem(spec);
    case RnnLabMime.bars:
      return barsProblem(spec);
    case RnnLabMime.table:
      return tableProblem(spec);
    default:
      return null;
  }
}

function linesProblem(spec: unknown): Problem {
  if (!isRecord(spec)) return `expected a line chart spec { kind, series: [{ name, x, y }] }, got ${kindOf(spec)}`;
  if (!Array.isArray(spec.series)) return `expected series to be an array of { name, x, y }, got ${kindOf(spec.series)}`;
  for (const [i, s] of spec.series.entries()) {
    if (!isRecord(s)) return `expected series[${i}] to be { name, x, y }, got ${kindOf(s)}`;
    const problem = numbersProblem(s.x, `series[${i}].x`) ?? numbersProblem(s.y, `series[${i}].y`);
    if (problem) return problem;
  }
  return null;
}

function heatmapProblem(spec: unknown): Problem {
  if (!isRecord(spec)) return `expected a heatmap spec { kind: 'heatmap', z: [[…], …] }, got ${kindOf(spec)}`;
  if (!Array.isArray(spec.z)) return `expected z to be an array of rows of numbers, got ${kindOf(spec.z)}`;
  for (const [i, row] of spec.z.entries()) {
    const problem = numbersProblem(row, `z[${i}]`);
    if (problem) return problem;
  }
  return null;
}

function barsProblem(spec: unknown): Problem {
  if (!isRecord(spec)) return `expected a bar chart spec { kind: 'bars', categories, series: [{ name, values }] }, got ${kindOf(spec)}`;
  if (!Array.isArray(spec.categories)) return `expected categories to be an array of names, got ${kindOf(spec.categories)}`;
  if (!Array.isArray(spec.series)) return `expected series to be an array of { name, values }, got ${kindOf(spec.series)}`;
  for (const [i, s] of spec.series.entries()) {
    if (!isRecord(s)) return `expected series[${i}] to be { name, values }, got ${kindOf(s)}`;
    const problem = numbersProblem(s.values, `series[${i}].values`);
    if (problem) return problem;
  }
  return null;
}

function tableProblem(spec: unknown): Problem {
  if (!isRecord(spec)) return `expected a table spec { kind: 'table', columns, rows }, got ${kindOf(spec)}`;
  if (!Array.isArray(spec.columns)) return `expected columns to be an array of names, got ${kindOf(spec.columns)}`;
  if (!Array.isArray(spec.rows)) return `expected rows to be an array of arrays, got ${kindOf(spec.rows)}`;
  for (const [i, row] of spec.rows.entries()) {
    if (!Array.isArray(row)) return `expected rows[${i}] to be an array of cells, got ${kindOf(row)}`;
    const cell = row.findIndex((v) => v !== null && typeof v !== 'string' && typeof v !== 'number');
    if (cell >= 0) return `expected rows[${i}][${cell}] to be a string, a number or null, got ${kindOf(row[cell])}`;
  }
  return null;
}

/** An array of numbers (null is a gap, as JSON writes NaN). */
function numbersProblem(values: unknown, name: string): Problem {
  if (!Array.isArray(values)) return `expected ${name} to be an array of numbers, got ${kindOf(values)}`;
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'number' && v !== null) return `expected ${name}[${i}] to be a number, got ${kindOf(v)}`;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "a string", "null", "an array of 3", "an object with keys title, x": what a value is, for messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (undefined)';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case 'number':
    case 'boolean':
      return `a ${typeof value} (${String(value)})`;
    case 'bigint':
      return `a bigint (${String(value)}n)`;
    case 'object': {
      const keys = Object.keys(value);
      const shown = keys.slice(0, 6).join(', ') + (keys.length > 6 ? ', …' : '');
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      const what = typeof name === 'string' && name !== 'Object' && name !== '' ? `a ${name}` : 'an object';
      return keys.length === 0 ? `${what} with no keys` : `${what} with keys ${shown}`;
    }
    default:
      return `a ${typeof value}`;
  }
}
