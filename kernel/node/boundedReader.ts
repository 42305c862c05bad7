// The LSP framing of a JSON-RPC stream (`Content-Length: N\r\n\r\n` and N bytes), checked before
// vscode-jsonrpc's StreamMessageReader sees it. That reader waits for N bytes whatever N is, so a
// header promising 100 GB, or bytes that are not a header at all, make it buffer and wait forever.
// The guard passes the bytes through unchanged (no copy) and fails the stream instead: the reader
// then reports the error (reader.onError) and closes.
//
//   new StreamMessageReader(guardFraming(child.stdout, { onError: (e) => … }))
import { Transform, type Readable, type TransformCallback } from 'node:stream';

/** The largest message body accepted; outputs are bounded far below this (outputLimits.ts). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** A header block longer than this without its blank line is not a header. */
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');

/** The stream broke the framing: what was wrong, in words. */
export class FramingError extends Error {
  constructor(message: string) {
    super(`JSON-RPC protocol error: ${message}`);
    this.name = 'FramingError';
  }
}

export interface FramingOptions {
  /** Largest Content-Length accepted (default MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
  /** Called once with the first framing error (the returned stream also emits it as 'error'). */
  onError?: (error: FramingError) => void;
}

/** A pass-through that fails with a FramingError on a header it cannot accept. */
export class FramingGuard extends Transform {
  private readonly maxMessageBytes: number;
  /** Bytes of the current header block seen in earlier chunks (at most MAX_HEADER_BYTES). */
  private header: Buffer = Buffer.alloc(0);
  /** Body bytes of the current message still to come; 0 while reading a header. */
  private bodyLeft = 0;

  constructor(maxMessageBytes = MAX_MESSAGE_BYTES) {
    super();
    this.maxMessageBytes = maxMessageBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= n;
        at += n;
        continue;
      }
      // A header: look for its end in what came before and a bounded window of this chunk.
      const seen = this.header.length;
      const window = Buffer.concat([this.header, chunk.subarray(at, at + MAX_HEADER_BYTES + HEADER_END.length)]);
      const end = window.indexOf(HEADER_END, Math.max(0, seen - (HEADER_END.length - 1)));
      if (end < 0) {
        if (window.length > MAX_HEADER_BYTES) return this.fail(chunk, at - seen, `a message header longer than ${MAX_HEADER_BYTES} bytes (${quote(window)})`, callback);
        this.header = Buffer.from(window);
        at = chunk.length;
        continue;
      }
      const problem = this.checkHeader(window.subarray(0, end).toString('ascii'));
      if (problem !== null) return this.fail(chunk, at - seen, problem, callback);
      this.header = Buffer.alloc(0);
      at += end + HEADER_END.length - seen;
    }
    callback(null, chunk);
  }

  /** Sets bodyLeft from the header; returns what is wrong with it, or null. */
  private checkHeader(text: string): string | null {
    let length: string | null = null;
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) return `a message header line that is not "Name: value" (${JSON.stringify(line.slice(0, 80))})`;
      if (line.slice(0, colon).trim().toLowerCase() === 'content-length') length = line.slice(colon + 1).trim();
    }
    if (length === null) return `a message header without Content-Length (${JSON.stringify(text.slice(0, 200))})`;
    if (!/^\d{1,16}$/.test(length)) return `Content-Length ${JSON.stringify(length.slice(0, 40))} is not a byte count`;
    const bytes = Number(length);
    if (bytes > this.maxMessageBytes) return `Content-Length ${length} is more than the ${this.maxMessageBytes} bytes a message may have`;
    this.bodyLeft = bytes;
    return null;
  }

  /** Passes on the whole messages before the bad header (they are fine), then fails. */
  private fail(chunk: Buffer, badHeaderStart: number, problem: string, callback: TransformCallback): void {
    if (badHeaderStart > 0) this.push(chunk.subarray(0, badHeaderStart));
    callback(new FramingError(problem));
  }
}

/** `input` through a FramingGuard: pass the result to StreamMessageReader instead of `input`. */
export function guardFraming(input: Readable, options: FramingOptions = {}): FramingGuard {
  const guard = new FramingGuard(options.maxMessageBytes);
  let reported = false;
  guard.on('error', (error: Error) => {
    if (reported || !(error instanceof FramingError)) return;
    reported = true;
    input.unpipe(guard);
    options.onError?.(error);
  });
  input.on('error', (error: Error) => guard.destroy(error));
  input.pipe(guard);
  return guard;
}

function quote(bytes: Buffer): string {
  return JSON.stringify(bytes.subarray(0, 80).toString('latin1'));
}
