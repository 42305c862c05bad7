// What the Node side of the browser bench (chromium.ts) and its Web Worker (benchWorker.ts) say.
import type { Workload } from '../workloads';

export interface BrowserBenchRequest {
  workloads: Record<string, Workload>;
  steps: number;
  /** As the Node column runs (setFlushDenormal). */
  flushDenormal: boolean;
}

export type BrowserBenchResponse =
  | {
      /** Median ms per step, per workload. */
      msPerStep: Record<string, number>;
      /** The wasm kernels the engine picked in this browser (relaxed SIMD or SIMD128). */
      kernels: string;
      flushDenormal: boolean;
      crossOriginIsolated: boolean;
      userAgent: string;
    }
  | { error: string };
