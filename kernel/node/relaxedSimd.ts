// Relaxed SIMD in Node: where the V8 lacks it (Node 20), V8's flag turns it on for the whole
// process (engine/wasm/flags.ts explains when and why).
import { setFlagsFromString } from 'node:v8';
import { enableRelaxedSimd as enableWith, validateWasm, type RelaxedSimdState } from '../engine/wasm/flags';

export function enableRelaxedSimd(): RelaxedSimdState {
  return enableWith(validateWasm, setFlagsFromString);
}
