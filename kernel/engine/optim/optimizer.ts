// The base of every optimizer: parameter groups, per-parameter state, zeroGrad, lr, and state
// dicts, after torch.optim.Optimizer.
//
// Updates happen in place on `p.data`: the trainer shares parameter buffers with a worker through
// SharedArrayBuffer, so an optimizer must never replace a parameter's data array.

import { formatShape, sameShape, Tensor } from '../tensor';
import { didYouMean } from './suggest';

/** Hyperparameters every optimizer has. */
export interface BaseHyperparameters {
  lr: number;
}

/** A group of parameters sharing hyperparameters; `initialLr` is set by LR schedulers. */
export type ParamGroup<H extends BaseHyperparameters> = H & { params: Tensor[]; initialLr?: number };

/** What the constructor takes: the parameters, or groups `{ params, lr?, … }` overriding the defaults. */
export type ParamsInput<H extends BaseHyperparameters> = Iterable<Tensor> | readonly ({ params: Iterable<Tensor> } & Partial<H>)[];

/** Per-parameter state: buffers (same shape as the parameter) and counters such as `step`. */
export type ParamState = Record<string, Float32Array | number>;

/** A tensor-like value as it comes back from JSON or structured clone. */
export interface TensorLike {
  shape: readonly number[];
  data: ArrayLike<number>;
}

export type HyperparameterValue = number | boolean | readonly number[];

/**
 * The optimizer's state, as torch.optim's state_dict: `state` is keyed by the parameter's index
 * across all groups in order; `paramGroups` holds each group's hyperparameters and those indices.
 */
export interface OptimizerStateDict {
  state: Record<string, Record<string, Tensor | number>>;
  paramGroups: (Record<string, HyperparameterValue> & { params: number[] })[];
}

/** As OptimizerStateDict, but buffers may be plain `{ shape, data }` objects (after JSON or a postMessage). */
export interface OptimizerStateDictInput {
  state: Record<string, Record<string, Tensor | TensorLike | number>>;
  paramGroups: readonly (Record<string, unknown> & { params: readonly number[] })[];
}

export abstract class Optimizer<H extends BaseHyperparameters = BaseHyperparameters> {
  readonly paramGroups: ParamGroup<H>[] = [];
  readonly defaults: Readonly<H>;
  /** Lazily created state per parameter (absent until the parameter's first update). */
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(params: ParamsInput<H>, defaults: H) {
    this.defaults = Object.freeze({ ...defaults });
    const list = [...(params as Iterable<Tensor | ({ params: Iterable<Tensor> } & Partial<H>)>)];
    if (list.length === 0) throw new Error(`${this.constructor.name}: got an empty parameter list`);
    if (list.every((p) => p instanceof Tensor)) this.addParamGroup({ params: list as Tensor[] } as { params: Tensor[] } & Partial<H>);
    else if (list.every((g) => !(g instanceof Tensor))) {
      for (const g of list as ({ params: Iterable<Tensor> } & Partial<H>)[]) this.addParamGroup(g);
    } else {
      throw new Error(`${this.constructor.name}: pass either parameters or parameter groups ({ params, lr? }), not a mix`);
    }
  }

