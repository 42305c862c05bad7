// What the kernel promises, case by case, against the built kernel process (npm run build first):
// a cell may declare any name without breaking the kernel; interrupt ends what the interrupted
// cell started (its timers, its awaits, the job it awaits); reset ends what every cell left
// running; a timer callback that holds the thread can be interrupted. The README's "What the
// kernel promises" lists these cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import { InterruptNotification, ListJobsRequest, ListModelsRequest, type CellOutput, type JobSummary } from '../../kernel/protocol';

const kernelPath = path.resolve(__dirname, '../../dist/kernel.js');
const cliPath = path.resolve(__dirname, '../../bin/rnn-lab.js');
const plain = (o: CellOutput | undefined) => (o && 'data' in o ? o.data['text/plain'] : undefined);
const resultOf = (outputs: CellOutput[]) => plain(outputs.find((o) => o.type === 'result'));
const textOf = (outputs: CellOutput[]) => outputs.map((o) => (o.type === 'stream' ? o.text : o.type === 'error' ? o.error.message : '')).join('');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Every global the kernel, the engine or the transport might reach for, and the cells' own helpers.
// (Not `undefined`: TypeScript forbids declaring it, and esbuild reads it as `void 0`.)
const NAMES = [
  'process', 'performance', 'Buffer', 'console', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout',
  'queueMicrotask', 'structuredClone', 'Date', 'Map', 'Set', 'WeakMap', 'Object', 'Array', 'String', 'Number',
  'Boolean', 'Symbol', 'Promise', 'JSON', 'Math', 'Error', 'TypeError', 'Reflect', 'Proxy', 'Function', 'RegExp',
  'Float32Array', 'Uint8Array', 'ArrayBuffer', 'SharedArrayBuffer', 'Atomics', 'WebAssembly', 'TextEncoder',
  'TextDecoder', 'URL', 'AbortController', 'fetch', 'globalThis', 'require', 'module', 'exports',
  '__dirname', 'display', 'plotLoss', 'fit', 'LSTM', 'Tensor', 'constructor', '__proto__', 'toString',
  'hasOwnProperty', '__rnnlab', '__rnnlab_scope', '__rnnlab_rt',
] as const;

/** A cell that needs timers, promises and console, written around the name under test. */
function probeFor(name: string): string {
  const g = ['setTimeout', 'Promise', 'console'].includes(name) ? 'globalThis.' : '';
  return `const probe$ = await new ${g}Promise((resolve) => ${g}setTimeout(() => resolve(40 + 2), 1));\n${g}console.log('alive');\nprobe$`;
}

/** A declaration of `name` whose value reads back as 'mine'. */
const DECLARATIONS: Record<string, (name: string) => string> = {
  const: (n) => `const ${n} = 'mine';`,
  let: (n) => `let ${n} = 'mine';`,
  var: (n) => `var ${n} = 'mine';`,
  function: (n) => `function ${n}() { return 'mine'; }`,
  class: (n) => `class ${n} { static v = 'mine'; }`,
  import: (n) => `import { SGD as ${n} } from 'rnn-lab';`,
};
const READ_BACK: Record<string, (name: string) => string> = {
  const: (n) => n,
  let: (n) => n,
  var: (n) => n,
  function: (n) => `${n}()`,
  class: (n) => `${n}.v`,
  import: (n) => `${n}.name`,
};

