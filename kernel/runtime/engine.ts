// The one place the runtime takes the engine from. Cells importing 'rnn-lab' get this very
// namespace object, so a Tensor made in a cell is an instance of the class the inspector checks.
import * as engine from '../api';

export { engine };
export const { Tensor, Module } = engine;
export type Tensor = engine.Tensor;
export type Module = engine.Module;
