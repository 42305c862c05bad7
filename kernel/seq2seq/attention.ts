// Luong, Pham & Manning 2015, "global attention" with the dot score:
//   score(h_t, h̄_s) = h_tᵀ h̄_s,   a_t = softmax_s(score),   c_t = Σ_s a_t(s) h̄_s
// The decoder then combines h̃_t = tanh(W_c [c_t; h_t]) and predicts from h̃_t (decoder.ts).

import { add, matmul, softmax, squeeze, unsqueeze } from '../engine/ops';
import { formatShape, Tensor } from '../engine/tensor';

/** Added to the scores of padded source positions: exp(−1e9) is exactly 0 in float32. */
const MASKED = -1e9;

/** An additive mask (N,S): 0 where s < lengths[n], −1e9 at padding. */
export function sourceMask(lengths: readonly number[], S: number): Tensor {
  const N = lengths.length;
  const data = new Float32Array(N * S);
  lengths.forEach((len, n) => data.fill(MASKED, n * S + len, (n + 1) * S));
  return new Tensor(data, [N, S]);
}

export interface AttentionResult {
  /** (N,H) context vector c_t. */
  context: Tensor;
  /** (N,S) attention weights a_t, each row summing to 1 over the real source positions. */
  weights: Tensor;
}

/** query (N,H) is the decoder state h_t; keys (N,S,H) the encoder outputs h̄_s; mask (N,S) additive. */
export function luongDotAttention(query: Tensor, keys: Tensor, mask?: Tensor): AttentionResult {
  const [N, S, H] = keys.shape as [number, number, number];
  if (keys.ndim !== 3 || query.ndim !== 2 || query.shape[0] !== N || query.shape[1] !== H) {
    throw new Error(`luongDotAttention: query is ${formatShape(query.shape)} and keys are ${formatShape(keys.shape)}; expected (N,H) and (N,S,H)`);
  }
  if (mask && (mask.shape[0] !== N || mask.shape[1] !== S)) throw new Error(`luongDotAttention: mask is ${formatShape(mask.shape)}, expected (${N},${S})`);
  let scores = squeeze(matmul(keys, unsqueeze(query, 2)), 2); // (N,S,H)·(N,H,1) → (N,S)
  if (mask) scores = add(scores, mask);
  const weights = softmax(scores, -1); // (N,S)
  const context = squeeze(matmul(unsqueeze(weights, 1), keys), 1); // (N,1,S)·(N,S,H) → (N,H)
  return { context, weights };
}
