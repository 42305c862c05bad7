// The Adam/AdamW update over one parameter in float32, as torch.optim.Adam's single-tensor path
// computes it (each operation rounded to float32, in its order):
//   g ← sign·∇ (sign −1 to maximize);  θ ← decay·θ (AdamW; decay = 1 otherwise);  g ← g + λ·θ (L2)
//   m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + ((1 − β₂)·g)·g;   v̂ ← max(v̂, v) with AMSGrad
//   θ ← θ − (stepSize·m) / (√v̂ / √(1 − β₂ᵗ) + ε)
// m, v and θ are flushed to zero below FLT_MIN when setFlushDenormal is on (wat/flush.ts).
// The JavaScript loop of optim/adam.ts stays as the reference (and the path without wasm).

import { laneFlush, type LaneFlush } from './flush';
import { Func, get, i32, scalarLane, set, vectorLane, type Lane } from './text';

// Plain mul and add in both flavours: each operation rounds as PyTorch's does.
const vec = vectorLane(false);
const one = scalarLane(false);

const SCALARS = ['sign', 'decay', 'wd', 'beta1', 'omb1', 'beta2', 'omb2', 'bc2Sqrt', 'eps', 'stepSize'] as const;

/** One element (or four) at byte offset `o`; `l2` adds λ·θ to the gradient, `ams` keeps v̂. */
function body(f: Func, L: Lane, l2: boolean, ams: boolean, flush: LaneFlush): string[] {
  const at = (buf: string): string => `(i32.add ${get(buf)} ${get('o')})`;
  // A scalar parameter, splat once for vectors.
  const s = (name: string): string => get(L.width === 4 ? `${name}_v` : name);
  const l = (name: string): string => {
    f.local(`${name}_${L.width}`, L.type);
    return `${name}_${L.width}`;
  };
  const [g, th, m, v, sec] = [l('g'), l('th'), l('m'), l('v'), l('sec')];
  const out = [
    set(g, L.mul(s('sign'), L.load(at('grad')))),
    set(th, L.mul(L.load(at('theta')), s('decay'))),
    ...(l2 ? [set(g, L.add(get(g), L.mul(s('wd'), get(th))))] : []),
    // The moments flushed below FLT_MIN (setFlushDenormal): v decays by β₂ each step a weight's
    // gradient is small, into the subnormals for weights that a vanished gradient reaches.
    set(m, flush.value(L.add(L.mul(s('beta1'), L.load(at('m'))), L.mul(s('omb1'), get(g))))),
    set(v, flush.value(L.add(L.mul(s('beta2'), L.load(at('v'))), L.mul(L.mul(s('omb2'), get(g)), get(g))))),
    L.store(at('m'), get(m)),
    L.store(at('v'), get(v)),
  ];
  // max as `a < b ? b : a`: a NaN v leaves v̂ as it was, like the reference loop.
  if (ams) out.push(set(sec, L.max(L.load(at('vmax')), get(v))), L.store(at('vmax'), get(sec)));
  else out.push(set(sec, get(v)));
  const denom = L.add(L.div(L.sqrt(get(sec)), s('bc2Sqrt')), s('eps'));
  out.push(L.store(at('theta'), flush.value(L.sub(get(th), L.div(L.mul(s('stepSize'), get(m)), denom)))));
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
  const fv = laneFlush(f, vec);
  const fs = laneFlush(f, one);
  f.emit(fv.init, fs.init);
  f.emit(set('end', `(i32.shl ${get('n')} ${i32(2)})`), set('vend', `(i32.and ${get('end')} ${i32(-16)})`));
  // Four loops (L2 or not × AMSGrad or not), each a vector body and a scalar tail.
  const loops = (l2: boolean, ams: boolean): string => {
    const lines = [
      set('o', i32(0)),
      `(block $ve (loop $vl (br_if $ve (i32.ge_u ${get('o')} ${get('vend')}))`,
      ...body(f, vec, l2, ams, fv),
      `  ${set('o', `(i32.add ${get('o')} ${i32(16)})`)} (br $vl)))`,
      `(block $se (loop $sl (br_if $se (i32.ge_u ${get('o')} ${get('end')}))`,
      ...body(f, one, l2, ams, fs),
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
