// The public engine entry re-exports losses, optimizers, clipping, schedulers, safetensors and
// gradcheck. `export *` silently drops a name two modules both export, so check they arrive.

import { describe, expect, it } from 'vitest';
import * as engine from '../../kernel/engine/index';

describe('engine index', () => {
  it('exports the training API by name', () => {
    const names = [
      'crossEntropy',
      'sequenceCrossEntropy',
      'nllLoss',
      'mseLoss',
      'bceWithLogits',
      'Optimizer',
      'SGD',
      'Adam',
      'AdamW',
      'RMSprop',
      'clipGradNorm',
      'clipGradValue',
      'gradNorm',
      'LRScheduler',
      'StepLR',
      'MultiStepLR',
      'ExponentialLR',
      'LinearLR',
      'linearWarmup',
      'CosineAnnealingLR',
      'LambdaLR',
      'SequentialLR',
      'ReduceLROnPlateau',
      'loadSafetensors',
      'saveSafetensors',
      'readSafetensorsMetadata',
      'gradcheck',
      'useKernels',
      'kernelFlavour',
      'setNumThreads',
      'getNumThreads',
    ];
    const exported = engine as unknown as Record<string, unknown>;
    expect(names.filter((n) => typeof exported[n] !== 'function')).toEqual([]);
  });
});
