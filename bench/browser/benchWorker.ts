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
import { makeStep, timeSteps } from '../callingThread';

const scope = self as unknown as Worker;

function run(request: BrowserBenchRequest): BrowserBenchResponse {
  // No files in a bench: a port nobody answers.
  installHost(browserHost({ cwd: '/', files: new MessageChannel().port1, env: {} }, browserInterrupt(undefined), () => undefined));
  setFlushDenormal(request.flushDenormal);
  const msPerStep: Record<string, number> = {};
  for (const [name, w] of Object.entries(request.workloads)) {
    try {
      msPerStep[name] = timeSteps(makeStep(w, { instrument: false }), request.steps, () => 0).ms; // no RSS in a browser
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
