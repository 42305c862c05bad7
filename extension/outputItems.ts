// Turning the kernel's Jupyter MIME bundles into notebook output items. Pure: the controller
// wraps the result in vscode.NotebookCellOutputItem, unit tests read it as is.

import type { ErrorInfo, MimeBundle } from '../kernel/protocol';

export type OutputItemSpec =
  | { mime: string; kind: 'json'; value: unknown }
  | { mime: string; kind: 'text'; value: string }
  | { mime: string; kind: 'bytes'; value: Uint8Array };

/**
 * Which representation VS Code should prefer, best first. VS Code shows the first item that has a
 * renderer, so our own plots come before everything and text/plain, the fallback, comes last.
 */
const MIME_ORDER: ((mime: string) => boolean)[] = [
  (m) => m.startsWith('application/vnd.rnn-lab.'),
  (m) => m.startsWith('application/vnd.'),
  (m) => m === 'text/html',
  (m) => m === 'image/svg+xml',
  (m) => m.startsWith('image/'),
  (m) => m === 'text/markdown',
  (m) => m === 'application/json',
  (m) => m !== 'text/plain',
  (m) => m === 'text/plain',
];

function rank(mime: string): number {
  const i = MIME_ORDER.findIndex((matches) => matches(mime));
  return i === -1 ? MIME_ORDER.length : i;
}

function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

/** Base64 to bytes with atob, which both extension hosts have (the web worker one has no Buffer). */
function decodeBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** One output item per MIME type of the bundle, most specific first. */
export function mimeBundleToItems(bundle: MimeBundle): OutputItemSpec[] {
  const items: OutputItemSpec[] = [];
  for (const [mime, value] of Object.entries(bundle)) {
    if (value === undefined) continue;
    if (isJsonMime(mime)) {
      items.push({ mime, kind: 'json', value });
    } else if (mime.startsWith('image/') && mime !== 'image/svg+xml' && typeof value === 'string') {
      // Jupyter keeps raster images as base64 text; VS Code wants the bytes.
      items.push({ mime, kind: 'bytes', value: decodeBase64(value) });
    } else {
      const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join('') : JSON.stringify(value);
      items.push({ mime, kind: 'text', value: text });
    }
  }
  return items.sort((a, b) => rank(a.mime) - rank(b.mime));
}

/** The value VS Code's error output item (NotebookCellOutputItem.error) is built from. */
export function errorFromInfo(info: ErrorInfo): Error {
  const error = new Error(info.message);
  error.name = info.name;
  // VS Code prints the stack as the error's body; make sure the message is in it once.
  const header = `${info.name}: ${info.message}`;
  error.stack = info.stack && info.stack.includes(info.message) ? info.stack : info.stack ? `${header}\n${info.stack}` : header;
  return error;
}

/** Metadata that tells VS Code's ipynb serializer how to save an output (see its serializers.ts). */
export type OutputMetadata =
  | { outputType: 'stream' }
  | { outputType: 'error' }
  | { outputType: 'display_data'; metadata: Record<string, unknown>; transient?: { display_id: string } }
  | { outputType: 'execute_result'; metadata: Record<string, unknown>; executionCount: number | null };

export function displayMetadata(displayId?: string): OutputMetadata {
  return displayId
    ? { outputType: 'display_data', metadata: {}, transient: { display_id: displayId } }
    : { outputType: 'display_data', metadata: {} };
}

export function resultMetadata(executionCount: number | undefined): OutputMetadata {
  return { outputType: 'execute_result', metadata: {}, executionCount: executionCount ?? null };
}

/** Text shown in a cell when the kernel process died under it (or was ended, `reason` says why). */
export function kernelDiedMessage(exit: { code: number | null; signal: string | null; reason?: string }, stderrTail: string): ErrorInfo {
  const how = exit.signal ? `was killed by ${exit.signal}` : exit.code !== null ? `exited with code ${exit.code}` : 'stopped';
  const tail = stderrTail.trim();
  return {
    name: 'KernelDied',
    message: `${exit.reason ?? `The RNN Lab kernel process ${how}.`} Its variables are gone; the next cell you run starts a new kernel.`,
    stack: tail ? `Last output of the kernel process:\n${tail}` : '',
  };
}
