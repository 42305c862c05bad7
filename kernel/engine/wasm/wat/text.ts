// Small helpers to write WebAssembly text (folded S-expressions) from TypeScript: a function
// builder that collects parameters, locals and body lines, and the "lane" abstraction that emits
// the same float arithmetic either on f32x4 vectors or on single f32 values (loop tails), so that
// a cell's math is written once and the vector body and its scalar tail agree bit for bit.

export type ValType = 'i32' | 'f32' | 'f64' | 'v128';

/** Builds one `(func …)`; names are WAT identifiers without the `$`. */
export class Func {
  private readonly params: [string, ValType][] = [];
  private readonly locals = new Map<string, ValType>();
  private readonly lines: string[] = [];
  private result: ValType | null = null;

  constructor(
    readonly name: string,
    private readonly exported: boolean,
  ) {}

  param(name: string, type: ValType = 'i32'): string {
    this.params.push([name, type]);
    return `(local.get $${name})`;
  }

  /** Declares a local (once; later calls with the same name return it again). */
  local(name: string, type: ValType): string {
    const known = this.locals.get(name);
    if (known !== undefined && known !== type) throw new Error(`${this.name}: local ${name} is ${known}, not ${type}`);
    this.locals.set(name, type);
    return `(local.get $${name})`;
  }

  returns(type: ValType): void {
    this.result = type;
  }

  emit(...lines: string[]): void {
    this.lines.push(...lines);
  }

  text(): string {
    const head = [`(func $${this.name}`];
    if (this.exported) head.push(`(export "${this.name}")`);
    for (const [n, t] of this.params) head.push(`(param $${n} ${t})`);
    if (this.result) head.push(`(result ${this.result})`);
    const locals = [...this.locals].map(([n, t]) => `(local $${n} ${t})`);
    return [head.join(' '), ...locals.map((l) => '  ' + l), ...this.lines.map((l) => '  ' + l), ')'].join('\n');
  }
}

export const get = (name: string): string => `(local.get $${name})`;
export const set = (name: string, value: string): string => `(local.set $${name} ${value})`;
export const tee = (name: string, value: string): string => `(local.tee $${name} ${value})`;
export const i32 = (n: number): string => `(i32.const ${n | 0})`;
export const add = (a: string, b: string): string => `(i32.add ${a} ${b})`;
export const sub = (a: string, b: string): string => `(i32.sub ${a} ${b})`;
export const mul = (a: string, b: string): string => `(i32.mul ${a} ${b})`;
/** local += value (i32) */
export const inc = (name: string, value: string): string => set(name, add(get(name), value));

/** A counted loop `for (name = from; name < to; name += step)`, skipped when from >= to. */
export function forLoop(label: string, name: string, from: string, to: string, step: string, body: string[]): string[] {
  return [
    set(name, from),
    `(block $${label}_end`,
    `  (br_if $${label}_end (i32.ge_s ${get(name)} ${to}))`,
    `  (loop $${label}`,
    ...body.map((l) => '    ' + l),
    `    ${inc(name, step)}`,
    `    (br_if $${label} (i32.lt_s ${get(name)} ${to}))`,
    '  )',
    ')',
  ];
}

/** Float formatting that round-trips through WAT (hex floats would also do; decimal is readable). */
function lit(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`non-finite literal ${x}`);
  return Object.is(x, -0) ? '-0.0' : x.toPrecision(17);
}

/** The arithmetic of one lane type: f32x4 (`v`) or f32 (`s`). Values are WAT expressions. */
export interface Lane {
  readonly type: 'v128' | 'f32';
  /** Floats per lane: 4 or 1. */
  readonly width: 4 | 1;
  add(a: string, b: string): string;
  sub(a: string, b: string): string;
  mul(a: string, b: string): string;
  div(a: string, b: string): string;
  sqrt(a: string): string;
  /** a·b + c; fused where relaxed SIMD allows it. */
  madd(a: string, b: string, c: string): string;
  /** min(a, b) for non-NaN b: (b < a) ? b : a, NaN in a propagates. */
  min(a: string, b: string): string;
  /** max(a, b) for non-NaN b: (a < b) ? b : a, NaN in a propagates. */
  max(a: string, b: string): string;
  /** b where mask (a > 0) else 0: ReLU's derivative applied to b. */
  whereGt0(a: string, b: string): string;
  const(x: number): string;
  load(ptr: string, offset?: number): string;
  store(ptr: string, value: string, offset?: number): string;
}

const offs = (o: number | undefined): string => (o ? ` offset=${o}` : '');

export function vectorLane(relaxed: boolean): Lane {
  return {
    type: 'v128',
    width: 4,
    add: (a, b) => `(f32x4.add ${a} ${b})`,
    sub: (a, b) => `(f32x4.sub ${a} ${b})`,
    mul: (a, b) => `(f32x4.mul ${a} ${b})`,
    div: (a, b) => `(f32x4.div ${a} ${b})`,
    sqrt: (a) => `(f32x4.sqrt ${a})`,
    madd: (a, b, c) => (relaxed ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`),
    // pmin/pmax map to one minps/maxps; the IEEE f32x4.min/max need several instructions in V8.
    min: (a, b) => `(f32x4.pmin ${a} ${b})`,
    max: (a, b) => `(f32x4.pmax ${a} ${b})`,
    whereGt0: (a, b) => `(v128.and ${b} (f32x4.gt ${a} (v128.const f32x4 0 0 0 0)))`,
    const: (x) => `(v128.const f32x4 ${lit(x)} ${lit(x)} ${lit(x)} ${lit(x)})`,
    load: (p, o) => `(v128.load${offs(o)} align=4 ${p})`,
    store: (p, v, o) => `(v128.store${offs(o)} align=4 ${p} ${v})`,
  };
}

export function scalarLane(relaxed: boolean): Lane {
  return {
    type: 'f32',
    width: 1,
    add: (a, b) => `(f32.add ${a} ${b})`,
    sub: (a, b) => `(f32.sub ${a} ${b})`,
    mul: (a, b) => `(f32.mul ${a} ${b})`,
    div: (a, b) => `(f32.div ${a} ${b})`,
    sqrt: (a) => `(f32.sqrt ${a})`,
    // Keep the tail's rounding identical to the vector body's: with relaxed SIMD the vector
    // multiply-add may be fused, so the tail goes through a one-lane relaxed_madd as well.
    madd: (a, b, c) =>
      relaxed ? `(f32x4.extract_lane 0 (f32x4.relaxed_madd (f32x4.splat ${a}) (f32x4.splat ${b}) (f32x4.splat ${c})))` : `(f32.add (f32.mul ${a} ${b}) ${c})`,
    min: (a, b) => `(f32x4.extract_lane 0 (f32x4.pmin (f32x4.splat ${a}) (f32x4.splat ${b})))`,
    max: (a, b) => `(f32x4.extract_lane 0 (f32x4.pmax (f32x4.splat ${a}) (f32x4.splat ${b})))`,
    whereGt0: (a, b) => `(select ${b} (f32.const 0) (f32.gt ${a} (f32.const 0)))`,
    const: (x) => `(f32.const ${lit(x)})`,
    load: (p, o) => `(f32.load${offs(o)} align=4 ${p})`,
    store: (p, v, o) => `(f32.store${offs(o)} align=4 ${p} ${v})`,
  };
}
