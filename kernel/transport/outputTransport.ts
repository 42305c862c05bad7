// Where a kernel's outputs go: the JSON-RPC connection in the kernel process (server.ts), a
// collector in the headless runner. outputLimits.ts wraps one to bound what a cell can send.
import type { OutputParams } from '../protocol';

export interface OutputTransport {
  sendOutput(params: OutputParams): void;
  sendNotification(method: string, params: unknown): void;
}
