// Issue 15 §5: fit()'s options are checked before the first step (names and values), the
// optimizers refuse a non-finite or negative lr as torch.optim does, and an update that makes
// weights non-finite is undone: the model keeps its last finite weights.
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, LambdaLR, Linear, manualSeed, RMSprop, SGD, tensor, type Tensor } from '../../kernel/engine/index';
import { didYouMean, editDistance, nearestName, snakeToCamel } from '../../kernel/engine/optim/suggest';
import { fit, trainSteps, TrainingDivergedError, type FitOptions } from '../../kernel/train/index';
import { capWorkers, resolveConfig } from '../../kernel/train/options';
import { weightsOf } from './train-helpers';

function regression(n: number, seed = 1): { x: Tensor; y: Tensor } {
  manualSeed(seed);
  const x = Array.from({ length: n * 4 }, (_, i) => Math.sin(i * 0.7 + seed));
  const y = Array.from({ length: n }, (_, i) => x[i * 4]! - 0.5 * x[i * 4 + 1]!);
  return { x: tensor(x, [n, 4]), y: tensor(y, [n, 1]) };
}

function linear(seed = 2): Linear {
  manualSeed(seed);
  return new Linear(4, 1);
}

const data = regression(32);
const base: FitOptions = { loss: 'mse', batchSize: 8, epochs: 1, display: false };

/** The error fit() throws at once (on this thread, before any job exists), or null. */
function fitError(options: FitOptions): string | null {
  const model = linear();
  const before = weightsOf(model);
  try {
    const job = fit(model, data, options);
    void job.done.catch(() => undefined);
    return null;
  } catch (error) {
    expect(weightsOf(model)).toEqual(before);
    return (error as Error).message;
  }
}

describe('the learning rate', () => {
  it('Infinity, NaN, negative or not a number fail before training, in fit() and trainSteps()', () => {
    for (const lr of [Infinity, -Infinity, NaN, -1, -1e-9]) {
      expect(fitError({ ...base, lr })).toBe(`fit: invalid learning rate ${lr} (lr must be a finite number ≥ 0)`);
      expect(() => trainSteps(linear(), data, { ...base, lr })).toThrow(`fit: invalid learning rate ${lr}`);
    }
    expect(fitError({ ...base, lr: '0.1' as unknown as number })).toBe("fit: invalid learning rate '0.1' (a string) (lr must be a finite number ≥ 0)");
  });

  it('lr 0 is allowed, as in PyTorch: the weights stay as they are', () => {
    for (const optimizer of ['sgd', 'adam', 'adamw', 'rmsprop'] as const) {
      const model = linear();
      const before = weightsOf(model);
      const result = trainSteps(model, data, { ...base, optimizer, lr: 0, ...(optimizer === 'adamw' ? { optimizerOptions: { weightDecay: 0 } } : {}) });
      expect(result.steps).toBe(4);
      expect(weightsOf(model)).toEqual(before);
    }
  });

  it('the optimizers refuse a negative or non-finite lr like torch.optim ("Invalid learning rate")', () => {
    const p = linear().weight;
    for (const Opt of [SGD, Adam, AdamW, RMSprop]) {
      for (const lr of [-1, Infinity, NaN]) expect(() => new Opt([p], { lr })).toThrow(`${Opt.name}: invalid learning rate ${lr} (lr must be a finite number ≥ 0)`);
      expect(() => new Opt([p], { lr: 0 })).not.toThrow();
      expect(() => new Opt([{ params: [p], lr: -2 }])).toThrow(`${Opt.name}: invalid learning rate -2`);
    }
    const opt = new SGD([p], { lr: 0.1 });
    expect(() => {
      opt.lr = Infinity;
    }).toThrow('SGD.lr: invalid learning rate Infinity (lr must be a finite number ≥ 0)');
    expect(opt.lr).toBe(0.1);
  });

  it('the optimizers name the range of every other hyperparameter, and refuse unknown ones', () => {
    const p = linear().weight;
    expect(() => new Adam([p], { eps: Infinity })).toThrow('Adam: invalid epsilon Infinity (eps must be a finite number ≥ 0)');
    expect(() => new Adam([p], { betas: [0.9, 1] })).toThrow('Adam: invalid beta parameter at index 1: 1 (betas must be two numbers in [0, 1))');
    expect(() => new AdamW([p], { betas: [0.9] as unknown as [number, number] })).toThrow('AdamW: invalid betas [0.9] (betas must be two numbers in [0, 1))');
    expect(() => new SGD([p], { momentum: -0.1 })).toThrow('SGD: invalid momentum -0.1 (momentum must be a finite number ≥ 0)');
    expect(() => new SGD([p], { weightDecay: NaN })).toThrow('SGD: invalid weightDecay NaN (weightDecay must be a finite number ≥ 0)');
    expect(() => new RMSprop([p], { alpha: -1 })).toThrow('RMSprop: invalid alpha -1 (alpha must be a finite number ≥ 0)');
    expect(() => new Adam([p], { amsgrad: 1 as unknown as boolean })).toThrow('Adam: invalid amsgrad 1 (amsgrad must be true or false)');
    // torch.optim refuses unknown keyword arguments; ignoring them would hide a typo.
    expect(() => new Adam([p], { weight_decay: 1e-4 } as never)).toThrow(
      "Adam: unknown option 'weight_decay' (did you mean 'weightDecay'?); Adam takes lr, betas, eps, weightDecay, amsgrad, maximize",
    );
    expect(() => new SGD([p], { lr: 0.1, momentom: 0.9 } as never)).toThrow("SGD: unknown option 'momentom' (did you mean 'momentum'?)");
    // Extra keys in a parameter group stay allowed, as in PyTorch (e.g. a name for the group).
    expect(() => new SGD([{ params: [p], name: 'head' } as never], { lr: 0.1 })).not.toThrow();
  });
});