describe('a cell may declare any name', () => {
  let kernel: KernelProcess;
  beforeAll(async () => {
    kernel = new KernelProcess({ kernelPath });
    await kernel.initialize();
  });
  afterAll(() => kernel.dispose());

  it.each(Object.keys(DECLARATIONS))('with %s: the cell and later cells see it, the kernel keeps working, reset recovers', async (kind) => {
    const failures: string[] = [];
    for (const name of NAMES) {
      const declared = await kernel.execute(DECLARATIONS[kind]!(name));
      const read = await kernel.execute(READ_BACK[kind]!(name));
      const expected = kind === 'import' ? "'SGD'" : "'mine'";
      // The kernel still answers: a cell, a display, console output, a timer, the inspector, jobs.
      const probe = await kernel.execute(probeFor(name));
      const models = await kernel.request<unknown[]>(ListModelsRequest, null);
      const jobs = await kernel.request<JobSummary[]>(ListJobsRequest, null);
      await kernel.reset();
      const afterReset = await kernel.execute(`typeof ${name}`);
      const ok =
        declared.status === 'ok' && resultOf(read.outputs) === expected && resultOf(probe.outputs) === '42' &&
        textOf(probe.outputs).includes('alive') && Array.isArray(models) && Array.isArray(jobs) && afterReset.status === 'ok';
      if (!ok) failures.push(`${kind} ${name}: ${declared.status} ${declared.error?.message ?? ''} / read ${String(resultOf(read.outputs))} ${read.error?.message ?? ''} / probe ${probe.status} ${probe.error?.message ?? ''}`);
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('runs display, fit, interrupt and reset after a cell shadowed the kernel names they use', async () => {
    await kernel.execute(
      [
        'const performance = { accuracy: 0.93 };',
        'function process(t: string) { return t.trim(); }',
        'let Buffer = [1, 2, 3]; const setImmediate = 3; const Date = 1, Map = 2, String = 3, Object = 4, Array = 5;',
        'const setTimeout = 0, console = null, Promise = 7, JSON = 8, Math = 9;',
      ].join('\n'),
    );
    const shown = await kernel.execute("display({ a: 1 });\nprocess('  x  ')");
    expect(shown.outputs.map((o) => o.type)).toEqual(['display', 'result']);
    expect(resultOf(shown.outputs)).toBe("'x'");
    const trained = await kernel.execute(
      [
        "import { Linear, tensor, fit } from 'rnn-lab';",
        'const net = new Linear(2, 1);',
        'const result = await fit(net, { x: tensor([[1, 2], [3, 4]]), y: tensor([[1], [2]]) }, { maxSteps: 3, batchSize: 2, loss: "mse", display: false }).done;',
        'result.steps',
      ].join('\n'),
    );
    expect(trained.error).toBeUndefined();
    expect(resultOf(trained.outputs)).toBe('3');
    const started = kernel.execute("globalThis.console.log('spinning');\nfor (;;) {}");
    await sleep(500);
    kernel.interrupt();
    expect((await started).status).toBe('interrupted');
    expect(resultOf((await kernel.execute('performance.accuracy')).outputs)).toBe('0.93');
    await kernel.reset();
    expect(resultOf((await kernel.execute('typeof performance.now')).outputs)).toBe("'function'");
  }, 60_000);

  it('refuses to replace or delete a global the kernel itself uses, and says why', async () => {
    const replaced = await kernel.execute('globalThis.Buffer = [1, 2] as never;');
    expect(replaced.error?.message).toBe(
      "Cannot replace the kernel's global 'Buffer': the kernel uses it. Declare a name of your own instead (const Buffer = …); it lives in the notebook's scope.",
    );
    const deleted = await kernel.execute('delete (globalThis as { process?: unknown }).process;');
    expect(deleted.error?.name).toBe('TypeError');
    expect(resultOf((await kernel.execute('typeof Buffer.from + typeof process.pid')).outputs)).toBe("'functionnumber'");
  });

  it('runs a notebook that names a variable performance and a function process headlessly', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rnn-lab-contract-'));
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        "const performance = { accuracy: 0.93 };\nfunction process(t: string) { return t.trim(); }",
        "display({ accuracy: performance.accuracy });\nprocess('  ok  ')",
      ].map((source) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null })),
    };
    writeFileSync(path.join(dir, 'names.ipynb'), JSON.stringify(notebook));
    const run = spawnSync(process.execPath, [cliPath, 'run', path.join(dir, 'names.ipynb'), '--out', path.join(dir, 'out.ipynb')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const written = JSON.parse(readFileSync(path.join(dir, 'out.ipynb'), 'utf8')) as { cells: { outputs: { data?: Record<string, unknown> }[] }[] };
    expect(written.cells[1]!.outputs.at(-1)!.data!['text/plain']).toEqual(["'ok'"]);
  }, 60_000);

  it('puts back built-ins a cell broke (Array.prototype.push, JSON.parse) and removes prototype pollution', async () => {
    const r = await kernel.execute(
      "(Object.prototype as Record<string, unknown>).polluted = 1;\n(Array.prototype as { push: unknown }).push = null;\nJSON.parse = (() => 1) as never;\n'broken'",
    );
    expect(resultOf(r.outputs)).toBe("'broken'");
    expect(textOf(r.outputs)).toContain("changed built-in 'Object.prototype.polluted', 'Array.prototype.push', 'JSON.parse'");
    const after = await kernel.execute("const keys: string[] = [];\nfor (const k in {}) keys.push(k);\n[keys.length, JSON.parse('2')]");
    expect(resultOf(after.outputs)).toBe('[ 0, 2 ]');
  });

  it('puts back any other global a cell replaced outright, and says so', async () => {
    const r = await kernel.execute("globalThis.fetch = (() => 'fake') as never;\n'replaced'");
    expect(textOf(r.outputs)).toContain("replaced the kernel's global 'fetch'");
    expect(resultOf(r.outputs)).toBe("'replaced'");
    expect(resultOf((await kernel.execute('fetch.name')).outputs)).toBe("'fetch'");
  });
});

