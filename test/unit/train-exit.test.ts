// A script that trains with fit() ends when its work is done: finished workers are not parked
// for reuse outside the kernel process (Node keeps a process alive while a worker's piped stdout
// exists, even after unref(); parked workers would hold it for the pool's idle minute).

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const main = resolve(__dirname, '../../dist/main.js');

describe('a script calling fit()', () => {
  it('exits once training is done (well before the worker pool idle timeout of 60 s)', () => {
    const script = `
      const { LSTM, Linear, Module, tensor, fit, select } = require(${JSON.stringify(main)});
      class M extends Module {
        constructor() { super(); this.rnn = new LSTM(2, 8, { batchFirst: true }); this.fc = new Linear(8, 1); }
        forward(x) { return this.fc.forward(select(this.rnn.forward(x).output, 1, -1)); }
      }
      const x = tensor(Array.from({ length: 16 * 5 * 2 }, (_, i) => Math.sin(i)), [16, 5, 2]);
      const y = tensor(Array.from({ length: 16 }, (_, i) => Math.cos(i)), [16, 1]);
      fit(new M(), { x, y }, { epochs: 1, batchSize: 8, display: false }).done.then((r) => console.log('steps', r.steps));
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 40_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('steps 2');
  }, 60_000);
});