describe('numeric options', () => {
  const cases: [FitOptions, string][] = [
    [{ batchSize: 0 }, 'fit: batchSize must be a positive integer, got 0'],
    [{ batchSize: 2.5 }, 'fit: batchSize must be a positive integer, got 2.5'],
    [{ batchSize: '8' as unknown as number }, "fit: batchSize must be a positive integer, got '8' (a string)"],
    [{ epochs: Infinity }, 'fit: epochs must be a positive integer, got Infinity'],
    [{ epochs: -1 }, 'fit: epochs must be a positive integer, got -1'],
    [{ maxSteps: 0 }, 'fit: maxSteps must be a positive integer, got 0'],
    [{ gradNormEvery: -1 }, 'fit: gradNormEvery must be a non-negative integer, got -1'],
    [{ clipGradNorm: 0 }, 'fit: clipGradNorm must be a finite number > 0 (leave it out not to clip), got 0'],
    [{ clipGradNorm: Infinity }, 'fit: clipGradNorm must be a finite number > 0 (leave it out not to clip), got Infinity'],
    [{ clipGradNorm: NaN }, 'fit: clipGradNorm must be a finite number > 0 (leave it out not to clip), got NaN'],
    [{ seed: NaN }, 'fit: seed must be a finite number, got NaN'],
    [{ ignoreIndex: 0.5 }, 'fit: ignoreIndex must be an integer (a class index, e.g. −100), got 0.5'],
    [{ maxEventsPerSecond: 0 }, 'fit: maxEventsPerSecond must be a number > 0 (Infinity: after every step), got 0'],
    [{ workers: 0 }, 'fit: workers must be a positive integer, got 0'],
    [{ shuffle: 'yes' as unknown as boolean }, "fit: shuffle must be true or false, got 'yes' (a string)"],
    [{ schedulerInterval: 'batch' as 'step' }, "fit: schedulerInterval must be one of 'epoch', 'step', got 'batch' (a string)"],
    [{ earlyStopping: { patience: 0 } }, 'fit: earlyStopping.patience must be a positive integer, got 0'],
    [{ earlyStopping: { patience: 2, minDelta: -0.1 } }, 'fit: earlyStopping.minDelta must be a finite number ≥ 0, got -0.1'],
    [{ checkpoint: { path: 'x.safetensors', everySteps: 0 } }, 'fit: checkpoint.everySteps must be a positive integer, got 0'],
    [{ loss: 'mes' as 'mse' }, "fit: loss must be one of crossEntropy, mse, bce (or give forwardLoss), got 'mes' (a string) (did you mean 'mse'?)"],
    [{ optimizer: 'Adam' as 'adam' }, "fit: optimizer must be one of adam, adamw, sgd, rmsprop or a function (params) => optimizer, got 'Adam' (a string) (did you mean 'adam'?)"],
  ];
  it.each(cases.map(([options, message]) => [message, options] as const))('%s', (message, options) => {
    expect(fitError({ ...base, ...options })).toBe(message);
  });

  it('the named optimizer’s options are checked on this thread, before the job starts', () => {
    expect(fitError({ ...base, optimizer: 'adam', optimizerOptions: { betas: [0.9, 1.5] } })).toMatch(/^fit: optimizer 'adam' with optimizerOptions .*: Adam: invalid beta parameter at index 1: 1\.5/);
    expect(fitError({ ...base, optimizer: 'sgd', optimizerOptions: { momentum: -1 } })).toMatch(/SGD: invalid momentum -1 \(momentum must be a finite number ≥ 0\)/);
    expect(fitError({ ...base, optimizer: 'sgd', optimizerOptions: { weight_decay: 1e-4 } })).toMatch(/SGD: unknown option 'weight_decay' \(did you mean 'weightDecay'\?\)/);
    expect(fitError({ ...base, optimizer: 'adam', optimizerOptions: { momentum: 0.9 } })).toMatch(/Adam: unknown option 'momentum'; Adam takes lr, betas, eps, weightDecay, amsgrad, maximize/);
    // eps 0 divides 0 by 0 where a gradient is 0 (an embedding's unused rows): refused by fit.
    expect(fitError({ ...base, optimizerOptions: { eps: 0 } })).toBe('fit: optimizerOptions.eps must be a finite number > 0 (Adam and RMSprop divide 0 by eps where a gradient is 0), got 0');
    expect(fitError({ ...base, optimizerOptions: { weightDecay: 1e-4, betas: [0.8, 0.99] }, worker: false })).toBeNull();
  });

  it('lr and optimizerOptions are refused beside an optimizer function, which would ignore them', () => {
    const optimizer = (params: Tensor[]) => new SGD(params, { lr: 0.1 });
    expect(fitError({ ...base, optimizer, lr: 0.01 })).toBe('fit: lr applies to a named optimizer; with optimizer: (params) => …, give lr to its constructor (got lr 0.01)');
    expect(fitError({ ...base, optimizer, optimizerOptions: { momentum: 0.9 } })).toBe('fit: optimizerOptions apply to a named optimizer; with optimizer: (params) => …, give them to its constructor');
  });

  it('maxEventsPerSecond may be Infinity (an event after every step)', () => {
    expect(fitError({ ...base, maxEventsPerSecond: Infinity, worker: false })).toBeNull();
  });
});

