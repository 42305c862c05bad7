// How a value shows as a cell output: a MIME bundle with a readable text/plain, plus RNN Lab's own
// JSON for tensors and modules (and anything built by the display helpers).
import { host } from '../host/index';
import { Module, Tensor } from './engine';
import { RnnLabMime, type MimeBundle } from '../protocol';
import { moduleSummary, shapeText, tensorSummary } from './summaries';
import { fitResultBundle, isFitResult } from './fitResultView';
import { withStaticPlot } from '../plots/svg';
import { kindOf, specProblem } from '../plots/specCheck';

import { RichOutput } from './richOutput';

export { RichOutput };

interface HasMimeBundle {
  toMimeBundle(): unknown;
}

function hasMimeBundle(value: unknown): value is HasMimeBundle {
  return typeof value === 'object' && value !== null && typeof (value as Partial<HasMimeBundle>).toMimeBundle === 'function';
}

export function toMimeBundle(value: unknown): MimeBundle {
  // The display helpers' own bundles are built valid, with their static SVG: not walked again
  // at every display or update of a live plot.
  if (value instanceof RichOutput) return value.bundle;
  if (hasMimeBundle(value)) return ownBundle(value);
  if (isFitResult(value)) return fitResultBundle(value);
  if (value instanceof Tensor) {
    return { 'text/plain': value.toString(), [RnnLabMime.tensor]: tensorSummary(value) };
  }
  if (value instanceof Module) return { 'text/plain': moduleText(value), [RnnLabMime.module]: moduleSummary(value) };
  return { 'text/plain': plainText(value) };
}

/** Parameter lines shown under a module's repr; larger models end with "… (n more)". */
const MAX_PARAMETER_LINES = 24;

/** The PyTorch-style repr, then each parameter with its shape, then the count. */
function moduleText(m: Module): string {
  const parameters = [...m.namedParameters()];
  const width = Math.max(0, ...parameters.map(([name]) => name.length));
  const lines = parameters.slice(0, MAX_PARAMETER_LINES).map(([name, p]) => `  ${name.padEnd(width)}  ${shapeText(p.shape)}`);
  if (parameters.length > MAX_PARAMETER_LINES) lines.push(`  … (${parameters.length - MAX_PARAMETER_LINES} more)`);
  const count = m.numParameters().toLocaleString('en-US');
  return [m.toString(), ...(lines.length ? ['', 'parameters:', ...lines] : []), `${count} parameters`].join('\n');
}

export function plainText(value: unknown): string {
  return host().inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
}

/**
 * What an object's toMimeBundle() returns, checked. A bundle that cannot be sent or drawn shows as
 * text, with a line saying what was wrong: as IPython shows the text/plain repr (and a warning)
 * when a formatter returns something unusable. A toMimeBundle() that throws fails the cell, with
 * its own stack. Plot specs without a static SVG get one (withStaticPlot).
 */
