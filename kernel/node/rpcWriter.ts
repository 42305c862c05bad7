// A JSON-RPC message writer (LSP framing) that hands each message to the real stdout at once.
// vscode-jsonrpc's stream writer queues writes behind promises, so a cell in a synchronous loop
// would hold back its own live output until the loop ends; this one does not.
// Buffer from its module, not the global a cell may have replaced (kernelGlobals.ts).
import { Buffer } from 'node:buffer';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-jsonrpc';

export class ImmediateMessageWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(private readonly writeBytes: (chunk: Uint8Array) => boolean) {
    super();
  }

  write(message: Message): Promise<void> {
    try {
      const body = Buffer.from(JSON.stringify(message), 'utf8');
      const header = Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii');
      this.writeBytes(Buffer.concat([header, body]));
      return Promise.resolve();
    } catch (error) {
      this.fireError(error, message, undefined);
      return Promise.reject(error);
    }
  }

  end(): void {}
}
