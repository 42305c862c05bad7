// Runs functions from messages of a channel of their own, the one place where an interrupt may
// terminate code (kernel/node/interrupt.ts) without harm: a message callback unwinds alone and Node
// goes on with the next message, while a timer callback that V8 terminates leaves Node's
// async-context stack corrupted and the process aborts. Cells start here, and their timers'
// callbacks run here. The web's MessageChannel, which Node has as a global too.
import { host } from '../host/index';

export class CallbackChannel {
  private readonly pending: (() => void)[] = [];
  private readonly channel = new MessageChannel();

  constructor() {
    // One message per function, in order; a function terminated midway is already off the queue.
    this.channel.port2.onmessage = () => this.pending.shift()?.();
    // The channel alone must not keep the process alive.
    host().timers.unref(this.channel.port2);
  }

  run(fn: () => void): void {
    this.pending.push(fn);
    this.channel.port1.postMessage(null);
  }
}