describe('what a cell means', () => {
  let kernel: KernelProcess;
  beforeAll(async () => {
    kernel = new KernelProcess({ kernelPath });
    await kernel.initialize();
  });
  afterAll(() => kernel.dispose());

  it('displays an object literal cell, as the Node REPL does', async () => {
    expect(resultOf((await kernel.execute('({ a: 1 })')).outputs)).toBe('{ a: 1 }');
  });

  it('names a missing export of rnn-lab, with the nearest names, before the cell runs', async () => {
    const r = await kernel.execute("globalThis.console.log('ran');\nimport { LSTMs } from 'rnn-lab';");
    expect(r.error?.name).toBe('ImportError');
    expect(r.error?.message).toBe("'rnn-lab' has no export named 'LSTMs'. Did you mean 'LSTM'? (If 'LSTMs' is a type, import it with `import type`.)");
    expect(r.error?.line).toBe(2);
    expect(textOf(r.outputs)).not.toContain('ran');
  });

  it('throws on assignment to a const, in the same cell and in later ones', async () => {
    const same = await kernel.execute('const fixed = 1;\nfixed = 2;');
    expect(same.error).toMatchObject({ name: 'TypeError', message: "Assignment to constant variable 'fixed'.", line: 2 });
    const later = await kernel.execute('fixed += 1;');
    expect(later.error?.name).toBe('TypeError');
    expect(resultOf((await kernel.execute('fixed')).outputs)).toBe('1');
    // Running the declaring cell again is how a notebook changes a const.
    await kernel.execute('const fixed = 3;');
    expect(resultOf((await kernel.execute('fixed')).outputs)).toBe('3');
  });

  it('lets a function call one that a later cell defines, and typeof of an unknown name', async () => {
    await kernel.execute('function early() { return later() + (typeof notYet); }');
    await kernel.execute("function later() { return 'found '; }");
    expect(resultOf((await kernel.execute('early()')).outputs)).toBe("'found undefined'");
  });

  it('quotes the names the person wrote in error messages', async () => {
    const r = await kernel.execute('const notFn = 1;\nnotFn();');
    expect(r.error?.message).toBe('notFn is not a function');
  });
});

