import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { kernelSpawnPlan, killKernelTree, OutputTail, spawnKernel } from '../../extension/node/kernelProcess';
import { hasKernelMalloc, KERNEL_MALLOC_ENV } from '../../kernel/processEnv';

const base = { kernelScript: '/ext/dist/kernel.js', nodePathSetting: '', env: { PATH: '/bin', NODE_OPTIONS: '--inspect=9229' }, platform: 'linux' as const };

describe('how the kernel process is spawned', () => {
  it('desktop VS Code: its Electron executable runs as Node', () => {
    const plan = kernelSpawnPlan({ ...base, execPath: '/opt/code/code', versions: { node: '20.18.0', electron: '32.2.0' } });
    expect(plan.command).toBe('/opt/code/code');
    expect(plan.args).toEqual(['/ext/dist/kernel.js', '--stdio']);
    expect(plan.env.ELECTRON_RUN_AS_NODE).toBe('1');
    expect(plan.env.PATH).toBe('/bin');
    expect(plan.env.NODE_OPTIONS).toBeUndefined();
  });

  it('code-server / VS Code Server: the extension host already is node', () => {
    const plan = kernelSpawnPlan({ ...base, execPath: '/usr/bin/node', versions: { node: '20.20.2' } });
    expect(plan.command).toBe('/usr/bin/node');
    expect(plan.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it('the rnnLab.kernel.nodePath setting wins', () => {
    const plan = kernelSpawnPlan({ ...base, nodePathSetting: ' /usr/local/bin/node ', execPath: '/opt/code/code', versions: { electron: '32' }, env: { ELECTRON_RUN_AS_NODE: '1' } });
    expect(plan.command).toBe('/usr/local/bin/node');
    expect(plan.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it("on Linux, glibc's malloc keeps a training step's big arrays for the next step; a value the user set wins", () => {
    const plan = kernelSpawnPlan({ ...base, execPath: '/usr/bin/node', versions: { node: '20.20.2' }, env: { PATH: '/bin', MALLOC_TRIM_THRESHOLD_: '0' } });
    expect(plan.env.MALLOC_MMAP_THRESHOLD_).toBe(KERNEL_MALLOC_ENV.MALLOC_MMAP_THRESHOLD_);
    expect(plan.env.MALLOC_TRIM_THRESHOLD_).toBe('0');
    expect(hasKernelMalloc(plan.env, 'linux')).toBe(true);
    expect(hasKernelMalloc({ PATH: '/bin' }, 'linux')).toBe(false);
    for (const platform of ['darwin', 'win32'] as const) {
      const elsewhere = kernelSpawnPlan({ ...base, platform, execPath: '/usr/bin/node', versions: { node: '20.20.2' } });
      expect(Object.keys(elsewhere.env).filter((name) => name.startsWith('MALLOC_'))).toEqual([]);
    }
  });

  it('keeps only the tail of the stderr output', () => {
    const tail = new OutputTail(10);
    tail.append('0123456789');
    tail.append('abc');
    expect(tail.toString()).toBe('3456789abc');
    tail.clear();
    expect(tail.toString()).toBe('');
  });
});

describe('killKernelTree', () => {
  it.runIf(process.platform === 'linux')('ends the kernel and the processes its cells started (restart)', async () => {
    // A stand-in kernel that starts a long-lived process, as `child_process.spawn` in a cell would.
    const script = "const c = require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);";
    const kernel = spawnKernel({ command: process.execPath, args: ['-e', script], env: process.env }, process.cwd());
    const grandchild = await new Promise<number>((resolve) => kernel.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    // A killed process whose parent is gone may stay a zombie (state Z) until init reaps it.
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    expect(alive(grandchild)).toBe(true);
    const exited = new Promise((resolve) => kernel.once('exit', resolve));
    killKernelTree(kernel);
    await exited;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(grandchild)).toBe(false);
  });
});
