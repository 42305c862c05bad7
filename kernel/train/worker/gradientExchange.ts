// Data-parallel gradient averaging through shared memory.
//
// Every worker owns a slot: its gradients (all parameters concatenated), its shard's loss and
// the number of terms that loss averaged. After backward a worker writes its slot and waits at
// the job's barrier (one per step); then every worker sums all slots in worker order 0…N−1,
// weighting shard k by count_k / Σ count, which is exactly the gradient of the big batch's mean
// loss up to float summation order. All workers do the same arithmetic on the same numbers, so
// their (private) weights stay identical without copying them around. Slots are double-buffered
// by step parity: a fast worker writing step s+1 never overwrites what a slow one still sums.
//
// With one worker the weight is 1 and the sum starts from 0, so the result is bit-identical to
// plain training.

import type { Parameter } from '../../engine/tensor';
import { Tensor } from '../../engine/tensor';
import type { JobControl, StepDecision } from './jobControl';

export interface GradientExchangeHandle {
  buffer: SharedArrayBuffer;
  workers: number;
  /** Number of parameters (tensors). */
  parameterCount: number;
  /** Total number of parameter values. */
  valueCount: number;
}

export function createGradientExchange(workers: number, parameterSizes: readonly number[]): GradientExchangeHandle {
  const valueCount = parameterSizes.reduce((a, b) => a + b, 0);
  const parameterCount = parameterSizes.length;
  const bytes = layout(workers, parameterCount, valueCount).total;
  return { buffer: new SharedArrayBuffer(bytes), workers, parameterCount, valueCount };
}

function layout(workers: number, parameterCount: number, valueCount: number): { grads: number; meta: number; flags: number; total: number } {
  const grads = 0; // Float32 [2][W][valueCount]
  const meta = Math.ceil((2 * workers * valueCount * 4) / 8) * 8; // Float64 [2][W][2]: loss, count
  const flags = meta + 2 * workers * 2 * 8; // Uint8 [2][W][parameterCount]: has a gradient
  return { grads, meta, flags, total: flags + 2 * workers * parameterCount };
}

export class GradientExchange {
  private readonly grads: Float32Array;
  private readonly meta: Float64Array;
  private readonly flags: Uint8Array;
  private readonly W: number;
  private readonly P: number;
  private readonly V: number;
  /** Per parameter: where the slots holding a gradient keep it, and their weights (reused every step). */
  private readonly offsets: number[] = [];
  private readonly factors: number[] = [];

  constructor(
    handle: GradientExchangeHandle,
    private readonly rank: number,
    private readonly control: JobControl,
  ) {
    this.W = handle.workers;
    this.P = handle.parameterCount;
    this.V = handle.valueCount;
    const l = layout(this.W, this.P, this.V);
    this.grads = new Float32Array(handle.buffer, l.grads, 2 * this.W * this.V);
    this.meta = new Float64Array(handle.buffer, l.meta, 2 * this.W * 2);
    this.flags = new Uint8Array(handle.buffer, l.flags, 2 * this.W * this.P);
  }

  /**
   * Publishes this worker's gradients and loss for `step`, waits for all workers, and replaces
   * every parameter's gradient with the weighted sum. Returns the barrier's decision and the
   * whole batch's loss.
   */
  allReduce(params: readonly Parameter[], step: number, loss: number, count: number): { decision: StepDecision; loss: number } {
    if (params.length !== this.P) throw new Error(`GradientExchange: ${params.length} parameters, expected ${this.P}`);
    const parity = step & 1;
    const slot = parity * this.W + this.rank;
    let offset = slot * this.V;
    params.forEach((p, i) => {
      const has = p.grad !== null && count > 0;
      this.flags[slot * this.P + i] = has ? 1 : 0;
      if (has) this.grads.set(p.grad!.data, offset);
      offset += p.size;
    });
    this.meta[slot * 2] = count > 0 ? loss : 0;
    this.meta[slot * 2 + 1] = count;

    const decision = this.control.barrier(this.W);
    if (decision !== 'continue') return { decision, loss: NaN };

    let total = 0;
    for (let k = 0; k < this.W; k++) total += this.meta[(parity * this.W + k) * 2 + 1]!;
    const weights: number[] = [];
    let batchLoss = 0;
    for (let k = 0; k < this.W; k++) {
      const c = this.meta[(parity * this.W + k) * 2 + 1]!;
      const w = c > 0 ? c / total : 0;
      weights.push(w);
      if (w > 0) batchLoss += w * this.meta[(parity * this.W + k) * 2]!;
    }
    if (total === 0) batchLoss = NaN; // every term ignored: a mean over nothing, as in PyTorch

    // Per parameter: the workers' slots that carry a gradient, summed in one pass.
    const { offsets, factors } = this;
    let base = 0;
    for (let i = 0; i < this.P; i++) {
      const p = params[i]!;
      const n = p.size;
      let present = 0;
      for (let k = 0; k < this.W; k++) {
        const s = parity * this.W + k;
        if (this.flags[s * this.P + i] === 1 && weights[k]! > 0) {
          offsets[present] = s * this.V + base;
          factors[present++] = weights[k]!;
        }
      }
      base += n;
      if (present === 0) {
        p.grad = null;
        continue;
      }
      const out = p.grad !== null ? p.grad.data : new Float32Array(n);
      sumInto(out, this.grads, offsets, factors, present);
      if (p.grad === null) p.grad = new Tensor(out, p.shape);
    }
    return { decision, loss: batchLoss };
  }
}

/**
 * out[j] = Σ_k factors[k]·grads[offsets[k] + j] over the first `count` slots, summed in float64
 * from 0 in worker order and rounded once: the same arithmetic on every worker, so their weights
 * stay identical. One pass over the values (two workers, the usual case, get their own loop).
 */
function sumInto(out: Float32Array, grads: Float32Array, offsets: readonly number[], factors: readonly number[], count: number): void {
  const n = out.length;
  if (count === 1) {
    const a = offsets[0]!;
    const wa = factors[0]!;
    for (let j = 0; j < n; j++) out[j] = 0 + wa * grads[a + j]!;
  } else if (count === 2) {
    const a = offsets[0]!;
    const b = offsets[1]!;
    const wa = factors[0]!;
    const wb = factors[1]!;
    for (let j = 0; j < n; j++) out[j] = 0 + wa * grads[a + j]! + wb * grads[b + j]!;
  } else {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < count; k++) acc += factors[k]! * grads[offsets[k]! + j]!;
      out[j] = acc;
    }
  }
}
