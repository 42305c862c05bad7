// The one place where the trainer swaps a tensor's storage. `Tensor.data` is readonly for
// people writing cells; the trainer needs to move parameters onto shared memory (so the kernel
// sees the worker's updates) and to point a worker's parameters at its own copy.

import { formatShape, type Tensor } from '../engine/tensor';

/** Replaces `t.data` with `data` (same length). The old array is left as it was. */
export function replaceTensorData(t: Tensor, data: Float32Array): void {
  if (data.length !== t.data.length) {
    throw new Error(`replaceTensorData: ${data.length} values for a tensor of shape ${formatShape(t.shape)} (${t.data.length} values)`);
  }
  (t as { data: Float32Array }).data = data;
}
