// Matrix products: matmul (batched too) and F.linear, on the engine's GEMM (../gemm.ts) and, for
// linear, the WebAssembly kernels of wasm/linear.ts with plain references beside them.

import { gemm, wasmFor } from '../gemm';
import { formatShape, fromOp, handOver, Tensor } from '../tensor';
import { wasmLinearBackward, wasmLinearForward, type LinearGrads } from '../wasm/linear';
import { squeeze, unsqueeze } from './shape';

/**
 * a (…,M,K) @ b (K,N) → (…,M,N), or batched a (B,M,K) @ b (B,K,N) → (B,M,N); 1-D b is a vector.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 1 || b.ndim < 1) throw new Error('matmul: both arguments need at least one dimension');
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  const K = a.shape[a.ndim - 1]!;
  if (b.ndim === 2) {
    if (b.shape[0] !== K) throw new Error(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not align (${K} vs ${b.shape[0]})`);
    const N = b.shape[1]!;
    const M = a.size / K;
    const out = new Float32Array(M * N);
    gemm(false, false, M, N, K, a.data, 0, b.data, 0, out, 0, 0);
    const outShape = [...a.shape.slice(0, -1), N];
    return fromOp(out, outShape, [a, b], () => ({
      name: 'MatMulBackward',
      inputs: [a, b],
      backward(g) {
        let ga: Float32Array | null = null;
        let gb: Float32Array | null = null;
        if (a.requiresGrad) {
          ga = new Float32Array(M * K); // dA (M,K) = dC (M,N) · Bᵀ
          gemm(false, true, M, K, N, g, 0, b.data, 0, ga, 0, 0);
        }
        if (b.requiresGrad) {
          gb = new Float32Array(K * N); // dB (K,N) = Aᵀ · dC
          gemm(true, false, K, N, M, a.data, 0, g, 0, gb, 0, 0);
        }
        return [ga, gb];
      },
    }));
  }
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || b.shape[1] !== K) {
    throw new Error(`matmul: unsupported or mismatched shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [Bt, M] = [a.shape[0]!, a.shape[1]!];
  const N = b.shape[2]!;
  const out = new Float32Array(Bt * M * N);
  for (let i = 0; i < Bt; i++) gemm(false, false, M, N, K, a.data, i * M * K, b.data, i * K * N, out, i * M * N, 0);
  return fromOp(out, [Bt, M, N], [a, b], () => ({
    name: 'BmmBackward',
    inputs: [a, b],
    backward(g) {
      const ga = a.requiresGrad ? new Float32Array(a.size) : null;
      const gb = b.requiresGrad ? new Float32Array(b.size) : null;
      for (let i = 0; i < Bt; i++) {
        if (ga) gemm(false, true, M, K, N, g, i * M * N, b.data, i * K * N, ga, i * M * K, 0);
        if (gb) gemm(true, false, K, N, M, a.data, i * M * K, g, i * M * N, gb, i * K * N, 0);
      }
      return [ga, gb];
    },
  }));
}

/** y = x Wᵀ + b with x (…,in), weight (out,in), bias (out): PyTorch's F.linear. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const [O, I] = [weight.shape[0]!, weight.shape[1]!];
  if (weight.ndim !== 2 || (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== O))) {
    throw new Error(`linear: weight ${formatShape(weight.shape)} must be (out,in) and bias ${bias ? formatShape(bias.shape) : 'null'} (out,) or null`);
  }
  if (x.shape[x.ndim - 1] !== I) {
    throw new Error(`linear: input is ${formatShape(x.shape)} but the weight is ${formatShape(weight.shape)} (expects last dimension ${I})`);
  }
  const M = x.size / I;
  // The wasm kernels when this thread has them and the product pays for the copies; the loops below otherwise.
  const w = wasmFor(M, O, I);
  const out = w ? wasmLinearForward(w, x.data, M, I, weight.data, O, bias?.data ?? null) : linearForwardReference(x.data, M, I, weight.data, O, bias?.data ?? null);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return fromOp(out, [...x.shape.slice(0, -1), O], inputs, () => ({
    name: 'LinearBackward',
    inputs,
    backward(g) {
      // g is (M,O)
      const want = { gx: x.requiresGrad, gw: weight.requiresGrad, gb: bias?.requiresGrad === true };
      const { gx, gw, gb } = w ? wasmLinearBackward(w, g, M, O, x.data, I, weight.data, want) : linearBackwardReference(g, M, O, x.data, I, weight.data, want);
      return bias ? [gx, handOver(gw), handOver(gb)] : [gx, handOver(gw)];
    },
  }));
}

/** y (M,O) = x (M,I)·weightᵀ + bias: linear's plain loops (the reference of wasm/linear.ts). */
export function linearForwardReference(x: Float32Array, M: number, I: number, weight: Float32Array, O: number, bias: Float32Array | null): Float32Array {
  const out = new Float32Array(M * O);
  gemm(false, true, M, O, I, x, 0, weight, 0, out, 0, 0);
  if (bias) for (let row = 0; row < M * O; row += O) for (let o = 0; o < O; o++) out[row + o]! += bias[o]!;
  return out;
}

/** linear's gradients with plain loops (the reference of wasm/linear.ts). */
export function linearBackwardReference(g: Float32Array, M: number, O: number, x: Float32Array, I: number, weight: Float32Array, want: { gx: boolean; gw: boolean; gb: boolean }): LinearGrads {
  const gx = want.gx ? new Float32Array(M * I) : null;
  if (gx) gemm(false, false, M, I, O, g, 0, weight, 0, gx, 0, 0); // (M,O)·(O,I)
  const gw = want.gw ? new Float32Array(O * I) : null;
  if (gw) gemm(true, false, O, I, M, g, 0, x, 0, gw, 0, 0); // gᵀ(O,M)·x(M,I)
  let gb: Float32Array | null = null;
  if (want.gb) {
    // Column sums in float64, row by row (the rows are contiguous).
    const sums = new Float64Array(O);
    for (let row = 0; row < M * O; row += O) for (let o = 0; o < O; o++) sums[o]! += g[row + o]!;
    gb = Float32Array.from(sums);
  }
  return { gx, gw, gb };
}