function ownBundle(value: HasMimeBundle): MimeBundle {
  const bundle = value.toMimeBundle();
  let problem: string | null;
  try {
    problem = bundleProblem(bundle);
  } catch (error) {
    problem = `reading it threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  if (problem === null) return withStaticPlot(bundle as MimeBundle);
  const own = typeof bundle === 'object' && bundle !== null ? (bundle as Record<string, unknown>)['text/plain'] : undefined;
  const text = typeof own === 'string' ? own : plainText(value);
  return { 'text/plain': `${text}\n(toMimeBundle() of ${className(value)} returned ${preview(bundle)}: ${problem}; shown as text instead)` };
}

/** A MIME type as Jupyter and VS Code take it: type/subtype (RFC 6838 names). */
const MIME_TYPE = /^[a-z0-9][\w!#$&^.+-]*\/[a-z0-9][\w!#$&^.+-]*$/i;
/** Deeper than this, Jupyter cannot read a notebook (Python's recursion limit); the runner refuses it too. */
const MAX_NESTING = 1000;

/** What makes `bundle` unusable as an output, or null. */
function bundleProblem(bundle: unknown): string | null {
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle)) {
    return "expected an object of MIME type → data, such as { 'text/plain': 'some text' }";
  }
  const entries = Object.entries(bundle);
  if (entries.length === 0) return "expected at least one MIME type, such as { 'text/plain': 'some text' }";
  for (const [mime, data] of entries) {
    const problem = itemProblem(mime, data);
    if (problem !== null) return problem;
  }
  return null;
}

function itemProblem(mime: string, data: unknown): string | null {
  if (!MIME_TYPE.test(mime)) return `expected MIME types as keys (type/subtype, such as 'text/plain'), got '${mime}'`;
  if (data === undefined) return null; // left out, as JSON leaves it out
  if (!isJsonMime(mime)) {
    const isText = typeof data === 'string' || (Array.isArray(data) && data.every((line) => typeof line === 'string'));
    return isText ? null : `expected '${mime}' to be a string, got ${kindOf(data)}`;
  }
  const failure = jsonFailure(data, new Set(), 0);
  if (failure) return `'${mime}'${pathText(failure.at)} cannot be sent as JSON: ${failure.reason}`;
  const spec = specProblem(mime, data);
  return spec === null ? null : `malformed '${mime}': ${spec}`;
}

function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

interface JsonFailure {
  /** Where in the data: keys and indices from the MIME type's value down. */
  at: (string | number)[];
  reason: string;
}

/** Why JSON.stringify(value) would throw (or overflow), without building it. */
function jsonFailure(value: unknown, ancestors: Set<object>, depth: number): JsonFailure | null {
  if (typeof value === 'bigint') return { at: [], reason: `it is a bigint (${String(value)}n), which JSON cannot hold` };
  if (typeof value !== 'object' || value === null) return null;
  if (ArrayBuffer.isView(value)) {
    const big = value instanceof BigInt64Array || value instanceof BigUint64Array;
    return big ? { at: [], reason: `it is a ${value.constructor.name}, whose bigints JSON cannot hold` } : null;
  }
  if (ancestors.has(value)) return { at: [], reason: 'it is circular (it contains itself)' };
  if (depth >= MAX_NESTING) return { at: [], reason: `it nests more than ${MAX_NESTING} levels deep` };
  const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const replaced: unknown = toJSON.call(value, '');
    if (replaced !== value) return jsonFailure(replaced, ancestors, depth + 1);
  }
  ancestors.add(value);
  try {
    return Array.isArray(value) ? arrayFailure(value, ancestors, depth) : objectFailure(value as Record<string, unknown>, ancestors, depth);
  } finally {
    ancestors.delete(value);
  }
}

function arrayFailure(items: unknown[], ancestors: Set<object>, depth: number): JsonFailure | null {
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (typeof item === 'number' || typeof item === 'string') continue; // the common case, fast
    const failure = jsonFailure(item, ancestors, depth + 1);
    if (failure) return { ...failure, at: [i, ...failure.at] };
  }
  return null;
}

function objectFailure(object: Record<string, unknown>, ancestors: Set<object>, depth: number): JsonFailure | null {
  for (const key of Object.keys(object)) {
    const failure = jsonFailure(object[key], ancestors, depth + 1);
    if (failure) return { ...failure, at: [key, ...failure.at] };
  }
  return null;
}

/** [ 'a', 3, 'b c' ] → .a[3]["b c"] */
function pathText(at: (string | number)[]): string {
  return at.map((k) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)).join('');
}

function className(value: object): string {
  try {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'an object';
  } catch {
    return 'an object'; // a hostile constructor getter
  }
}

/** A short, one-line look at what toMimeBundle() returned. */
function preview(bundle: unknown): string {
  let text: string;
  try {
    text = host().inspect(bundle, { depth: 1, maxArrayLength: 4, maxStringLength: 40, breakLength: Infinity });
  } catch {
    text = 'a value that cannot be inspected';
  }
  return text.length <= 120 ? text : `${text.slice(0, 119)}…`;
}
