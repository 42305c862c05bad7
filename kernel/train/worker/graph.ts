// A model crosses to a worker as a description of its object graph, rebuilt there without
// running any constructor (so nothing is re-initialised):
//   - each object: its class (engine classes by export name, the person's classes by source),
//     its own fields, in order, with their enumerability;
//   - Parameters that live in the shared weights by slot index (the worker gives them its own
//     copy), other tensors by value;
//   - numbers, strings, booleans, null, undefined, arrays, plain objects, typed arrays, Maps and
//     Sets as themselves; functions by engine name or by source.
// Shared references and cycles survive (tied weights stay tied): objects are numbered.

import { RNNBase } from '../../engine/layers/recurrent';
import { Tensor } from '../../engine/tensor';
import { engineExport, engineExportName } from '../engineClasses';
import { functionSource, type FunctionSource, type SourceScope } from './userCode';

export type ClassRef = { engine: string } | { user: number };

export interface UserClass {
  name: string;
  fn: FunctionSource;
  /** The class it extends (null for a base class). */
  parent: ClassRef | null;
}

/** A field value: primitives inline, objects by node index. */
export type GraphValue = number | string | boolean | null | { undef: true } | { ref: number };

type Field = [key: string, value: GraphValue, enumerable: boolean];

export type GraphNode =
  | { kind: 'array'; items: GraphValue[] }
  | { kind: 'object'; cls: ClassRef | 'plain' | 'nullProto'; fields: Field[] }
  | { kind: 'tensor'; cls: ClassRef; data: { slot: number } | { values: Float32Array }; fields: Field[] }
  | { kind: 'typed'; value: ArrayBufferView | ArrayBuffer }
  | { kind: 'map'; entries: [GraphValue, GraphValue][] }
  | { kind: 'set'; items: GraphValue[] }
  | { kind: 'function'; engine: string }
  | { kind: 'function'; source: FunctionSource };

export interface ObjectGraph {
  root: GraphValue;
  nodes: GraphNode[];
  classes: UserClass[];
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyFunction = Function;

// Tensor fields that never cross: the storage goes separately, gradients and graph are dropped.
const tensorSkippedFields = new Set(['data', 'grad', 'gradFn']);

// Fields that hold what the last forward left behind (large, and stale in the worker): sent as null.
const transientFields: [AnyFunction, string][] = [
  [RNNBase, 'trace'],
  [RNNBase, 'stream'],
];

function isTransient(value: object, key: string): boolean {
  return transientFields.some(([cls, field]) => field === key && value instanceof cls);
}

/** Encodes values into one graph (call `encode` for each root, e.g. the model and the globals). */
export class GraphEncoder {
  readonly nodes: GraphNode[] = [];
  readonly classes: UserClass[] = [];
  private readonly ids = new Map<object, number>();
  private readonly classRefs = new Map<AnyFunction, ClassRef>();

  /** `slotOf` maps the Parameters that live in shared weights to their slot index. */
  constructor(private readonly slotOf: (t: Tensor) => number | undefined = () => undefined) {}

  encode(value: unknown, path: string): GraphValue {
    if (value === undefined) return { undef: true };
    if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'bigint' || typeof value === 'symbol') throw this.cannot(path, `a ${typeof value}`);
    const known = this.ids.get(value as object);
    if (known !== undefined) return { ref: known };
    const id = this.nodes.length;
    this.ids.set(value as object, id);
    this.nodes.push({ kind: 'array', items: [] }); // placeholder, replaced below (keeps ids for cycles)
    this.nodes[id] = this.node(value as object, path);
    return { ref: id };
  }

  /** A plain object made of values already encoded (e.g. a root holding several roots). */
  object(fields: Record<string, GraphValue>): GraphValue {
    this.nodes.push({ kind: 'object', cls: 'plain', fields: Object.entries(fields).map(([k, v]) => [k, v, true]) });
    return { ref: this.nodes.length - 1 };
  }

  graph(root: GraphValue): ObjectGraph {
    return { root, nodes: this.nodes, classes: this.classes };
  }

