// The bench's browser column (issue 20: the engine in headless Chromium beside Node, in the same
// run): bench/browser/benchWorker.ts bundled with esbuild and run in a Web Worker of a page the
// bench serves itself (Playwright's routing: nothing listens on a port), with the COOP/COEP
// headers of a cross-origin isolated page, as VS Code for the Web's kernel runs behind them.
// Chromium is Debian's (scripts/ci-deps.sh); without it the column is skipped with a note.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gflops } from '../report';
import type { PeerResult } from '../rounds';
import { flops, type Workload } from '../workloads';
import type { BrowserBenchRequest, BrowserBenchResponse } from './protocol';

const ORIGIN = 'http://localhost:9';
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export const chromiumPath = (): string => process.env.RNN_LAB_CHROMIUM ?? '/usr/bin/chromium';

export interface ChromiumColumn {
  result: PeerResult;
  /** Chromium's version, the kernels the engine picked there, and whether the page was isolated. */
  about: string;
}

/** RNN Lab's hand-written steps in headless Chromium; a string says why the column is missing. */
export async function runInChromium(repoRoot: string, peer: string, workloads: Record<string, Workload>, steps: number, flushDenormal: boolean): Promise<ChromiumColumn | string> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) return `no Chromium at ${executablePath} (scripts/ci-deps.sh installs it; RNN_LAB_CHROMIUM names another)`;
  const { build } = await import('esbuild');
  const { chromium } = await import('playwright-core');
  const bundled = await build({ entryPoints: [join(repoRoot, 'bench/browser/benchWorker.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  const workerScript = bundled.outputFiles[0]!.text;
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    await page.route(`${ORIGIN}/**`, (route) => {
      const isWorker = new URL(route.request().url()).pathname === '/bench-worker.js';
      return route.fulfill({
        body: isWorker ? workerScript : '<!doctype html><title>RNN Lab bench</title>',
        contentType: isWorker ? 'text/javascript' : 'text/html',
        headers: ISOLATION_HEADERS,
      });
    });
    await page.goto(`${ORIGIN}/`);
    const request: BrowserBenchRequest = { workloads, steps, flushDenormal };
    const response = await page.evaluate(
      (r) =>
        new Promise<BrowserBenchResponse>((resolve) => {
          const worker = new Worker('/bench-worker.js');
          worker.onmessage = (event: MessageEvent<BrowserBenchResponse>) => resolve(event.data);
          worker.onerror = (event) => resolve({ error: event.message || 'the worker failed to start' });
          worker.postMessage(r);
        }),
      request,
    );
    if ('error' in response) return `the engine failed in Chromium: ${response.error}`;
    const results: PeerResult['results'] = {};
    for (const [name, ms] of Object.entries(response.msPerStep)) results[name] = { ms_per_step: +ms.toFixed(3), gflops: +gflops(flops(workloads[name]!), ms).toFixed(2), cores: 1 };
    const version = response.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? response.userAgent;
    return {
      result: { peer, results },
      about: `Chromium ${version}, kernels ${response.kernels}, flush to zero ${response.flushDenormal ? 'on' : 'off'}, ${response.crossOriginIsolated ? 'cross-origin isolated' : 'not isolated'} page, one Web Worker thread`,
    };
  } finally {
    await browser.close();
  }
}
