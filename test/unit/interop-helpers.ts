// Shared pieces of the interop tests: running an exported model in onnxruntime (its WebAssembly build, onnxruntime-web, as in a browser), random
// inputs from a seeded generator, and the float32 closeness check.

import * as ort from 'onnxruntime-web';
import { Generator, Tensor } from '../../kernel/engine/index';

/** |a − b| ≤ ATOL + RTOL·|b| for every element: float32 tolerance for O(1) values. */
export const ATOL = 1e-5;
export const RTOL = 1e-4;

export type Feed = Tensor | { int64: Tensor } | { int32: readonly number[] };

/** Runs the model once; float tensors go in as float32, { int64 } as token ids, { int32 } as lengths. */
export async function runOnnx(bytes: Uint8Array, feeds: Record<string, Feed>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds)) {
    if (f instanceof Tensor) inputs[name] = new ort.Tensor('float32', new Float32Array(f.data), [...f.shape]);
    else if ('int64' in f) inputs[name] = new ort.Tensor('int64', BigInt64Array.from(f.int64.data, (v) => BigInt(v)), [...f.int64.shape]);
    else inputs[name] = new ort.Tensor('int32', Int32Array.from(f.int32), [f.int32.length]);
  }
  const results = await session.run(inputs);
  const out: Record<string, Tensor> = {};
  for (const name of session.outputNames) {
    const r = results[name]!;
    out[name] = new Tensor(Float32Array.from(r.data as Float32Array), r.dims.map(Number));
  }
  await session.release();
  return out;
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.shape.length !== b.shape.length || a.shape.some((v, i) => v !== b.shape[i])) return Infinity;
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return Number.isNaN(m) ? Infinity : m;
}

/** Largest |a−b| / (ATOL + RTOL·|b|); ≤ 1 means close. Infinity on a shape mismatch. */
export function toleranceRatio(a: Tensor, b: Tensor): number {
  if (a.shape.length !== b.shape.length || a.shape.some((v, i) => v !== b.shape[i])) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.size; i++) {
    const r = Math.abs(a.data[i]! - b.data[i]!) / (ATOL + RTOL * Math.abs(b.data[i]!));
    worst = Math.max(worst, Number.isNaN(r) ? Infinity : r);
  }
  return worst;
}

export function randn(gen: Generator, shape: number[]): Tensor {
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gen.normal()), shape);
}

export function randomTokens(gen: Generator, vocab: number, shape: number[]): Tensor {
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gen.randint(0, vocab)), shape);
}

/** The worst max-abs difference seen per test file, printed at the end for the record. */
export class DiffLog {
  private readonly worst = new Map<string, number>();
  record(label: string, diff: number): number {
    this.worst.set(label, Math.max(this.worst.get(label) ?? 0, diff));
    return diff;
  }
  summary(): string {
    return [...this.worst].map(([k, v]) => `${k}: ${v.toExponential(2)}`).join('\n');
  }
}
