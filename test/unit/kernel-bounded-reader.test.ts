// The framing guard (kernel/transport/boundedReader.ts) in front of vscode-jsonrpc's reader: good
// messages pass unchanged however they are split into chunks; a Content-Length beyond the bound,
// one that is not a number, a header without it or no header at all fail at once instead of
// leaving the reader waiting for bytes that never come.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { StreamMessageReader as JsonRpcReader } from 'vscode-jsonrpc/node';
import { StreamMessageReader as LanguageServerReader } from 'vscode-languageserver/node';
import { FramingError, guardFraming } from '../../kernel/node/boundedReader';

const frame = (body: string): Buffer => {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
};

interface Reading {
  messages: unknown[];
  errors: Error[];
  closed: boolean;
  framingErrors: FramingError[];
}

function reading(Reader: typeof JsonRpcReader | typeof LanguageServerReader, maxMessageBytes?: number): { input: PassThrough; state: Reading } {
  const input = new PassThrough();
  const state: Reading = { messages: [], errors: [], closed: false, framingErrors: [] };
  const guarded = guardFraming(input, { ...(maxMessageBytes !== undefined ? { maxMessageBytes } : {}), onError: (e) => state.framingErrors.push(e) });
  const reader = new Reader(guarded);
  reader.onError((e: Error) => state.errors.push(e));
  reader.onClose(() => (state.closed = true));
  reader.listen((message: unknown) => state.messages.push(message));
  return { input, state };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('guardFraming', () => {
  it('passes messages through unchanged, split anywhere, one byte at a time too', async () => {
    const { input, state } = reading(JsonRpcReader);
    const bytes = Buffer.concat([
      frame(JSON.stringify({ jsonrpc: '2.0', method: 'a', params: { text: 'héllo ✓' } })),
      Buffer.from('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n', 'ascii'),
      frame(JSON.stringify({ jsonrpc: '2.0', method: 'b' })),
    ]);
    for (let i = 0; i < bytes.length; i += 7) input.write(bytes.subarray(i, i + 7));
    await settle();
    expect(state.messages).toEqual([
      { jsonrpc: '2.0', method: 'a', params: { text: 'héllo ✓' } },
      { jsonrpc: '2.0', method: 'b' },
    ]);
    expect(state.errors).toEqual([]);
  });

  it('fails at once on a Content-Length beyond the bound, after delivering the messages before it', async () => {
    const { input, state } = reading(JsonRpcReader, 1000);
    input.write(Buffer.concat([frame('{"jsonrpc":"2.0","method":"before"}'), Buffer.from('Content-Length: 99999999999\r\n\r\n{"jsonrpc"', 'ascii')]));
    await settle();
    expect(state.messages).toEqual([{ jsonrpc: '2.0', method: 'before' }]);
    expect(state.framingErrors).toHaveLength(1);
    expect(state.framingErrors[0]!.message).toBe('JSON-RPC protocol error: Content-Length 99999999999 is more than the 1000 bytes a message may have');
    expect(state.errors.map((e) => e.message)).toEqual([state.framingErrors[0]!.message]);
    expect(state.closed).toBe(true);
  });

  it('fails on a Content-Length that is not a byte count, a header without one, and bytes that are no header', async () => {
    const cases: [string, RegExp][] = [
      ['Content-Length: -5\r\n\r\n', /Content-Length "-5" is not a byte count/],
      ['Content-Length: 12abc\r\n\r\n', /Content-Length "12abc" is not a byte count/],
      ['Content-Type: text/plain\r\n\r\n', /a message header without Content-Length/],
      ['hello world\r\n\r\n', /header line that is not "Name: value"/],
      ['x'.repeat(9000), /a message header longer than 8192 bytes/],
    ];
    for (const [bytes, expected] of cases) {
      const { input, state } = reading(JsonRpcReader);
      input.write(Buffer.from(bytes, 'latin1'));
      await settle();
      expect(state.framingErrors.map((e) => e.message), bytes.slice(0, 30)).toEqual([expect.stringMatching(expected)]);
    }
  });

  it("works in front of vscode-languageserver's reader (the kernel's side) as well", async () => {
    const { input, state } = reading(LanguageServerReader);
    input.write(frame('{"jsonrpc":"2.0","method":"ok"}'));
    input.write('Content-Length: 300000000\r\n\r\n');
    await settle();
    expect(state.messages).toEqual([{ jsonrpc: '2.0', method: 'ok' }]);
    expect(state.errors[0]?.message).toMatch(/Content-Length 300000000 is more than the 268435456 bytes/);
  });

  it('accepts a message of exactly the bound', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'm', params: 'p'.repeat(100) });
    const { input, state } = reading(JsonRpcReader, Buffer.byteLength(body));
    input.write(frame(body));
    await settle();
    expect(state.messages).toHaveLength(1);
    expect(state.framingErrors).toEqual([]);
  });
});
