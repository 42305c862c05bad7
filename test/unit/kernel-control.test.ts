// Interrupt (SIGINT, as the extension sends it), restart and a dying kernel, against the built
// kernel process (npm run build first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KernelDiedError, KernelProcess } from '../../kernel/runner/kernelProcess';
import type { CellOutput } from '../../kernel/protocol';
import { NotebookRuntime } from '../../kernel/runtime/runtime';

const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
const plain = (o: CellOutput | undefined) => (o && 'data' in o ? o.data['text/plain'] : undefined);

/** Runs a cell and sends SIGINT once the cell printed 'started' (so the signal finds it running). */
async function runAndInterrupt(kernel: KernelProcess, code: string) {
  const stop = kernel.onOutput(({ output }) => {
    if (output.type === 'stream' && output.text.includes('started')) kernel.interrupt();
  });
  try {
    return await kernel.execute(code);
  } finally {
    stop();
  }
}

describe('interrupt', () => {
  let kernel: KernelProcess;
  beforeAll(async () => {
    kernel = new KernelProcess({ kernelPath });
    await kernel.initialize();
  });
  afterAll(() => kernel.dispose());

  it('stops a synchronous endless loop and keeps the variables assigned so far', async () => {
    const r = await runAndInterrupt(kernel, "const before = 'kept';\nlet spins = 0;\nconsole.log('started');\nwhile (true) { spins++; }");
    expect(r.status).toBe('interrupted');
    expect(r.outputs.at(-1)).toMatchObject({ type: 'error', error: { name: 'Interrupted', stack: 'Interrupted: The cell was stopped.' } });
    const after = await kernel.execute('[before, spins > 0]');
    expect(plain(after.outputs[0])).toBe("[ 'kept', true ]");
  });

  it('stops a synchronous loop that runs after an await', async () => {
    const r = await runAndInterrupt(kernel, "await new Promise((resolve) => setTimeout(resolve, 1));\nlet late = 0;\nconsole.log('started');\nfor (;;) { late++; }");
    expect(r.status).toBe('interrupted');
    expect(plain((await kernel.execute('late > 0')).outputs[0])).toBe('true');
  });

  it('stops a loop inside a function an earlier cell defined, called after an await', async () => {
    await kernel.execute('function spin(): never {\n  for (;;) {}\n}');
    const r = await runAndInterrupt(kernel, "await null;\nconsole.log('started');\nspin();");
    expect(r.status).toBe('interrupted');
  });

  it('stops a cell that awaits forever', async () => {
    const r = await runAndInterrupt(kernel, "const waiting = true;\nconsole.log('started');\nawait new Promise(() => {});");
    expect(r.status).toBe('interrupted');
    expect(plain((await kernel.execute('waiting')).outputs[0])).toBe('true');
  });

  it('leaves the kernel working: timers, awaits and outputs', async () => {
    const r = await kernel.execute("await new Promise((resolve) => setTimeout(resolve, 5));\nconsole.log('still here');\n1 + 1");
    expect(r.status).toBe('ok');
    expect(r.outputs.map((o) => (o.type === 'stream' ? o.text : plain(o)))).toEqual(['still here\n', '2']);
  });

  it('ignores SIGINT when no cell runs', async () => {
    kernel.interrupt();
    const r = await kernel.execute("'alive'");
    expect(plain(r.outputs[0])).toBe("'alive'");
  });
});

describe('an interrupt while a cell is being prepared', () => {
  // The first cell of a fresh kernel spends a while compiling and loading its imports: an interrupt
  // then went nowhere (no cell was running yet), and the loop the cell went on to could not be
  // stopped any more. Here the import itself interrupts, at that very moment.
  it('ends the cell before it runs', async () => {
    const outputs: CellOutput[] = [];
    const runtime = new NotebookRuntime({ sendOutput: ({ output }) => void outputs.push(output), sendNotification: () => undefined });
    const folder = mkdtempSync(path.join(tmpdir(), 'rnn-lab-interrupting-import-'));
    writeFileSync(path.join(folder, 'interrupts.cjs'), 'globalThis.interruptTheCell();\nexports.loaded = true;\n');
    const global = globalThis as { interruptTheCell?: () => boolean };
    global.interruptTheCell = () => runtime.interrupt();
    try {
      const r = await runtime.execute({ executionId: 'e1', code: "import { loaded } from './interrupts.cjs';\nconsole.log('ran', loaded);", cellLabel: 'cell 1', cwd: folder });
      expect(r.status).toBe('interrupted');
      expect(outputs.filter((o) => o.type === 'stream')).toEqual([]);
      expect(outputs.filter((o) => o.type === 'error')).toMatchObject([{ error: { name: 'Interrupted', message: 'The cell was stopped.' } }]);
    } finally {
      delete global.interruptTheCell;
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('restart and a dying kernel', () => {
  it('gives a fresh scope after reset and in a restarted process', async () => {
    const first = new KernelProcess({ kernelPath });
    await first.initialize();
    await first.execute('const survivor = 1;');
    await first.reset();
    expect(plain((await first.execute('typeof survivor')).outputs[0])).toBe("'undefined'");
    await first.execute('const survivor = 2;');
    await first.dispose();
    const second = new KernelProcess({ kernelPath });
    await second.initialize();
    expect(plain((await second.execute('typeof survivor')).outputs[0])).toBe("'undefined'");
    await second.dispose();
  });

  it('reports process.exit as a dead kernel with its exit code, after the output before it', async () => {
    const kernel = new KernelProcess({ kernelPath });
    await kernel.initialize();
    const error = await kernel.execute("console.log('last words');\nprocess.exit(3);", { executionId: 'exit' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelDiedError);
    expect((error as KernelDiedError).exit.code).toBe(3);
    expect(kernel.outputs.get('exit')).toEqual([{ type: 'stream', name: 'stdout', text: 'last words\n' }]);
    await expect(kernel.execute('1')).rejects.toBeInstanceOf(KernelDiedError);
    await kernel.dispose();
  });

  it('reports running out of memory as a dead kernel', async () => {
    const kernel = new KernelProcess({ kernelPath, execArgv: ['--max-old-space-size=48'] });
    await kernel.initialize();
    const error = await kernel.execute('const hoard: number[][] = [];\nfor (;;) hoard.push(new Array(100_000).fill(1.5));').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelDiedError);
    expect((error as KernelDiedError).message).toMatch(/heap out of memory/i);
    await kernel.dispose();
  });
});
