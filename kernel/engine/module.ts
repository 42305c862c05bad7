// Module: the base of every layer and of models people write in cells.
//
// As in PyTorch, a module's parameters and submodules are found from its own properties, in the
// order they were assigned: `this.lstm = new LSTM(...)` registers `lstm`, and a Parameter
// property registers a parameter. Arrays of modules register as `name.0`, `name.1`, …
// (PyTorch's ModuleList). So a person writes a subclass with a constructor and `forward()` only.

import { formatShape, Parameter, sameShape, Tensor } from './tensor';

export type StateDict = Record<string, Tensor>;

export abstract class Module {
  /** Training mode: dropout is active. `eval()` turns it off. */
  training = true;

  // Subclasses define forward with their own signature; the base only names it for reprs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...args: any[]): unknown;

  /** Direct parameters and child modules, in assignment order. */
  private ownEntries(): { params: [string, Parameter][]; children: [string, Module][] } {
    const params: [string, Parameter][] = [];
    const children: [string, Module][] = [];
    for (const key of Object.keys(this)) {
      const value = (this as unknown as Record<string, unknown>)[key];
      if (value instanceof Parameter) params.push([key, value]);
      else if (value instanceof Module) children.push([key, value]);
      else if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Module)) {
        value.forEach((m, i) => children.push([`${key}.${i}`, m as Module]));
      }
    }
    return { params, children };
  }

  /** Registers a parameter under a name computed at run time (e.g. `weight_ih_l1_reverse`). */
  protected registerParameter(name: string, p: Parameter): Parameter {
    Object.defineProperty(this, name, { value: p, enumerable: true, writable: true, configurable: true });
    return p;
  }

  /** Child modules with their dotted names. */
  *namedChildren(): IterableIterator<[string, Module]> {
    yield* this.ownEntries().children;
  }

  /** Every module in the tree with its dotted path, this one first as ''. */
  *namedModules(prefix = '', seen: Set<Module> = new Set()): IterableIterator<[string, Module]> {
    // Each module once, as PyTorch's named_modules: a shared submodule, or a module that refers
    // back to its parent (e.g. `this.owner = parent`), is listed under its first path only.
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.ownEntries().children) {
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
    }
  }

  /** Every parameter with its PyTorch state-dict name, e.g. `lstm.weight_ih_l1_reverse`. */
  *namedParameters(prefix = ''): IterableIterator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, p] of m.ownEntries().params) {
        if (seen.has(p)) continue; // shared (tied) parameters are listed once
        seen.add(p);
        yield [path ? `${path}.${name}` : name, p];
      }
    }
  }

  /** Every parameter of this module and its submodules, each once (for an optimizer). */
  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** The number of values in all parameters. */
  numParameters(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    return n;
  }

  /** Sets training mode on this module and every submodule. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode, for this module and every submodule: dropout is off. Same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradient of every parameter (before the next backward()). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Copies of the parameters by PyTorch name. */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of this.namedParameters()) out[name] = new Tensor(new Float32Array(p.data), p.shape);
    return out;
  }

  /**
   * Loads values into the existing parameters (optimizers keep working). With `strict` (the
   * default) every key must match; any problem is reported with all offending keys at once.
   */
  loadStateDict(state: Record<string, Tensor | { shape: readonly number[]; data: ArrayLike<number> }>, options: { strict?: boolean } = {}): { missing: string[]; unexpected: string[] } {
    const strict = options.strict ?? true;
    const own = new Map(this.namedParameters());
    const missing = [...own.keys()].filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !own.has(k));
    const misShaped: string[] = [];
    for (const [k, p] of own) {
      const v = state[k];
      if (v !== undefined && !sameShape(v.shape, p.shape)) {
        misShaped.push(`${k}: expected ${formatShape(p.shape)}, got ${formatShape(v.shape)}`);
      } else if (v !== undefined && v.data.length !== p.size) {
        misShaped.push(`${k}: shape ${formatShape(v.shape)} but ${v.data.length} values`);
      }
    }
    const problems: string[] = [];
    if (misShaped.length) problems.push(`size mismatch for ${misShaped.join('; ')}`);
    if (strict && missing.length) problems.push(`missing keys: ${missing.join(', ')}`);
    if (strict && unexpected.length) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
    if (problems.length) throw new Error(`${this.constructor.name}.loadStateDict: ${problems.join('. ')}`);
    for (const [k, p] of own) {
      const v = state[k];
      if (v !== undefined) p.data.set(v.data);
    }
    return { missing, unexpected };
  }

  /** Extra text in the repr, e.g. "16, 32, numLayers=2" (override in layers). */
  extraRepr(): string {
    return '';
  }

  /** PyTorch-style nested repr. */
  toString(): string {
    return this.repr(new Set());
  }

  private repr(seen: Set<Module>): string {
    const name = this.constructor.name;
    if (seen.has(this)) return `${name}(↻)`; // a reference back up the tree
    seen.add(this);
    const children = [...this.namedChildren()];
    if (children.length === 0) return `${name}(${this.extraRepr()})`;
    const lines = children.map(([n, m]) => `  (${n}): ${m.repr(new Set(seen)).split('\n').join('\n  ')}`);
    const extra = this.extraRepr();
    return `${name}(${extra ? `\n  ${extra}` : ''}\n${lines.join('\n')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
