// A hostile notebook against the built kernel process (npm run build first): cells that pollute
// prototypes, break Node's objects the kernel calls, throw values that cannot be described, or show
// values whose own code never ends. Each must leave the kernel answering, with the cell's error or
// a note saying what was put back; none may wedge the kernel or lose its variables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import type { CellOutput } from '../../kernel/protocol';

const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
const plain = (o: CellOutput | undefined) => (o && 'data' in o ? o.data['text/plain'] : undefined);
const resultOf = (outputs: CellOutput[]) => plain(outputs.find((o) => o.type === 'result'));
const stderrOf = (outputs: CellOutput[]) => outputs.map((o) => (o.type === 'stream' && o.name === 'stderr' ? o.text : '')).join('');
const stdoutOf = (outputs: CellOutput[]) => outputs.map((o) => (o.type === 'stream' && o.name === 'stdout' ? o.text : '')).join('');
const errorsOf = (outputs: CellOutput[]) => outputs.flatMap((o) => (o.type === 'error' ? [o.error] : []));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a hostile cell leaves the kernel answering', () => {
  let kernel: KernelProcess;
  beforeAll(async () => {
    kernel = new KernelProcess({ kernelPath });
    await kernel.initialize();
    await kernel.execute("const kept = 'still here';");
  });
  afterAll(() => kernel.dispose());

  /** The kernel runs a cell with a timer, console output and a result, and the first cell's variable is there. */
  async function expectAlive(): Promise<void> {
    const probe = await kernel.execute("await new Promise((r) => setTimeout(r, 5));\nconsole.log('alive');\n[kept, performance.now() > 0, Buffer.from('ab').length]");
    expect(probe.status).toBe('ok');
    expect(stdoutOf(probe.outputs)).toContain('alive');
    expect(resultOf(probe.outputs)).toBe("[ 'still here', true, 2 ]");
  }

  it.each([
    ['a no-op Object.prototype.then', "(Object.prototype as any).then = function () {};\n'x'", "'x'"],
    ['an Object.prototype.then that resolves', "(Object.prototype as any).then = function (r: (v: number) => void) { r(1); };\n'y'", "'y'"],
    ['an Array.prototype.then', "(Array.prototype as any).then = function () {};\n[1, 2]", '[ 1, 2 ]'],
    ['Function.prototype.call = null', "(Function.prototype as any).call = null;\n'call broken'", "'call broken'"],
    ['Function.prototype.apply = null', "(Function.prototype as any).apply = null;\n'apply broken'", "'apply broken'"],
  ])('ends a cell that set %s, puts it back and says so', async (_what, code, shown) => {
    const r = await kernel.execute(code);
    expect(r.status).toBe('ok');
    expect(resultOf(r.outputs)).toBe(shown);
    expect(stderrOf(r.outputs)).toMatch(/put (it|them) back/);
    await expectAlive();
    expect((await kernel.execute("typeof (({}) as any).then + typeof (Function.prototype as any).call")).outputs.find((o) => o.type === 'result')).toBeDefined();
  });

  it.each([
    ['performance.now', '(performance as any).now = null;'],
    ['Atomics.add', '(Atomics as any).add = null;'],
    ['Buffer.from', '(Buffer as any).from = null;'],
    ['process.nextTick', '(process as any).nextTick = null;'],
    ['process.stdout.write', '(process.stdout as any).write = null;'],
    ['MessagePort.prototype.postMessage', "(Object.getPrototypeOf(new MessageChannel().port1) as any).postMessage = null;"],
    ['Error.prepareStackTrace', '(Error as any).prepareStackTrace = (_: unknown, frames: unknown) => frames;'],
    ['EventEmitter.prototype.emit', '(Object.getPrototypeOf(Object.getPrototypeOf(process)) as any).emit = null;'],
  ])('puts back %s after the cell that replaced it', async (name, code) => {
    const r = await kernel.execute(`${code}\n'done'`);
    expect(r.status).toBe('ok');
    expect(stderrOf(r.outputs)).toContain(name.split('.').at(-1)!);
    await expectAlive();
  });

  it('keeps its listeners: a later async error is shown, not fatal, after process.removeAllListeners()', async () => {
    const removed = await kernel.execute("process.removeAllListeners('uncaughtException'); process.removeAllListeners('unhandledRejection'); process.removeAllListeners('SIGINT');\n'removed'");
    expect(removed.status).toBe('ok');
    expect(stderrOf(removed.outputs)).toContain('process listener for uncaughtException');
    await kernel.execute("setTimeout(() => { throw new Error('late failure'); }, 10); Promise.reject(new Error('rejected'));", { executionId: 'async-errors' });
    await sleep(200);
    const messages = errorsOf(kernel.outputs.get('async-errors') ?? []).map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining(['late failure', 'rejected']));
    // SIGINT still interrupts a spinning cell.
    const spinning = kernel.execute('for (;;) {}');
    await sleep(500);
    kernel.interrupt();
    expect((await spinning).status).toBe('interrupted');
    await expectAlive();
  });

  it.each([
    ['a Proxy whose getPrototypeOf throws', "throw new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } });"],
    ['an Error whose message getter throws', "const e = new Error('y'); Object.defineProperty(e, 'message', { get() { throw new Error('getter'); } }); throw e;"],
    ['an Error whose stack is a number', "const e = new Error('numbered'); (e as any).stack = 42; throw e;"],
    ['an Error whose message is an object', "const e = new Error('z'); (e as any).message = { code: 1 }; throw e;"],
    ['an Error whose name getter throws', "class W extends Error { get name(): string { throw new Error('n'); } }\nthrow new W('x');"],
  ])('describes %s as the cell error, and goes on', async (_what, code) => {
    const r = await kernel.execute(code);
    expect(r.status).toBe('error');
    expect(r.error?.message).toBeTruthy();
    await expectAlive();
  });

  it('describes errors after a cell set Error.prepareStackTrace, and survives a timer throwing one with a numeric stack', async () => {
    await kernel.execute('(Error as any).prepareStackTrace = (_: unknown, frames: unknown) => frames;');
    const parse = await kernel.execute("JSON.parse('{bad')");
    expect(parse.status).toBe('error');
    expect(parse.error?.name).toBe('SyntaxError');
    expect(parse.error?.line).toBe(1);
    await kernel.execute("setTimeout(() => { const e = new Error('timer'); (e as any).stack = 42; throw e; }, 10);", { executionId: 'numeric-stack' });
    await sleep(200);
    expect(errorsOf(kernel.outputs.get('numeric-stack') ?? []).map((e) => e.message)).toContain('timer');
    await expectAlive();
  });

  it.each([
    ['a custom inspect', "({ [Symbol.for('nodejs.util.inspect.custom')]() { for (;;) {} } })"],
    ['toMimeBundle', '({ toMimeBundle() { for (;;) {} } })'],
  ])('interrupts a cell whose value loops forever in %s, and keeps its variables', async (_what, code) => {
    const showing = kernel.execute(code);
    await sleep(600);
    kernel.interrupt();
    const r = await showing;
    expect(r.status).toBe('interrupted');
    await expectAlive();
  });

  it('shows a thenable the cell did not await, and awaits a promise', async () => {
    const thenable = await kernel.execute("const b = { tag: 'mine', then(_ok: unknown) {} };\nb");
    expect(thenable.status).toBe('ok');
    expect(resultOf(thenable.outputs)).toContain("tag: 'mine'");
    const promise = await kernel.execute('Promise.resolve(6 * 7)');
    expect(resultOf(promise.outputs)).toBe('42');
    const pending = kernel.execute('new Promise(() => {})');
    await sleep(300);
    kernel.interrupt();
    expect((await pending).status).toBe('interrupted');
    await expectAlive();
  });

  it('says how to write a CommonJS import, and names the cell (not its script) in a redeclaration', async () => {
    const cjs = await kernel.execute("const x = 1;\nimport fs = require('node:fs');\nfs.existsSync('/')");
    expect(cjs.status).toBe('error');
    expect(cjs.error?.message).toContain("write import * as fs from 'node:fs'");
    expect(cjs.error?.line).toBe(2);
    const twice = await kernel.execute('let q = 1;\nlet q = 2;', { cellLabel: 'cell 9' });
    expect(twice.error?.message).toBe("Identifier 'q' has already been declared (cell 9:2:5)");
    await expectAlive();
  });

  describe('a training job whose own code never returns', () => {
    const setup = [
      "import { LSTM, Linear, Module, Tensor, select, fit } from 'rnn-lab';",
      'const xs = new Tensor(new Float32Array(8 * 4 * 3).map((_, i) => Math.sin(i)), [8, 4, 3]);',
      'const ys = new Tensor(Float32Array.from({ length: 8 }, (_, i) => i % 2), [8]);',
      'class Tiny extends Module {',
      '  lstm = new LSTM(3, 4, { batchFirst: true });',
      '  fc = new Linear(4, 2);',
      '  forward(x: Tensor): Tensor { const { h } = this.lstm.forward(x); return this.fc.forward(select(h, 0, -1)); }',
      '}',
    ].join('\n');

    it('is ended by stop() after a grace period: its worker is ended and the job fails saying why', async () => {
      expect((await kernel.execute(setup)).status).toBe('ok');
      const r = await kernel.execute(
        "const stuck = fit(new Tiny(), { x: xs, y: ys }, { batchSize: 4, maxSteps: 10, display: false, forwardLoss: () => { for (;;) {} } });\n" +
          'await new Promise((r) => setTimeout(r, 300));\nstuck.stop();\n' +
          "await stuck.done.then(() => 'ended', (e: Error) => `${e.name}: ${e.message}`)",
      );
      expect(r.status).toBe('ok');
      expect(resultOf(r.outputs)).toContain('TrainingStopTimeout: Training job');
      expect(resultOf(r.outputs)).toContain('its worker was ended');
      await expectAlive();
    }, 30_000);

    it('has an onEvent listener that holds the thread ended by an interrupt; the kernel keeps its variables', async () => {
      const awaiting = kernel.execute(
        "const looping = fit(new Tiny(), { x: xs, y: ys }, { batchSize: 4, maxSteps: 1e9, display: false, onEvent: (e) => { if (e.job.step > 3) for (;;) {} } });\nawait looping.done",
      );
      await sleep(1500);
      kernel.interrupt();
      expect((await awaiting).status).toBe('interrupted');
      await expectAlive();
      const ended = await kernel.execute("await looping.done.then(() => 'done', () => 'failed');\nlooping.status");
      expect(['stopped', 'failed', 'done'].map((s) => `'${s}'`)).toContain(resultOf(ended.outputs));
    }, 30_000);
  });
});