describe('unknown options', () => {
  it('name the nearest valid one: snake_case in camelCase, else the closest spelling', () => {
    expect(fitError({ ...base, batch_size: 8 } as FitOptions)).toBe("fit: unknown option 'batch_size' (did you mean 'batchSize'?)");
    expect(fitError({ ...base, epoch: 3 } as FitOptions)).toBe("fit: unknown option 'epoch' (did you mean 'epochs'?)");
    expect(fitError({ ...base, batch_first: true } as FitOptions)).toBe(
      "fit: unknown option 'batch_first' (did you mean 'batchSize'? batchFirst is an option of the recurrent layers: new LSTM(inputSize, hiddenSize, { batchFirst: … }))",
    );
    expect(fitError({ ...base, learning_rate: 0.1 } as FitOptions)).toBe("fit: unknown option 'learning_rate' (did you mean 'lr'?)");
    expect(fitError({ ...base, weight_decay: 0.1 } as FitOptions)).toBe("fit: unknown option 'weight_decay' (did you mean optimizerOptions: { weightDecay: … }?)");
    expect(fitError({ ...base, clip_grad_norm: 1 } as FitOptions)).toBe("fit: unknown option 'clip_grad_norm' (did you mean 'clipGradNorm'?)");
    expect(fitError({ ...base, valdation: data } as FitOptions)).toBe("fit: unknown option 'valdation' (did you mean 'validation'?)");
  });

  it('are all named in one error; one with no near name lists the options', () => {
    expect(fitError({ ...base, epoch: 3, batch_size: 4 } as FitOptions)).toBe("fit: unknown options 'epoch' (did you mean 'epochs'?), 'batch_size' (did you mean 'batchSize'?)");
    expect(fitError({ ...base, xyzzy: 1 } as FitOptions)).toMatch(/^fit: unknown option 'xyzzy'; the options are loss, forwardLoss, ignoreIndex, epochs, .*workerScript$/);
  });

  it('inside earlyStopping, checkpoint and probe too', () => {
    expect(fitError({ ...base, earlyStopping: { patience: 2, min_delta: 0.1 } as never })).toBe("fit: earlyStopping: unknown option 'min_delta' (did you mean 'minDelta'?)");
    expect(fitError({ ...base, checkpoint: { path: 'a.safetensors', every: 10 } as never })).toBe("fit: checkpoint: unknown option 'every' (did you mean 'everySteps'?)");
    expect(fitError({ ...base, earlyStopping: 3 as never })).toBe('fit: earlyStopping must be an object { patience, minDelta, monitor, restoreBest }, got 3');
  });

  it('options that are not an object fail too', () => {
    expect(fitError(10 as never)).toBe('fit: options must be an object such as { epochs: 10, lr: 1e-3 }, got 10');
  });

  it('the helpers: camelCase, edit distance, the nearest name within half the letters', () => {
    expect(snakeToCamel('weight_decay')).toBe('weightDecay');
    expect(snakeToCamel('clip_grad_norm')).toBe('clipGradNorm');
    expect(editDistance('epoch', 'epochs')).toBe(1);
    expect(editDistance('shuffel', 'shuffle')).toBe(1); // a swap counts once
    expect(nearestName('BatchSize', ['batchSize', 'epochs'])).toBe('batchSize');
    expect(nearestName('zzz', ['batchSize', 'epochs'])).toBeNull();
    expect(didYouMean('lossfn', ['loss', 'lr'])).toBe(" (did you mean 'loss'?)");
  });
});