describe('interrupt ends what the cell started', () => {
  let kernel: KernelProcess;
  beforeAll(async () => {
    kernel = new KernelProcess({ kernelPath });
    await kernel.initialize();
  });
  afterAll(() => kernel.dispose());

  it('stops an awaiting loop: no tick after the interrupt, none in a later cell', async () => {
    const ticks: string[] = [];
    const stop = kernel.onOutput(({ executionId, output }) => output.type === 'stream' && ticks.push(`${executionId}:${output.text}`));
    const running = kernel.execute("let i = 0;\nfor (;;) { await new Promise((r) => setTimeout(r, 100)); console.log('tick', ++i); }", { executionId: 'loop' });
    await sleep(700);
    kernel.interrupt();
    expect((await running).status).toBe('interrupted');
    const count = ticks.length;
    await sleep(600);
    const later = await kernel.execute('i', { executionId: 'later' });
    stop();
    expect(ticks.length).toBe(count);
    expect(ticks.every((t) => t.startsWith('loop:'))).toBe(true);
    expect(Number(resultOf(later.outputs))).toBe(count);
  });

  it('stops promise timers and for-await loops of the cell (node:timers/promises)', async () => {
    const running = kernel.execute(
      "import { setInterval as every } from 'node:timers/promises';\nlet beats = 0;\nfor await (const _ of every(50)) beats++;",
    );
    await sleep(500);
    kernel.interrupt();
    expect((await running).status).toBe('interrupted');
    const before = Number(resultOf((await kernel.execute('beats')).outputs));
    await sleep(300);
    expect(Number(resultOf((await kernel.execute('beats')).outputs))).toBe(before);
  });

  it('lets timers of finished cells run into their own cell, and reset ends them', async () => {
    const seen: string[] = [];
    const stop = kernel.onOutput(({ executionId, output }) => output.type === 'stream' && seen.push(executionId));
    await kernel.execute("let beats2 = 0;\nsetInterval(() => console.log('beat', ++beats2), 50);", { executionId: 'timer-cell' });
    await kernel.execute('await new Promise((r) => setTimeout(r, 300));', { executionId: 'other-cell' });
    expect(seen).toContain('timer-cell');
    expect(seen).not.toContain('other-cell');
    await kernel.reset();
    const count = seen.length;
    await sleep(300);
    stop();
    expect(seen.length).toBe(count);
  });

  it('ends a timer callback that holds the thread, and the queued cell then runs', async () => {
    await kernel.execute('setTimeout(() => { for (;;) {} }, 200);', { executionId: 'bomb' });
    await sleep(400);
    const next = kernel.execute("'next'", { executionId: 'next' });
    await sleep(600);
    kernel.interrupt();
    const r = await next;
    expect(r.status).toBe('ok');
    expect(resultOf(r.outputs)).toBe("'next'");
    expect(kernel.outputs.get('bomb')?.at(-1)).toMatchObject({ type: 'error', error: { name: 'Interrupted' } });
  });

  it('ends a promise chain a finished cell left spinning (it never yields to the event loop)', async () => {
    const flood = await kernel.execute("(function again() { Promise.resolve().then(again); })();\n'flooding'");
    expect(resultOf(flood.outputs)).toBe("'flooding'");
    const next = kernel.execute("'answered'", { executionId: 'next-after-flood' });
    await sleep(500);
    // What a person does when the kernel does not answer: interrupt. It ends the spinning chain,
    // and the cell the kernel could not even read until then runs.
    kernel.interrupt();
    expect(resultOf((await next).outputs)).toBe("'answered'");
  });

  it('cancels a cell the kernel received but had not started when the interrupt for it came', async () => {
    const busy = kernel.execute('await new Promise((r) => setTimeout(r, 800));', { executionId: 'busy' });
    const queued = kernel.execute("globalThis.console.log('should not run');", { executionId: 'queued' });
    await sleep(200);
    // The notification alone (as the Windows client sends it): a SIGINT would stop `busy`.
    await kernel.connection.sendNotification(InterruptNotification, { executionId: 'queued' });
    expect((await busy).status).toBe('ok');
    const r = await queued;
    expect(r.status).toBe('interrupted');
    expect(textOf(r.outputs)).not.toContain('should not run');
  });

  it.each([true, false])('stops the job the cell awaits (worker: %s) at a step boundary, names the one an earlier cell started', async (worker) => {
    await kernel.reset();
    await kernel.execute(
      [
        "import { LSTM, Linear, Module, Tensor, select, tensor, fit } from 'rnn-lab';",
        'class Net extends Module {',
        '  lstm = new LSTM(4, 16, { batchFirst: true }); fc = new Linear(16, 1);',
        '  forward(x: Tensor) { const { h } = this.lstm.forward(x); return this.fc.forward(select(h, 0, 0)); }',
        '}',
        'const xs = Array.from({ length: 32 }, (_, i) => Array.from({ length: 10 }, (_, t) => [Math.sin(i + t), 0, 0, 1]));',
        'const data = { x: tensor(xs), y: tensor(xs.map((r) => [r[0]![0]!])) };',
        'const background = new Net();',
        "const backgroundJob = fit(background, data, { maxSteps: 1e6, batchSize: 8, loss: 'mse', display: false });",
      ].join('\n'),
    );
    const running = kernel.execute(`const net = new Net();\nawait fit(net, data, { maxSteps: 1e6, batchSize: 8, loss: 'mse', display: false, worker: ${worker} }).done;`);
    await sleep(2500);
    kernel.interrupt();
    const r = await running;
    expect(r.status).toBe('interrupted');
    expect(r.error?.message).toMatch(/Training job job-\d+ \(net\) stopped after step \d+; the model keeps that step's weights\./);
    expect(r.error?.message).toMatch(/Still training, started by other cells: job-\d+ \(background, step \d+\)/);
    const jobs = await kernel.request<JobSummary[]>(ListJobsRequest, null);
    expect(jobs.filter((j) => j.status === 'running').map((j) => j.model)).toEqual(['background']);
    const step = jobs.find((j) => j.model === 'net')!.step;
    await sleep(500);
    const again = await kernel.request<JobSummary[]>(ListJobsRequest, null);
    expect(again.find((j) => j.model === 'net')!.step).toBe(step);
    await kernel.reset(); // stops the background job
    const afterReset = await kernel.request<JobSummary[]>(ListJobsRequest, null);
    expect(afterReset.filter((j) => j.status === 'running')).toEqual([]);
  }, 60_000);
});
