// The bench in a browser (bench/browser/chromium.ts bundles this and starts it in headless
// Chromium): the engine on a Web Worker's thread, as the kernel of VS Code for the Web runs it
// (kernel/browser/: the browser host, the same wasm SIMD kernels), timing the same hand-written
// steps as the Node column (bench/callingThread.ts). One thread: the engine's helper threads are
// Web Workers of a cross-origin isolated page, which the kernel worker starts from its own bundle.
import type { BrowserBenchRequest, BrowserBenchResponse } from './protocol';
import { getFlushDenormal, kernelFlavour, setFlushDenormal } from '../../kernel/engine/index';
import { installHost } from '../../kernel/host/index';
import { browserHost } from '../../kernel/browser/host';
import { browserInterrupt } from '../../kernel/browser/interrupt';
import { makeStep, median } from '../callingThread';

const scope = self as unknown as Worker;

/** Median ms of `steps` timed steps after two untimed ones (JIT, buffers), as timeSteps in Node. */
function timeSteps(step: () => void, steps: number): number {
  for (let i = 0; i < 2; i++) step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function run(request: BrowserBenchRequest): BrowserBenchResponse {
  // No files in a bench: a port nobody answers.
  installHost(browserHost({ cwd: '/', files: new MessageChannel().port1, env: {} }, browserInterrupt(undefined), () => undefined));
  setFlushDenormal(request.flushDenormal);
  const msPerStep: Record<string, number> = {};
  for (const [name, w] of Object.entries(request.workloads)) {
    try {
      msPerStep[name] = timeSteps(makeStep(w, { instrument: false }), request.steps);
    } catch (error) {
      throw new Error(`workload ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return {
    msPerStep,
    kernels: kernelFlavour(),
    flushDenormal: getFlushDenormal(),
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    userAgent: navigator.userAgent,
  };
}

scope.onmessage = (event: MessageEvent<BrowserBenchRequest>) => {
  try {
    scope.postMessage(run(event.data));
  } catch (error) {
    scope.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies BrowserBenchResponse);
  }
};
