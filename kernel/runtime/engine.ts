// The one place the runtime takes the engine from: the classes it checks values against
// (instanceof: a Tensor made in a cell is one, since cells and the runtime share this realm). The
// public API cells import as 'rnn-lab' (kernel/api.ts) is the server's to hand in (RuntimeHooks).
import * as engine from '../engine/index';

export { engine };
export const { Tensor, Module } = engine;
export type Tensor = engine.Tensor;
export type Module = engine.Module;
