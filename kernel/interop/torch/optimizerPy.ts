// fit()'s optimizer and learning-rate schedule as torch.optim code. Both are read from the real
// objects fit() would build: the named optimizer (with fit()'s defaults, e.g. lr 1e-2 for SGD)
// or the person's `optimizer: (params) => …` run on the model's parameters, and the
// `scheduler: (opt) => …` run on that optimizer. The engine's optimizers and schedules compute
// what torch.optim's do (kernel/engine/optim, schedulers.ts), so the translation is by class and
// hyperparameters; arguments equal to torch's defaults are left out, as a person would.

import {
  Adam,
  AdamW,
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  ReduceLROnPlateau,
  RMSprop,
  SequentialLR,
  SGD,
  StepLR,
  type LRScheduler,
  type Module,
  type Optimizer,
} from '../../engine/index';
import { namedOptimizer, type LoopConfig } from '../../train/options';
import type { FitOptions } from '../../train/types';
import { bool, float, int, kw, str } from './python';

/** A torch.optim call: the class and its keyword arguments (the parameters come first). */
export interface TorchCall {
  fn: string;
  args: string[];
  /** For the docstring: "Adam (lr 0.005)". */
  summary: string;
}

/** `name=value` when value differs from torch's default. */
function arg(name: string, value: number | boolean | readonly number[], fallback: number | boolean | readonly number[]): string[] {
  const same = Array.isArray(value) ? (value as readonly number[]).every((v, i) => v === (fallback as readonly number[])[i]) : value === fallback;
  if (same) return [];
  if (typeof value === 'boolean') return [kw(name, bool(value))];
  if (Array.isArray(value)) return [kw(name, `(${(value as readonly number[]).map(float).join(', ')})`)];
  return [kw(name, float(value as number))];
}

/** The optimizer fit() would build for these options, over the model's parameters. */
export function fitOptimizer(model: Module, options: FitOptions, config: LoopConfig): Optimizer {
  const params = model.parameters();
  return typeof options.optimizer === 'function' ? options.optimizer(params) : namedOptimizer(config.optimizer ?? 'adam', params, config.lr, config.optimizerOptions);
}

/** torch.optim's constructor for the engine optimizer `opt` (one parameter group). */
export function optimizerCall(opt: Optimizer): TorchCall {
  if (opt.paramGroups.length !== 1) {
    throw new Error(`PyTorch export: the optimizer has ${opt.paramGroups.length} parameter groups; train.py builds one over model.parameters(). Give fit() one group, or edit train.py`);
  }
  const g = opt.paramGroups[0]! as unknown as Record<string, number | boolean | readonly number[]>;
  const lr = [kw('lr', float(g.lr as number))];
  if (opt instanceof Adam || opt instanceof AdamW) {
    const adamW = opt instanceof AdamW;
    return {
      fn: adamW ? 'torch.optim.AdamW' : 'torch.optim.Adam',
      args: [...lr, ...arg('betas', g.betas!, [0.9, 0.999]), ...arg('eps', g.eps!, 1e-8), ...arg('weight_decay', g.weightDecay!, adamW ? 1e-2 : 0), ...arg('amsgrad', g.amsgrad!, false), ...arg('maximize', g.maximize!, false)],
      summary: `${adamW ? 'AdamW' : 'Adam'} (lr ${g.lr})`,
    };
  }
  if (opt instanceof SGD) {
    return {
      fn: 'torch.optim.SGD',
      args: [...lr, ...arg('momentum', g.momentum!, 0), ...arg('dampening', g.dampening!, 0), ...arg('weight_decay', g.weightDecay!, 0), ...arg('nesterov', g.nesterov!, false), ...arg('maximize', g.maximize!, false)],
      summary: `SGD (lr ${g.lr}${g.momentum ? `, momentum ${g.momentum}` : ''})`,
    };
  }
  if (opt instanceof RMSprop) {
    return {
      fn: 'torch.optim.RMSprop',
      args: [...lr, ...arg('alpha', g.alpha!, 0.99), ...arg('eps', g.eps!, 1e-8), ...arg('weight_decay', g.weightDecay!, 0), ...arg('momentum', g.momentum!, 0), ...arg('centered', g.centered!, false), ...arg('maximize', g.maximize!, false)],
      summary: `RMSprop (lr ${g.lr})`,
    };
  }
  throw new Error(`PyTorch export: the optimizer is a ${opt.constructor.name}; train.py knows Adam, AdamW, SGD and RMSprop`);
}

