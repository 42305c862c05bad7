// Which gate each block of rows of a recurrent layer's parameter belongs to: weight_ih_l0 (G·H, I),
// weight_hh_l0 (G·H, H) and the biases (G·H) stack the gates' blocks of H rows in PyTorch's order,
// LSTM i, f, g, o and GRU r, z, n. The parameter view marks them.
import { RNNBase } from '../engine/layers/recurrent';
import { gateNames } from '../engine/rnn/cell';
import type { Module } from './engine';

const STACKED = /^(weight_ih|weight_hh|bias_ih|bias_hh)_l\d+(_reverse)?$/;

/** The gates of the parameter's row blocks, in order; undefined when it has no such blocks. */
export function gateBlocks(model: Module, parameter: string): string[] | undefined {
  const dot = parameter.lastIndexOf('.');
  if (!STACKED.test(parameter.slice(dot + 1))) return undefined;
  const path = dot < 0 ? '' : parameter.slice(0, dot);
  const owner = [...model.namedModules()].find(([p]) => p === path)?.[1];
  if (!(owner instanceof RNNBase)) return undefined;
  const names = gateNames(owner.cell);
  return names.length > 1 ? [...names] : undefined;
}
