// Assembles the generated WebAssembly text with wabt (a build-time tool, not a runtime
// dependency): used by scripts/build-wasm.mjs and by the test that checks the committed binaries.

import wabt from 'wabt';
import { moduleText, type Flavour } from './module';

export async function assembleModule(flavour: Flavour): Promise<Uint8Array> {
  const w = await wabt();
  const text = moduleText(flavour);
  const features = { simd: true, threads: true, relaxed_simd: flavour === 'relaxed' };
  const mod = w.parseWat(`rnn-lab-${flavour}.wat`, text, features);
  try {
    mod.resolveNames();
    // wabt's typings omit validate's features argument (without it, shared memory is refused).
    (mod as unknown as { validate(f: typeof features): void }).validate(features);
    return mod.toBinary({ write_debug_names: true }).buffer;
  } finally {
    mod.destroy();
  }
}
