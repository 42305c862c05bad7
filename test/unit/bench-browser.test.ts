// The bench's browser column (bench/browser/): RNN Lab's hand-written steps in a Web Worker of
// headless Chromium, as VS Code for the Web's kernel runs them. A tiny workload, so the test says
// that the column runs and reports what it ran on; its times are the bench's to read, never
// asserted. Chromium comes from scripts/ci-deps.sh: missing, it fails in CI and skips elsewhere.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumPath, runInChromium } from '../../bench/browser/chromium';
import type { Workload } from '../../bench/workloads';

const root = path.resolve(__dirname, '../..');
const tiny: Record<string, Workload> = {
  'gru-tiny': { cell: 'gru', input: 3, hidden: 8, layers: 1, seq: 6, batch: 2, task: 'reg-last', train: true },
  'lstm-tiny-infer': { cell: 'lstm', input: 3, hidden: 8, layers: 2, seq: 6, batch: 1, task: 'reg-last', train: false },
};
const missing = existsSync(chromiumPath()) ? null : `no Chromium at ${chromiumPath()} (run scripts/ci-deps.sh, or set RNN_LAB_CHROMIUM)`;

describe.skipIf(missing !== null && !process.env.CI)('the bench in headless Chromium', () => {
  it('times every workload in a Web Worker of a cross-origin isolated page, with the wasm kernels', async () => {
    if (missing) throw new Error(missing);
    const column = await runInChromium(root, 'rnn-lab-chromium', tiny, 2, true);
    if (typeof column === 'string') throw new Error(column);
    expect(column.result.peer).toBe('rnn-lab-chromium');
    expect(Object.keys(column.result.results).sort()).toEqual(['gru-tiny', 'lstm-tiny-infer']);
    for (const m of Object.values(column.result.results)) {
      expect(m.ms_per_step).toBeGreaterThan(0);
      expect(m.cores).toBe(1);
    }
    expect(column.about).toMatch(/^Chromium [\d.]+, kernels (relaxed|simd), flush to zero on, cross-origin isolated page/);
    console.log(`bench in Chromium: ${column.about}; ${JSON.stringify(column.result.results)}`);
  }, 120_000);

  it('says what failed in the page, naming the workload that could not be built', async () => {
    if (missing) throw new Error(missing);
    const broken = { 'no-such-cell': { ...tiny['gru-tiny']!, cell: 'transformer' as unknown as Workload['cell'] } };
    const column = await runInChromium(root, 'rnn-lab-chromium', broken, 1, true);
    expect(typeof column).toBe('string');
    expect(column as string).toMatch(/^the engine failed in Chromium: workload no-such-cell: /);
  }, 120_000);
});
