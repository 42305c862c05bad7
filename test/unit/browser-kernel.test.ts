// The kernel in a browser Web Worker (issue 20): dist/web/kernel.js started in headless Chromium
// the way the extension's browser entry starts it (test/browser/kernelHarness.ts), on a plain page
// and on a cross-origin isolated one (COOP/COEP headers), beside the Node kernel process. Cells of
// the vanishing-gradients sample give the same outputs in both, bit for bit; training steps give
// the same losses. Needs `npm run build` and Chromium (scripts/ci-deps.sh): a missing browser
// fails the test in CI and skips it elsewhere. Timings are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { KernelProcess } from '../../kernel/runner/kernelProcess';
import type { CellOutput } from '../../kernel/protocol';
import type { HarnessRun } from '../browser/kernelHarness';

const root = path.resolve(__dirname, '../..');
const executablePath = process.env.RNN_LAB_CHROMIUM ?? '/usr/bin/chromium';
const bundlePath = path.join(root, 'dist/web/kernel.js');
const kernelPath = path.join(root, 'dist/kernel.js');
const missing = !existsSync(executablePath) ? `no Chromium at ${executablePath} (run scripts/ci-deps.sh, or set RNN_LAB_CHROMIUM)` : !existsSync(bundlePath) ? `no ${bundlePath} (npm run build)` : null;

if (missing && process.env.CI) {
  describe('the kernel in a browser Web Worker', () => {
    it('needs Chromium and the build', () => {
      throw new Error(missing);
    });
  });
} else if (missing) {
  console.warn(`browser-kernel: skipped, ${missing}`);
  describe.skip(`the kernel in a browser Web Worker (skipped: ${missing})`, () => {
    it('is not run', () => undefined);
  });
} else {
  describeInBrowser();
}

/** The code cells of a sample notebook, in order. */
function sampleCells(name: string): string[] {
  const notebook = JSON.parse(readFileSync(path.join(root, 'samples', `${name}.ipynb`), 'utf8')) as { cells: { cell_type: string; source: string[] | string }[] };
  return notebook.cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
}

/** What a cell showed, without display ids (random per kernel). */
function shown(outputs: CellOutput[]): unknown[] {
  return outputs.map((o) => ('data' in o ? { type: o.type, data: o.data } : o.type === 'stream' ? { type: o.type, name: o.name, text: o.text } : o));
}

/** Where two outputs differ: paths of unequal values, numbers allowed one part in 1e14 (JavaScript's own Math between V8 versions). */
function differences(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-14 * Math.max(Math.abs(a), Math.abs(b)) ? [] : [`${at}: ${a} ≠ ${b}`];
  if (Array.isArray(a) && Array.isArray(b)) return a.length !== b.length ? [`${at}: length ${a.length} ≠ ${b.length}`] : a.flatMap((x, i) => differences(x, b[i], `${at}[${i}]`));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return a === b ? [] : [`${at}: ${JSON.stringify(a)?.slice(0, 200)} ≠ ${JSON.stringify(b)?.slice(0, 200)}`];
}

const stdout = (run: { outputs: CellOutput[] }) => run.outputs.map((o) => (o.type === 'stream' && o.name === 'stdout' ? o.text : '')).join('');
const text = (o: CellOutput | undefined) => (o && 'data' in o ? String(o.data['text/plain']) : undefined);