describe('workers', () => {
  it('more than the cores are capped at the cores with a warning, not refused', () => {
    const warnings: string[] = [];
    const machine = { cores: 2, warn: (m: string) => warnings.push(m) };
    expect(capWorkers(64, machine)).toBe(2);
    expect(warnings).toEqual(["fit: workers 64 is more than this machine's 2 cores (os.availableParallelism()); training with 2 workers instead"]);
    expect(capWorkers(2, machine)).toBe(2);
    expect(capWorkers(1, { cores: 1, warn: machine.warn })).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(resolveConfig({ workers: 8 }, undefined, false, { cores: 4, warn: machine.warn }).world).toBe(4);
  });
});

describe('a divergent update is undone', () => {
  // An optimizer with a huge (finite) rate from step 3 on: its update overflows float32.
  const exploding: FitOptions = {
    ...base,
    epochs: 2,
    shuffle: false,
    optimizer: (params) => new SGD(params, { lr: 0.01 }),
    scheduler: (opt) => new LambdaLR(opt, (step) => (step >= 2 ? 1e300 : 1)),
    schedulerInterval: 'step',
  };

  it('keeps the weights of the step before (here step 2), finite, and says so', () => {
    const reference = linear();
    trainSteps(reference, data, { ...exploding, scheduler: undefined, maxSteps: 2 } as FitOptions);
    const model = linear();
    const error = (() => {
      try {
        trainSteps(model, data, exploding);
        return null;
      } catch (e) {
        return e as TrainingDivergedError;
      }
    })();
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error!.step).toBe(3);
    expect(error!.message).toMatch(
      /^Training diverged at step 3 \(epoch 1\): the update \(loss [0-9.e-]+, gradient norm [0-9.e-]+\) made 4 of the 4 values of weight \(the first is -?Infinity\), 1 of the 1 values of bias \(the first is -?Infinity\) non-finite, so the update was undone\. The model keeps the weights from before that step \(step 2\)\. Try a lower learning rate \(lr is [0-9.]+e\+298/,
    );
    for (const p of model.parameters()) for (const v of p.data) expect(Number.isFinite(v)).toBe(true);
    expect(weightsOf(model)).toEqual(weightsOf(reference));
    // The next fit() of the same model trains as usual.
    expect(trainSteps(model, data, { ...base, lr: 0.01 }).steps).toBe(4);
  });

  it('in a worker too: the kernel’s model gets the last finite weights', async () => {
    const onThread = linear();
    const inWorker = linear();
    const threadError = await fit(onThread, data, { ...exploding, worker: false }).done.catch((e: Error) => e);
    const workerError = await fit(inWorker, data, exploding).done.catch((e: Error) => e);
    expect((workerError as Error).name).toBe('TrainingDivergedError');
    expect((workerError as Error).message).toBe((threadError as Error).message);
    expect(weightsOf(inWorker)).toEqual(weightsOf(onThread));
    for (const p of inWorker.parameters()) for (const v of p.data) expect(Number.isFinite(v)).toBe(true);
  });

  it('at step 1 the model keeps the weights it started with', () => {
    const model = linear();
    const before = weightsOf(model);
    expect(() => trainSteps(model, data, { ...base, optimizer: (params) => new SGD(params, { lr: 1e300 }) })).toThrow(
      /non-finite, so the update was undone\. The model keeps the weights from before that step \(the weights it started with\)/,
    );
    expect(weightsOf(model)).toEqual(before);
  });

  it('weights that were non-finite before training are named', () => {
    const model = linear();
    model.weight.data[1] = NaN;
    expect(() => trainSteps(model, data, base)).toThrow(/the loss is NaN, and the weights were non-finite before this step: 1 of the 4 values of weight \(the first is NaN\)/);
  });
});