  private node(value: object, path: string): GraphNode {
    if (typeof value === 'function') {
      const engineName = engineExportName(value as AnyFunction);
      if (engineName !== undefined) return { kind: 'function', engine: engineName };
      return { kind: 'function', source: functionSource(value as AnyFunction, path) };
    }
    if (Array.isArray(value)) return { kind: 'array', items: value.map((v, i) => this.encode(v, `${path}[${i}]`)) };
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return { kind: 'typed', value };
    if (value instanceof Map) {
      return { kind: 'map', entries: [...value].map(([k, v], i) => [this.encode(k, `${path} key ${i}`), this.encode(v, `${path}.get(${String(k)})`)]) };
    }
    if (value instanceof Set) return { kind: 'set', items: [...value].map((v, i) => this.encode(v, `${path} item ${i}`)) };
    if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
      throw this.cannot(path, `a ${value.constructor.name}`);
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === null) return { kind: 'object', cls: 'nullProto', fields: this.fields(value, path, new Set()) };
    if (proto === Object.prototype) return { kind: 'object', cls: 'plain', fields: this.fields(value, path, new Set()) };
    if (!Object.prototype.hasOwnProperty.call(proto, 'constructor') || typeof (proto as { constructor: unknown }).constructor !== 'function') {
      throw this.cannot(path, 'an object whose prototype has no class');
    }
    const cls = this.classRef((proto as { constructor: AnyFunction }).constructor, path);
    if (value instanceof Tensor) {
      const slot = this.slotOf(value);
      const data = slot !== undefined ? { slot } : { values: new Float32Array(value.data) };
      return { kind: 'tensor', cls, data, fields: this.fields(value, path, tensorSkippedFields) };
    }
    return { kind: 'object', cls, fields: this.fields(value, path, new Set()) };
  }

  private fields(value: object, path: string, skip: ReadonlySet<string>): Field[] {
    const out: Field[] = [];
    for (const key of Object.getOwnPropertyNames(value)) {
      if (skip.has(key)) continue;
      const d = Object.getOwnPropertyDescriptor(value, key)!;
      if (isTransient(value, key)) {
        out.push([key, null, d.enumerable ?? false]);
        continue;
      }
      if (d.get !== undefined || d.set !== undefined) throw this.cannot(`${path}.${key}`, 'a getter/setter property');
      out.push([key, this.encode(d.value, `${path}.${key}`), d.enumerable ?? false]);
    }
    return out;
  }

  private classRef(cls: AnyFunction, path: string): ClassRef {
    const known = this.classRefs.get(cls);
    if (known !== undefined) return known;
    const engineName = engineExportName(cls);
    if (engineName !== undefined) {
      const ref = { engine: engineName };
      this.classRefs.set(cls, ref);
      return ref;
    }
    const fn = functionSource(cls, path);
    if (!/^\s*class\b/.test(fn.source)) {
      throw new Error(`${path} is an instance of ${cls.name || 'an anonymous constructor'}, which is not a class; write it as \`class ${cls.name || 'Name'} { … }\` so it can be sent to the training worker`);
    }
    if (/\.#[A-Za-z_$]|^\s*(?:static\s+)?#[A-Za-z_$][\w$]*\s*[=;(]/m.test(fn.source)) {
      throw new Error(`class ${cls.name} uses #private fields, which cannot be copied to the training worker; use ordinary fields`);
    }
    const parentCls = Object.getPrototypeOf(cls) as AnyFunction;
    const parent = parentCls === Function.prototype ? null : this.classRef(parentCls, path);
    const ref = { user: this.classes.length };
    this.classes.push({ name: cls.name, fn, parent });
    this.classRefs.set(cls, ref);
    return ref;
  }

  private cannot(path: string, what: string): Error {
    return new Error(`${path} is ${what}, which cannot be sent to the training worker. Keep models to numbers, strings, arrays, tensors and modules, or train with { worker: false }`);
  }
}

/** Rebuilds values from a graph inside a worker. `slotData(i)` is the storage for slot i. */
export class GraphDecoder {
  private readonly objects: unknown[];
  private readonly classes: AnyFunction[] = [];

  constructor(
    private readonly graph: ObjectGraph,
    private readonly scope: SourceScope,
    private readonly slotData: (slot: number) => Float32Array,
  ) {
    for (const c of graph.classes) {
      const parentValue = c.parent === null ? undefined : this.resolveClass(c.parent);
      // The class's own `extends Name` must find its real parent, even if names collide.
      const overrides: Record<string, unknown> = {};
      if (parentValue !== undefined && c.parent !== null && 'user' in c.parent) overrides[parentValue.name] = parentValue;
      const value = scope.evaluate(c.fn, `class ${c.name}`, overrides);
      if (typeof value !== 'function') throw new Error(`class ${c.name}: its source did not evaluate to a class`);
      this.classes.push(value as AnyFunction);
      scope.define(c.name, value);
    }
    this.objects = graph.nodes.map((n) => this.allocate(n));
    graph.nodes.forEach((n, i) => this.fill(n, this.objects[i]));
  }

  value(v: GraphValue): unknown {
    if (v === null || typeof v !== 'object') return v;
    if ('undef' in v) return undefined;
    return this.objects[v.ref];
  }

  private resolveClass(ref: ClassRef): AnyFunction {
    if ('engine' in ref) return engineExport(ref.engine) as AnyFunction;
    return this.classes[ref.user]!;
  }

  private allocate(n: GraphNode): unknown {
    switch (n.kind) {
      case 'array':
        return new Array<unknown>(n.items.length);
      case 'object':
        if (n.cls === 'plain') return {};
        if (n.cls === 'nullProto') return Object.create(null);
        return Object.create((this.resolveClass(n.cls) as { prototype: object }).prototype);
      case 'tensor': {
        const t = Object.create((this.resolveClass(n.cls) as { prototype: object }).prototype) as Record<string, unknown>;
        t.data = 'slot' in n.data ? this.slotData(n.data.slot) : n.data.values;
        return t;
      }
      case 'typed':
        return n.value;
      case 'map':
        return new Map();
      case 'set':
        return new Set();
      case 'function':
        if ('engine' in n) return engineExport(n.engine);
        return this.scope.evaluate(n.source, `function ${n.source.name || '(anonymous)'}`);
    }
  }

  private fill(n: GraphNode, target: unknown): void {
    switch (n.kind) {
      case 'array':
        n.items.forEach((v, i) => ((target as unknown[])[i] = this.value(v)));
        return;
      case 'object':
      case 'tensor':
        for (const [key, v, enumerable] of n.fields) {
          Object.defineProperty(target, key, { value: this.value(v), enumerable, writable: true, configurable: true });
        }
        if (n.kind === 'tensor') Object.assign(target as object, { grad: null, gradFn: null });
        return;
      case 'map':
        for (const [k, v] of n.entries) (target as Map<unknown, unknown>).set(this.value(k), this.value(v));
        return;
      case 'set':
        for (const v of n.items) (target as Set<unknown>).add(this.value(v));
        return;
      default:
        return;
    }
  }
}