  /** Adds a group; hyperparameters it leaves out come from the defaults. */
  addParamGroup(group: { params: Iterable<Tensor> } & Partial<H>): void {
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    const name = this.constructor.name;
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`${name}: parameter ${i} of group ${this.paramGroups.length} is not a Tensor`);
      if (!p.isLeaf) throw new Error(`${name}: can't optimize a non-leaf tensor (parameter ${i} of group ${this.paramGroups.length}, shape ${formatShape(p.shape)})`);
    });
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    for (const p of params) {
      if (seen.has(p)) throw new Error(`${name}: some parameters appear in more than one parameter group (or twice in one)`);
      seen.add(p);
    }
    const full = { ...this.defaults, ...group, params } as ParamGroup<H>;
    this.validate(full);
    this.paramGroups.push(full);
  }

  /** Checks a group's hyperparameters; subclasses extend it. */
  protected validate(group: ParamGroup<H>): void {
    checkLearningRate(this.constructor.name, group.lr);
  }

  /** Applies one update to every parameter that has a gradient. */
  abstract step(): void;

  /** Clears gradients: sets them to null (PyTorch ≥ 2.0's default), or fills them with zeros. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const g of this.paramGroups)
      for (const p of g.params) {
        if (setToNone) p.grad = null;
        else p.grad?.data.fill(0);
      }
  }

  /** The learning rate, when all groups share one (else read `paramGroups[i].lr`). */
  get lr(): number {
    const lrs = this.paramGroups.map((g) => g.lr);
    if (lrs.some((lr) => lr !== lrs[0])) {
      throw new Error(`${this.constructor.name}.lr: parameter groups have different learning rates (${lrs.join(', ')}); read paramGroups[i].lr`);
    }
    return lrs[0]!;
  }

  /** Sets the learning rate of every group. */
  set lr(value: number) {
    checkLearningRate(`${this.constructor.name}.lr`, value);
    for (const g of this.paramGroups) g.lr = value;
  }

  /** The state of one parameter, created by `init` on first use. */
  protected stateOf(p: Tensor, init: () => ParamState): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = init();
      this.state.set(p, s);
    }
    return s;
  }

  /** Copies of the state and hyperparameters; safe to keep while training goes on. */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    const paramGroups: OptimizerStateDict['paramGroups'] = [];
    let index = 0;
    for (const g of this.paramGroups) {
      const { params, ...hyper } = g;
      const indices: number[] = [];
      for (const p of params) {
        const s = this.state.get(p);
        if (s !== undefined) {
          const entry: Record<string, Tensor | number> = {};
          for (const [k, v] of Object.entries(s)) entry[k] = typeof v === 'number' ? v : new Tensor(new Float32Array(v), p.shape);
          state[String(index)] = entry;
        }
        indices.push(index++);
      }
      const copy: Record<string, HyperparameterValue> = {};
      for (const [k, v] of Object.entries(hyper)) copy[k] = Array.isArray(v) ? [...(v as number[])] : (v as number | boolean);
      paramGroups.push({ ...copy, params: indices });
    }
    return { state, paramGroups };
  }

  /**
   * Restores state and hyperparameters saved by stateDict() of an optimizer of the same kind over
   * parameters of the same shapes, in the same order. Buffers are copied. Everything is checked
   * before anything changes, and every problem is named in one error.
   */
  loadStateDict(dict: OptimizerStateDictInput): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups) || typeof dict.state !== 'object' || dict.state === null) {
      throw new Error(`${name}: expected { state, paramGroups } as returned by stateDict()`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${name}: the saved state has ${dict.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const problems: string[] = [];
    const byIndex = new Map<number, Tensor>();
    const listed = new Set<number>(); // indices the saved groups list, matched or not
    dict.paramGroups.forEach((saved, gi) => {
      const own = this.paramGroups[gi]!;
      const savedParams: readonly number[] = Array.isArray(saved.params) ? saved.params : [];
      for (const idx of savedParams) listed.add(idx);
      if (savedParams.length !== own.params.length) {
        problems.push(`group ${gi} has ${savedParams.length} parameters in the saved state but ${own.params.length} here`);
        return;
      }
      savedParams.forEach((idx, k) => byIndex.set(idx, own.params[k]!));
      for (const key of Object.keys(this.defaults)) {
        if (!(key in saved)) problems.push(`group ${gi} lacks hyperparameter '${key}'`);
      }
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(dict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) {
        // A group whose size does not match is reported above; its parameters' state is not.
        if (!listed.has(Number(key))) problems.push(`state for parameter ${key}, which no group lists`);
        continue;
      }
      const s: ParamState = {};
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v === 'number') s[k] = v;
        else if (v && typeof v === 'object' && 'shape' in v && 'data' in v) {
          if (!sameShape(v.shape, p.shape) || v.data.length !== p.size) {
            problems.push(`state '${k}' of parameter ${key} is ${formatShape(v.shape)} but the parameter is ${formatShape(p.shape)}`);
          } else s[k] = Float32Array.from(v.data);
        } else problems.push(`state '${k}' of parameter ${key} is neither a number nor a tensor`);
      }
      newState.set(p, s);
    }
    if (problems.length) throw new Error(`${name}: ${problems.join('; ')}`);

    dict.paramGroups.forEach((saved, gi) => {
      const own = this.paramGroups[gi]! as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(saved)) {
        if (k !== 'params') own[k] = Array.isArray(v) ? [...(v as number[])] : v;
      }
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }

  /** e.g. "Adam (1 group: lr=0.001, betas=[0.9,0.999], …; 4 tensors)". */
  toString(): string {
    const groups = this.paramGroups.map((g, i) => {
      const { params, ...hyper } = g;
      const hp = Object.entries(hyper)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`)
        .join(', ');
      return `  group ${i}: ${hp}; ${params.length} tensors`;
    });
    return `${this.constructor.name} (\n${groups.join('\n')}\n)`;
  }
}

/**
 * The defaults with the constructor's options over them. An option the optimizer does not have is
 * an error, as torch.optim's constructors refuse unknown keyword arguments: `{ weight_decay: 1e-4 }`
 * would otherwise be ignored without a word.
 */
export function withDefaults<H extends BaseHyperparameters>(optimizer: string, defaults: H, options: Partial<H>): H {
  const known = Object.keys(defaults);
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const named = unknown.map((key) => `'${key}'${didYouMean(key, known)}`).join(', ');
    throw new Error(`${optimizer}: unknown option${unknown.length > 1 ? 's' : ''} ${named}; ${optimizer} takes ${known.join(', ')}`);
  }
  return { ...defaults, ...options };
}

/** A value for a message: numbers as they print, strings quoted, anything else by its kind. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'string') return `'${value}' (a string)`;
  if (Array.isArray(value)) return `[${value.map(showValue).join(', ')}]`;
  return typeof value;
}

function isFiniteNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * torch.optim refuses lr < 0 ("Invalid learning rate"); an infinite or NaN one is refused too: a
 * single step with it makes every weight ±Infinity or NaN. lr = 0 is allowed, as in PyTorch.
 */
export function checkLearningRate(who: string, lr: unknown): void {
  if (!isFiniteNonNegative(lr)) throw new Error(`${who}: invalid learning rate ${showValue(lr)} (lr must be a finite number ≥ 0)`);
}

/** `label` is how the message names it (torch's words: 'epsilon'), `key` the option's name. */
export function checkNonNegative(optimizer: string, key: string, value: unknown, label = key): void {
  if (!isFiniteNonNegative(value)) throw new Error(`${optimizer}: invalid ${label} ${showValue(value)} (${key} must be a finite number ≥ 0)`);
}

export function checkBoolean(optimizer: string, key: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new Error(`${optimizer}: invalid ${key} ${showValue(value)} (${key} must be true or false)`);
}

/** The gradient values of p, or null when p has no gradient (such parameters are skipped). */
export function gradOf(p: Tensor): Float32Array | null {
  return p.grad === null ? null : p.grad.data;
}