/** A schedule in torch.optim.lr_scheduler; `plateau` ones step with the monitored loss every epoch. */
export interface TorchSchedule {
  /** Lines building it (the last assigns `scheduler`), at function-body indentation. */
  build: { target: string; call: TorchCall }[];
  plateau: boolean;
  summary: string;
}

const LR = 'torch.optim.lr_scheduler';

function schedulerCall(s: LRScheduler | ReduceLROnPlateau): TorchCall {
  if (s instanceof StepLR) return { fn: `${LR}.StepLR`, args: [kw('step_size', int(s.stepSize)), ...arg('gamma', s.gamma, 0.1)], summary: `StepLR (every ${s.stepSize}, ×${s.gamma})` };
  if (s instanceof MultiStepLR) return { fn: `${LR}.MultiStepLR`, args: [kw('milestones', `[${s.milestones.map(int).join(', ')}]`), ...arg('gamma', s.gamma, 0.1)], summary: `MultiStepLR (at ${s.milestones.join(', ')})` };
  if (s instanceof ExponentialLR) return { fn: `${LR}.ExponentialLR`, args: [kw('gamma', float(s.gamma))], summary: `ExponentialLR (×${s.gamma})` };
  if (s instanceof LinearLR) {
    return {
      fn: `${LR}.LinearLR`,
      args: [...arg('start_factor', s.startFactor, 1 / 3), ...arg('end_factor', s.endFactor, 1), ...(s.totalIters !== 5 ? [kw('total_iters', int(s.totalIters))] : [])],
      summary: `LinearLR (${s.startFactor} → ${s.endFactor} over ${s.totalIters})`,
    };
  }
  if (s instanceof CosineAnnealingLR) return { fn: `${LR}.CosineAnnealingLR`, args: [kw('T_max', int(s.tMax)), ...arg('eta_min', s.etaMin, 0)], summary: `CosineAnnealingLR (T_max ${s.tMax})` };
  if (s instanceof ReduceLROnPlateau) {
    const minLr = s.minLrs.every((v) => v === s.minLrs[0]) ? arg('min_lr', s.minLrs[0]!, 0) : [kw('min_lr', `[${s.minLrs.map(float).join(', ')}]`)];
    return {
      fn: `${LR}.ReduceLROnPlateau`,
      args: [
        ...(s.mode !== 'min' ? [kw('mode', str(s.mode))] : []),
        ...arg('factor', s.factor, 0.1),
        ...(s.patience !== 10 ? [kw('patience', int(s.patience))] : []),
        ...arg('threshold', s.threshold, 1e-4),
        ...(s.thresholdMode !== 'rel' ? [kw('threshold_mode', str(s.thresholdMode))] : []),
        ...(s.cooldown !== 0 ? [kw('cooldown', int(s.cooldown))] : []),
        ...minLr,
        ...arg('eps', s.eps, 1e-8),
      ],
      summary: `ReduceLROnPlateau (×${s.factor} after ${s.patience} epochs without improvement)`,
    };
  }
  throw new Error(
    `PyTorch export: the scheduler is a ${s.constructor.name}; train.py knows StepLR, MultiStepLR, ExponentialLR, LinearLR, CosineAnnealingLR, ReduceLROnPlateau and SequentialLR of these (a LambdaLR's function is JavaScript: write it in train.py)`,
  );
}

/** The schedule fit() would build on `opt`, as torch code; null without one. */
export function scheduleOf(options: FitOptions, opt: Optimizer): TorchSchedule | null {
  if (!options.scheduler) return null;
  const s = options.scheduler(opt);
  if (s instanceof SequentialLR) {
    // SequentialLR keeps its parts private; they are read here only to translate them.
    const inner = s as unknown as { schedulers: LRScheduler[]; milestones: number[] };
    const parts = inner.schedulers.map((part, i) => ({ target: `schedule${i + 1}`, call: schedulerCall(part) }));
    const call: TorchCall = {
      fn: `${LR}.SequentialLR`,
      args: [`[${parts.map((p) => p.target).join(', ')}]`, kw('milestones', `[${inner.milestones.map(int).join(', ')}]`)],
      summary: `SequentialLR (${parts.map((p) => p.call.summary).join(', then ')})`,
    };
    return { build: [...parts, { target: 'scheduler', call }], plateau: false, summary: call.summary };
  }
  const call = schedulerCall(s);
  return { build: [{ target: 'scheduler', call }], plateau: s instanceof ReduceLROnPlateau, summary: call.summary };
}
