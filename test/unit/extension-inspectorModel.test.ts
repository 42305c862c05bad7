import { describe, expect, it } from 'vitest';
import type { ModuleSummary, ParameterSummary } from '../../kernel/protocol';
import { childrenOf, jobDescription, lookOf, modelNode, parameterDescription } from '../../extension/inspectorModel';

function param(name: string, shape: number[], gradNorm: number | null = null): ParameterSummary {
  const count = shape.reduce((a, b) => a * b, 1);
  return { name, shape, count, mean: 0.01, std: 0.1, min: -0.2, max: 0.2, gradNorm };
}

// A classifier: embedding → 2-layer LSTM → linear head.
const classifier: ModuleSummary = {
  kind: 'module',
  className: 'Classifier',
  parameterCount: 0,
  training: true,
  layers: [
    { path: '', className: 'Classifier', description: 'Classifier', parameterCount: 0 },
    { path: 'embed', className: 'Embedding', description: 'Embedding(10, 4)', parameterCount: 40 },
    { path: 'lstm', className: 'LSTM', description: 'LSTM(4, 8, numLayers=2)', parameterCount: 1152 },
    { path: 'head', className: 'Linear', description: 'Linear(8, 3)', parameterCount: 27 },
  ],
  parameters: [
    param('embed.weight', [10, 4]),
    param('lstm.weight_ih_l0', [32, 4], 0.5),
    param('lstm.weight_hh_l0', [32, 8]),
    param('head.weight', [3, 8]),
    param('head.bias', [3]),
    param('temperature', [1]),
  ],
};

describe('model inspector tree', () => {
  it('a model expands into its layers, then its own parameters', () => {
    const children = childrenOf('clf', classifier, '');
    expect(children.map((c) => lookOf(c).label)).toEqual(['embed', 'lstm', 'head', 'temperature']);
    expect(children[1]).toMatchObject({ kind: 'layer', path: 'lstm', description: 'LSTM(4, 8, numLayers=2)', parameterCount: 1152 });
  });

  it('a layer expands into its parameters with shape and statistics', () => {
    const lstm = childrenOf('clf', classifier, 'lstm');
    expect(lstm.map((c) => lookOf(c).label)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    const look = lookOf(lstm[0]);
    expect(look.description).toBe('(32, 4)  μ 0.01  σ 0.1  ‖g‖ 0.5');
    expect(look.expandable).toBe(false);
    expect(look.id).toBe('parameter/clf/lstm.weight_ih_l0');
    expect(look.tooltip).toContain('128 values');
  });

  it('a bare LSTM (no sub-layers) shows its parameters directly', () => {
    const bare: ModuleSummary = {
      kind: 'module', className: 'LSTM', parameterCount: 1408, training: true,
      layers: [{ path: '', className: 'LSTM', description: 'LSTM(8, 16)', parameterCount: 1408 }],
      parameters: [param('weight_ih_l0', [64, 8]), param('weight_hh_l0', [64, 16]), param('bias_ih_l0', [64]), param('bias_hh_l0', [64])],
    };
    const children = childrenOf('lstm', bare, '');
    expect(children.every((c) => c.kind === 'parameter')).toBe(true);
    expect(children.map((c) => lookOf(c).label)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
  });

  it('containers the summary does not list are made up from parameter names', () => {
    const nested: ModuleSummary = {
      kind: 'module', className: 'Seq2Seq', parameterCount: 0, training: true,
      layers: [{ path: 'encoder.rnn', className: 'GRU', description: 'GRU(4, 8)', parameterCount: 30 }],
      parameters: [param('encoder.rnn.weight_ih_l0', [24, 4]), param('encoder.rnn.bias_ih_l0', [24]), param('decoder.out.weight', [2, 8])],
    };
    const top = childrenOf('s2s', nested, '');
    expect(top.map((c) => lookOf(c).label)).toEqual(['encoder', 'decoder']);
    expect(top[1]).toMatchObject({ kind: 'layer', path: 'decoder', parameterCount: 16 });
    const encoder = childrenOf('s2s', nested, 'encoder');
    expect(encoder).toHaveLength(1);
    expect(lookOf(encoder[0])).toMatchObject({ label: 'rnn', description: 'GRU(4, 8) · 30' });
    expect(childrenOf('s2s', nested, 'encoder.rnn').map((c) => lookOf(c).label)).toEqual(['weight_ih_l0', 'bias_ih_l0']);
  });

  it('models are labelled by variable name with class and parameter count', () => {
    const look = lookOf(modelNode({ name: 'lstm', className: 'LSTM', parameterCount: 1234567 }));
    expect(look).toMatchObject({ label: 'lstm', description: 'LSTM · 1.23M params', expandable: true, contextValue: 'rnnLab.model' });
  });

  it('parameters without gradients say nothing about them', () => {
    expect(parameterDescription(param('w', [2, 2]))).toBe('(2, 2)  μ 0.01  σ 0.1');
  });

  it('jobs show status, progress and losses', () => {
    expect(jobDescription({ id: 'j1', uid: 'k-j1', model: 'lstm', status: 'running', step: 120, totalSteps: 1000, epoch: 2, loss: 0.41234, valLoss: null })).toBe(
      'running · 120/1000 · loss 0.4123',
    );
  });
});
