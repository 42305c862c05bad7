// How a value shows as a cell output: a MIME bundle with a readable text/plain, plus RNN Lab's own
// JSON for tensors and modules (and anything built by the display helpers).
import { host } from '../host/index';
import { Module, Tensor } from './engine';
import { RnnLabMime, type MimeBundle } from '../protocol';
import { moduleSummary, shapeText, tensorSummary } from './summaries';
import { fitResultBundle, isFitResult } from './fitResultView';

export { RichOutput } from './richOutput';

interface HasMimeBundle {
  toMimeBundle(): MimeBundle;
}

function hasMimeBundle(value: unknown): value is HasMimeBundle {
  return typeof value === 'object' && value !== null && typeof (value as Partial<HasMimeBundle>).toMimeBundle === 'function';
}

export function toMimeBundle(value: unknown): MimeBundle {
  if (hasMimeBundle(value)) return value.toMimeBundle();
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
