// The Adam/AdamW update over one parameter in float32, as torch.optim.Adam's single-tensor path
// computes it (each operation rounded to float32, in its order):
//   g ← sign·∇ (sign −1 to maximize);  θ ← decay·θ (AdamW; decay = 1 otherwise);  g ← g + λ·θ (L2)
//   m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + ((1 − β₂)·g)·g;   v̂ ← max(v̂, v) with AMSGrad
//   θ ← θ − (stepSize·m) / (√v̂ / √(1 − β₂ᵗ) + ε)
// The JavaScript loop of optim/adam.ts stays as the reference (and the path without wasm).

import { Func, get, i32, set } from './text';

interface Ops {
  type: 'v128' | 'f32';
  /** Bytes per lane. */
  bytes: number;
  load(p: string): string;
  store(p: string, v: string): string;
  add(a: string, b: string): string;
  sub(a: string, b: string): string;
  mul(a: string, b: string): string;
  div(a: string, b: string): string;
  sqrt(a: string): string;
  /** max(a, b) as `a < b ? b : a` (a NaN v leaves v̂ as it was, like the reference loop). */
  max(a: string, b: string): string;
  /** A scalar parameter, splat for vectors. */
  scalar(name: string): string;
}

const vec: Ops = {
  type: 'v128',
  bytes: 16,
  load: (p) => `(v128.load align=4 ${p})`,
  store: (p, v) => `(v128.store align=4 ${p} ${v})`,
  add: (a, b) => `(f32x4.add ${a} ${b})`,
  sub: (a, b) => `(f32x4.sub ${a} ${b})`,
  mul: (a, b) => `(f32x4.mul ${a} ${b})`,
  div: (a, b) => `(f32x4.div ${a} ${b})`,
  sqrt: (a) => `(f32x4.sqrt ${a})`,
  max: (a, b) => `(f32x4.pmax ${a} ${b})`,
  scalar: (name) => get(`${name}_v`),
};

const one: Ops = {
  type: 'f32',
  bytes: 4,
  load: (p) => `(f32.load align=4 ${p})`,
  store: (p, v) => `(f32.store align=4 ${p} ${v})`,
  add: (a, b) => `(f32.add ${a} ${b})`,
  sub: (a, b) => `(f32.sub ${a} ${b})`,
  mul: (a, b) => `(f32.mul ${a} ${b})`,
  div: (a, b) => `(f32.div ${a} ${b})`,
  sqrt: (a) => `(f32.sqrt ${a})`,
  max: (a, b) => `(select ${b} ${a} (f32.lt ${a} ${b}))`,
  scalar: (name) => get(name),
};

const SCALARS = ['sign', 'decay', 'wd', 'beta1', 'omb1', 'beta2', 'omb2', 'bc2Sqrt', 'eps', 'stepSize'] as const;

/** One element (or four) at byte offset `o`; `l2` adds λ·θ to the gradient, `ams` keeps v̂. */
function body(f: Func, O: Ops, l2: boolean, ams: boolean): string[] {
  const at = (buf: string): string => `(i32.add ${get(buf)} ${get('o')})`;
  const s = O.scalar;
  const l = (name: string): string => {
    f.local(`${name}_${O.bytes}`, O.type);
    return `${name}_${O.bytes}`;
  };
  const [g, th, m, v, sec] = [l('g'), l('th'), l('m'), l('v'), l('sec')];
  const out = [
    set(g, O.mul(s('sign'), O.load(at('grad')))),
    set(th, O.mul(O.load(at('theta')), s('decay'))),
    ...(l2 ? [set(g, O.add(get(g), O.mul(s('wd'), get(th))))] : []),
    set(m, O.add(O.mul(s('beta1'), O.load(at('m'))), O.mul(s('omb1'), get(g)))),
    set(v, O.add(O.mul(s('beta2'), O.load(at('v'))), O.mul(O.mul(s('omb2'), get(g)), get(g)))),
    O.store(at('m'), get(m)),
    O.store(at('v'), get(v)),
  ];
  if (ams) out.push(set(sec, O.max(O.load(at('vmax')), get(v))), O.store(at('vmax'), get(sec)));
  else out.push(set(sec, get(v)));
  const denom = O.add(O.div(O.sqrt(get(sec)), s('bc2Sqrt')), s('eps'));
  out.push(O.store(at('theta'), O.sub(get(th), O.div(O.mul(s('stepSize'), get(m)), denom))));
  return out;
}

/** adam_f32(theta, grad, m, v, vmax, n, l2, sign, decay, wd, β₁, 1−β₁, β₂, 1−β₂, √(1−β₂ᵗ), ε, stepSize); vmax 0 without AMSGrad. */
function adam(): Func {
  const f = new Func('adam_f32', true);
  for (const p of ['theta', 'grad', 'm', 'v', 'vmax', 'n', 'l2']) f.param(p);
  for (const p of SCALARS) f.param(p, 'f32');
  f.local('o', 'i32');
  f.local('end', 'i32');
  f.local('vend', 'i32');
  for (const p of SCALARS) {
    f.local(`${p}_v`, 'v128');
    f.emit(set(`${p}_v`, `(f32x4.splat ${get(p)})`));
  }
  f.emit(set('end', `(i32.shl ${get('n')} ${i32(2)})`), set('vend', `(i32.and ${get('end')} ${i32(-16)})`));
  // Four loops (L2 or not × AMSGrad or not), each a vector body and a scalar tail.
  const loops = (l2: boolean, ams: boolean): string => {
    const lines = [
      set('o', i32(0)),
      `(block $ve (loop $vl (br_if $ve (i32.ge_u ${get('o')} ${get('vend')}))`,
      ...body(f, vec, l2, ams),
      `  ${set('o', `(i32.add ${get('o')} ${i32(16)})`)} (br $vl)))`,
      `(block $se (loop $sl (br_if $se (i32.ge_u ${get('o')} ${get('end')}))`,
      ...body(f, one, l2, ams),
      `  ${set('o', `(i32.add ${get('o')} ${i32(4)})`)} (br $sl)))`,
    ];
    return lines.join('\n');
  };
  const ams = `(i32.ne ${get('vmax')} ${i32(0)})`;
  f.emit(
    `(if ${get('l2')}`,
    `  (then (if ${ams} (then ${loops(true, true)}) (else ${loops(true, false)})))`,
    `  (else (if ${ams} (then ${loops(false, true)}) (else ${loops(false, false)}))))`,
  );
  return f;
}

export function optimFunctions(): Func[] {
  return [adam()];
}
