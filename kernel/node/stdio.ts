// The kernel's real stdout is the JSON-RPC channel. Everything else that writes to stdout or
// stderr (console.log in a cell, a library, the engine) becomes stream output of the cell it
// belongs to; with no cell to go to, it goes to the real stderr (the client's log).
import { Buffer } from 'node:buffer';
import { uninterruptible } from './interrupt';

/** Where captured text goes: false when no cell takes it (the text then goes to the real stderr). */
export interface StdioSink {
  write(name: 'stdout' | 'stderr', text: string): boolean;
}

type Write = (chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => boolean;

export interface RawStdio {
  /** Writes bytes to the real stdout (the protocol channel only). */
  writeStdout(chunk: Uint8Array | string): boolean;
  writeStderr(chunk: Uint8Array | string): boolean;
}

export function captureStdio(router: StdioSink): RawStdio {
  const rawStdout = process.stdout.write.bind(process.stdout) as Write;
  const rawStderr = process.stderr.write.bind(process.stderr) as Write;
  const redirect = (name: 'stdout' | 'stderr'): Write =>
    (chunk, encodingOrCallback, callback) => {
      const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : 'utf8';
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(encoding);
      if (!router.write(name, text)) uninterruptible(() => rawStderr(text));
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (done) process.nextTick(done);
      return true;
    };
  process.stdout.write = redirect('stdout') as typeof process.stdout.write;
  process.stderr.write = redirect('stderr') as typeof process.stderr.write;
  // A message half written when an interrupt terminates the cell would break the protocol.
  return { writeStdout: (chunk) => uninterruptible(() => rawStdout(chunk)), writeStderr: (chunk) => uninterruptible(() => rawStderr(chunk)) };
}