function describeInBrowser(): void {
  let browser: Browser;
  let harnessScript: string;
  const bundle = readFileSync(bundlePath);
  const trainingWorker = readFileSync(path.join(root, 'dist/web/worker.js'));

  /**
   * A page with the harness, served by the test itself (nothing listens). The plain one at
   * http://rnn-lab.test/ is not even a secure context (no crypto.randomUUID there); the isolated
   * one is at http://localhost (cross-origin isolation needs a secure context) with COOP/COEP.
   */
  async function openPage(isolated: boolean): Promise<Page> {
    const origin = isolated ? 'http://localhost:9' : 'http://rnn-lab.test';
    const page = await browser.newPage();
    const headers: Record<string, string> = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    await page.route(`${origin}/**`, (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/kernel.js') return route.fulfill({ body: bundle, contentType: 'text/javascript', headers });
      if (url.pathname === '/worker.js') return route.fulfill({ body: trainingWorker, contentType: 'text/javascript', headers });
      if (url.pathname === '/harness.js') return route.fulfill({ body: harnessScript, contentType: 'text/javascript', headers });
      return route.fulfill({ body: '<!doctype html><script src="/harness.js"></script>', contentType: 'text/html', headers });
    });
    page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
    await page.goto(`${origin}/`);
    return page;
  }

  const start = (page: Page, env: Record<string, string> = {}) =>
    page.evaluate((e) => (globalThis as unknown as { rnnLabHarness: { start(env: Record<string, string>): Promise<{ crossOriginIsolated: boolean; startMs: number }> } }).rnnLabHarness.start(e), env);
  const execute = (page: Page, code: string): Promise<HarnessRun> =>
    page.evaluate((c) => (globalThis as unknown as { rnnLabHarness: { execute(code: string): Promise<HarnessRun> } }).rnnLabHarness.execute(c), code);
  const executeAndInterrupt = (page: Page, code: string, afterMs: number): Promise<HarnessRun & { stopMs: number }> =>
    page.evaluate(
      ([c, ms]) => (globalThis as unknown as { rnnLabHarness: { executeAndInterrupt(code: string, ms: number): Promise<HarnessRun & { stopMs: number }> } }).rnnLabHarness.executeAndInterrupt(c, ms),
      [code, afterMs] as [string, number],
    );
  const kernelLog = (page: Page) => page.evaluate(() => (globalThis as unknown as { rnnLabHarness: { log(): string[] } }).rnnLabHarness.log());

  beforeAll(async () => {
    const out = await build({ entryPoints: [path.join(root, 'test/browser/kernelHarness.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
    harnessScript = out.outputFiles[0]!.text;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe('on a page that is not cross-origin isolated', () => {
    let page: Page;
    let node: KernelProcess;
    let started: { crossOriginIsolated: boolean; startMs: number };
    beforeAll(async () => {
      page = await openPage(false);
      started = await start(page);
      node = new KernelProcess({ kernelPath, cwd: path.join(root, 'samples') });
      await node.initialize();
    }, 60_000);
    afterAll(async () => {
      await node?.dispose();
      await page?.close();
    });

    it('starts from a Blob URL and compiles the first cell in the worker', async () => {
      expect(started.crossOriginIsolated).toBe(false);
      const first = await execute(page, 'const answer: number = 6 * 7;\nanswer');
      const second = await execute(page, 'answer + 1');
      expect(first.result.status).toBe('ok');
      expect(text(first.outputs.at(-1))).toBe('42');
      expect(text(second.outputs.at(-1))).toBe('43');
      console.log(`browser kernel: from new Worker to initialized ${started.startMs.toFixed(0)} ms; first cell (TypeScript loading) ${first.wallMs.toFixed(0)} ms, second ${second.wallMs.toFixed(1)} ms`);
    });

    it('keeps state across cells, with top-level await, the display API, console and rnn-lab imports', async () => {
      const a = await execute(page, "import { tensor, LSTM } from 'rnn-lab';\nconst lstm = new LSTM(3, 4);\nlet total = 0;\nfor (const v of [1, 2, 3]) total += v;\nconsole.log('total', total, { nested: [1, 'two'] });");
      expect(a.result.status).toBe('ok');
      expect(stdout(a)).toBe("total 6 { nested: [ 1, 'two' ] }\n");
      const b = await execute(page, "await new Promise((resolve) => setTimeout(resolve, 20));\nconst h = display(markdown('**hello**'));\nh.update(markdown('**bye**'));\nlstm.numParameters() + total");
      expect(b.result.status).toBe('ok');
      expect(b.outputs.map((o) => o.type)).toEqual(['display', 'update', 'result']);
      expect(text(b.outputs.at(-1))).toBe(String(4 * 4 * (3 + 4 + 2) + 6));
      const c = await execute(page, "import { setTimeout as sleep } from 'node:timers/promises';\nawait sleep(10, 'late')");
      expect(text(c.outputs.at(-1))).toBe("'late'");
    });

    it('says that a Node module cannot be loaded in the browser, before the cell runs', async () => {
      const run = await execute(page, "import { readFileSync } from 'node:fs';\nreadFileSync('x')");
      expect(run.result.status).toBe('error');
      expect(run.result.error!.message).toMatch(/^Cannot import 'node:fs': the browser cannot load it: 'node:fs' is a Node\.js module.*without Node\.js/);
      const pkg = await execute(page, "import lodash from 'lodash';");
      expect(pkg.result.error!.message).toMatch(/no node_modules folder to load 'lodash'/);
    });

    it('maps a runtime error to the line of the cell', async () => {
      const run = await execute(page, 'const x = 1;\nfunction boom(): never { throw new RangeError(`bad ${x}`); }\nboom();');
      expect(run.result.status).toBe('error');
      expect(run.result.error!.name).toBe('RangeError');
      expect(run.result.error!.line).toBe(2);
      expect(run.result.error!.stack).toMatch(/at boom \(cell \d+:2:\d+\)/);
    });

    it('runs the vanishing-gradients sample cells 1–4 with the Node kernel’s outputs, bit for bit', async () => {
      const cells = sampleCells('vanishing-gradients').slice(0, 4);
      for (const [i, code] of cells.entries()) {
        const inNode = await node.execute(code);
        const inBrowser = await execute(page, code);
        expect(inBrowser.result.status, `cell ${i + 1}: ${JSON.stringify(inBrowser.result.error)}`).toBe(inNode.status);
        const [b, n] = [shown(inBrowser.outputs), shown(inNode.outputs)];
        if (process.env.RNN_LAB_DUMP) writeFileSync(`${process.env.RNN_LAB_DUMP}-${i + 1}.json`, JSON.stringify({ browser: b, node: n }, null, 1));
        // The engine's numbers (float32, wasm) are the same bit for bit; what a cell computes in
        // doubles with \`**\` may differ in the last bit between the two V8s (Node 20's, Chromium's).
        expect(differences(b, n), `cell ${i + 1}`).toEqual([]);
        console.log(`vanishing-gradients cell ${i + 1}: browser ${inBrowser.result.durationMs.toFixed(0)} ms, Node ${inNode.durationMs.toFixed(0)} ms`);
      }
    }, 240_000);

    it('computes the gradient norms per step of cell 4 bit for bit', async () => {
      const code = 'JSON.stringify(KINDS.map((k) => initialNorms[k]))';
      const [inBrowser, inNode] = [await execute(page, code), await node.execute(code)];
      expect(text(inBrowser.outputs.at(-1))).toBe(text(inNode.outputs.at(-1)));
    });

    it('trains the sample’s LSTM (Adam, T = 50) with the same losses as Node; step times printed', async () => {
      const steps = 30;
      const code = [
        "manualSeed(0);\nconst trained = new AddingModel('LSTM');\nconst opt = new Adam(trained.parameters(), { lr: 0.01 });\nconst gen = new Generator(1);",
        'const losses: number[] = [];\nconst times: number[] = [];',
        `for (let s = 0; s < ${steps}; s++) {`,
        '  const t0 = performance.now();',
        '  const batch = addingBatch(BATCH, 50, gen);\n  const loss = mseLoss(trained.forward(batch.x), batch.y);\n  opt.zeroGrad();\n  loss.backward();\n  clipGradNorm(trained.parameters(), 1);\n  opt.step();',
        '  losses.push(loss.item());\n  times.push(performance.now() - t0);\n}',
        'console.log(JSON.stringify({ losses, times }));',
      ].join('\n');
      const inNode = await node.execute(code);
      const inBrowser = await execute(page, code);
      expect(inBrowser.result.status).toBe('ok');
      const parse = (s: string) => JSON.parse(s) as { losses: number[]; times: number[] };
      const n = parse(stdout({ outputs: inNode.outputs }));
      const b = parse(stdout(inBrowser));
      expect(b.losses).toEqual(n.losses);
      const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
      console.log(`LSTM adding step (N=32, T=50, H=32; median of the last ${steps - 5}): browser ${median(b.times.slice(5)).toFixed(2)} ms, Node ${median(n.times.slice(5)).toFixed(2)} ms`);
    }, 120_000);

    it('trains with fit() on the kernel’s own thread and streams the job', async () => {
      const run = await execute(
        page,
        "import { fit } from 'rnn-lab';\nmanualSeed(1);\nconst probe = addingBatch(64, 10, new Generator(5));\nconst fitted = new AddingModel('GRU');\nconst job = fit(fitted, { x: probe.x, y: probe.y }, { epochs: 2, batchSize: 16, lr: 0.01, loss: 'mse' });\nconst result = await job.done;\n[result.status, result.steps]",
      );
      expect(run.result.status, JSON.stringify(run.result.error)).toBe('ok');
      expect(text(run.outputs.at(-1))).toBe("[ 'done', 8 ]");
      expect(run.outputs.some((o) => o.type === 'display')).toBe(true);
    }, 60_000);

    it('saves a model to the workspace and loads it back; a file it did not write needs loadModelAsync', async () => {
      const save = await execute(page, "import { saveModel, loadModel, loadModelAsync } from 'rnn-lab';\nsaveModel(lstm, 'models/lstm.safetensors');\nconst copy = new LSTM(3, 4);\nloadModel(copy, 'models/lstm.safetensors');\ncopy.weight_hh_l0.data[5] === lstm.weight_hh_l0.data[5]");
      expect(save.result.status, JSON.stringify(save.result.error)).toBe('ok');
      expect(text(save.outputs.at(-1))).toBe('true');
      const written = await page.evaluate(() => (globalThis as unknown as { rnnLabHarness: { file(p: string): number[] | null } }).rnnLabHarness.file('/workspace/samples/models/lstm.safetensors'));
      expect(written).not.toBeNull();
      await page.evaluate(() => (globalThis as unknown as { rnnLabHarness: { putFile(p: string, b: number[]): void } }).rnnLabHarness.putFile('/workspace/samples/other.safetensors', []));
      const sync = await execute(page, "loadModel(copy, 'other.safetensors')");
      expect(sync.result.error!.message).toMatch(/not cross-origin isolated.*loadModelAsync/);
      const copied = await execute(page, "await saveModel(lstm, '/workspace/samples/again.safetensors');\nconst bytes = await loadModelAsync(new LSTM(3, 4), 'again.safetensors');\nbytes.loaded.length");
      expect(text(copied.outputs.at(-1))).toBe('4');
    });

    it('interrupts a cell that awaits in a loop (the notification), and the kernel goes on', async () => {
      const run = await executeAndInterrupt(page, "let ticks = 0;\nfor (;;) { await new Promise((r) => setTimeout(r, 50)); ticks++; }", 300);
      expect(run.result.status).toBe('interrupted');
      const after = await execute(page, 'ticks > 0');
      expect(text(after.outputs.at(-1))).toBe('true');
      console.log(`interrupt of an awaiting loop (plain page): ${run.stopMs.toFixed(0)} ms`);
    });

    it('logs nothing unexpected', async () => {
      expect((await kernelLog(page)).filter((l) => !/^$/.test(l))).toEqual([]);
    });
  });

  describe('on a cross-origin isolated page', () => {
    let page: Page;
    beforeAll(async () => {
      page = await openPage(true);
      const started = await start(page);
      expect(started.crossOriginIsolated).toBe(true);
    }, 60_000);
    afterAll(async () => {
      await page?.close();
    });

    it('interrupts a synchronous loop, keeping the variables assigned so far', async () => {
      await execute(page, 'let spins = 0;');
      const run = await executeAndInterrupt(page, 'while (true) { spins++; }', 300);
      expect(run.result.status).toBe('interrupted');
      const after = await execute(page, 'spins > 1000');
      expect(text(after.outputs.at(-1))).toBe('true');
      console.log(`interrupt of while (true) (cross-origin isolated): ${run.stopMs.toFixed(0)} ms`);
    });

    it('trains fit() in a training worker (dist/web/worker.js): the same losses as on the kernel’s thread; data-parallel workers work', async () => {
      const setup = [
        "import { fit, GRU, Linear, Module, Tensor, manualSeed, select, Generator } from 'rnn-lab';",
        'class Tiny extends Module { rnn = new GRU(2, 8, { batchFirst: true }); head = new Linear(8, 1); forward(x: Tensor) { return this.head.forward(select(this.rnn.forward(x).h, 0, 0)); } }',
        'const g = new Generator(3);',
        'const xs = new Tensor(Float32Array.from({ length: 64 * 10 * 2 }, () => g.random()), [64, 10, 2]);',
        'const ys = new Tensor(Float32Array.from({ length: 64 }, () => g.random()), [64, 1]);',
        "const train = (options: object) => { manualSeed(7); const m = new Tiny(); return fit(m, { x: xs, y: ys }, { epochs: 2, batchSize: 16, lr: 0.01, loss: 'mse', seed: 1, display: false, ...options }).done; };",
      ].join('\n');
      expect((await execute(page, setup)).result.status).toBe('ok');
      const inWorker = await execute(page, 'const w = await train({});\nJSON.stringify(w.losses)');
      const onThread = await execute(page, 'const t = await train({ worker: false });\nJSON.stringify(t.losses)');
      expect(inWorker.result.status, JSON.stringify(inWorker.result.error)).toBe('ok');
      expect(text(inWorker.outputs.at(-1))).toBe(text(onThread.outputs.at(-1)));
      const checkpointed = await execute(page, "const c = await train({ checkpoint: { path: 'checkpoints/tiny.safetensors', everySteps: 4 } });\nc.checkpoints.length");
      expect(checkpointed.result.status, JSON.stringify(checkpointed.result.error)).toBe('ok');
      const file = await page.evaluate(() => (globalThis as unknown as { rnnLabHarness: { file(p: string): number[] | null } }).rnnLabHarness.file('/workspace/samples/checkpoints/tiny.safetensors'));
      expect(file, 'the training worker’s checkpoint in the workspace').not.toBeNull();
      const parallel = await execute(page, 'const p = await train({ workers: 2 });\n[p.status, p.losses.every(Number.isFinite)]');
      expect(parallel.result.status, JSON.stringify(parallel.result.error)).toBe('ok');
      expect(text(parallel.outputs.at(-1))).toBe("[ 'done', true ]");
      console.log(`fit() in a training worker: ${inWorker.result.durationMs.toFixed(0)} ms; on the kernel's thread ${onThread.result.durationMs.toFixed(0)} ms; two data-parallel workers ${parallel.result.durationMs.toFixed(0)} ms`);
    }, 120_000);

    it('interrupts a loop inside a function an earlier cell defined, and trainSteps between steps', async () => {
      await execute(page, 'function spin(): number { let n = 0; for (;;) n++; }');
      const run = await executeAndInterrupt(page, 'spin()', 200);
      expect(run.result.status).toBe('interrupted');
      const next = await execute(page, '1 + 1');
      expect(text(next.outputs.at(-1))).toBe('2');
    });

    it('reads a workspace file synchronously (loadModel) through shared memory', async () => {
      const run = await execute(page, "import { LSTM, saveModel, loadModel } from 'rnn-lab';\nconst a = new LSTM(2, 3);\nsaveModel(a, 'a.safetensors');\nconst b = new LSTM(2, 3);\nloadModel(b, '/workspace/samples/a.safetensors').loaded.length");
      expect(run.result.status, JSON.stringify(run.result.error)).toBe('ok');
      expect(text(run.outputs.at(-1))).toBe('4');
      // A file the kernel did not write (a copy made beside it, as a commit would bring one): read through the extension.
      await page.evaluate(() => (globalThis as unknown as { rnnLabHarness: { copyFile(a: string, b: string): void } }).rnnLabHarness.copyFile('/workspace/samples/a.safetensors', '/workspace/samples/copy.safetensors'));
      const other = await execute(page, "const c = new LSTM(2, 3);\nloadModel(c, 'copy.safetensors');\nc.weight_ih_l0.data[0] === a.weight_ih_l0.data[0]");
      expect(other.result.status, JSON.stringify(other.result.error)).toBe('ok');
      expect(text(other.outputs.at(-1))).toBe('true');
      const absent = await execute(page, "loadModel(c, 'nothing-here.safetensors')");
      expect(absent.result.error!.message).toMatch(/nothing-here\.safetensors/);
    });
  });
}
