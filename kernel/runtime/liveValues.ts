// Completions and hovers from the live values in the notebook scope: after `model.` the members
// of the real object, on hover a tensor's shape or a model's layers. Pure functions over the scope.
import { host } from '../host/index';
import { engine, Module, Tensor } from './engine';
import { shapeText } from './summaries';

export type MemberKind = 'method' | 'property' | 'field' | 'class' | 'function' | 'variable' | 'module';

export interface LiveCompletion {
  name: string;
  kind: MemberKind;
  /** One line: "Tensor (32, 16)", "LSTM · 4,352 parameters", "number = 0.5". */
  detail: string;
}

export interface LiveHover {
  /** Markdown. */
  contents: string;
  /** Offsets of the hovered expression in the text. */
  start: number;
  end: number;
}

export interface ScopeView {
  names(): string[];
  has(name: string): boolean;
  get(name: string): unknown;
}

const IDENT = /[A-Za-z_$][\w$]*/;

/** Whether the completion at `offset` is of a member (`a.b.|`) or of a name in scope. */
export function completionContext(text: string, offset: number): 'member' | 'name' {
  const match = /((?:[A-Za-z_$][\w$]*[ \t]*\.[ \t]*)*)([A-Za-z_$][\w$]*)?$/.exec(text.slice(0, offset));
  return (match?.[1] ?? '').trim() ? 'member' : 'name';
}

/** Names to offer after `text.slice(0, offset)`. `globals` are helpers visible in every cell. */
export function completionsAt(text: string, offset: number, scope: ScopeView, globals: Record<string, unknown>): LiveCompletion[] {
  const before = text.slice(0, offset);
  const match = /((?:[A-Za-z_$][\w$]*[ \t]*\.[ \t]*)*)([A-Za-z_$][\w$]*)?$/.exec(before);
  const chain = (match?.[1] ?? '').split('.').map((s) => s.trim()).filter(Boolean);
  if (chain.length === 0) {
    const names = new Map<string, unknown>();
    for (const [name, value] of Object.entries(globals)) names.set(name, value);
    // Names starting with '__' are esbuild's helpers (decorators and the like), not the person's.
    for (const name of scope.names()) if (!name.startsWith('__')) names.set(name, scope.get(name));
    return [...names].map(([name, value]) => ({ name, kind: kindOf(value, 'variable'), detail: describe(value) }));
  }
  const target = resolveChain(chain, scope, globals);
  return target.found ? membersOf(target.value) : [];
}

export function hoverAt(text: string, offset: number, scope: ScopeView, globals: Record<string, unknown>): LiveHover | null {
  let end = offset;
  while (end < text.length && /[\w$]/.test(text[end]!)) end++;
  const before = text.slice(0, end);
  const match = /(?:[A-Za-z_$][\w$]*[ \t]*\.[ \t]*)*[A-Za-z_$][\w$]*$/.exec(before);
  if (!match || match.index + match[0].length < offset) return null;
  const chain = match[0].split('.').map((s) => s.trim());
  if (!IDENT.test(chain[0]!)) return null;
  const target = resolveChain(chain, scope, globals);
  if (!target.found) return null;
  return { contents: hoverMarkdown(chain.join('.'), target.value), start: match.index, end };
}

function resolveChain(chain: string[], scope: ScopeView, globals: Record<string, unknown>): { found: boolean; value: unknown } {
  const [first, ...rest] = chain as [string, ...string[]];
  let value: unknown;
  if (scope.has(first)) value = scope.get(first);
  else if (first in globals) value = globals[first];
  else return { found: false, value: undefined };
  for (const key of rest) {
    const next = readMember(value, key);
    if (!next.found) return next;
    value = next.value;
  }
  return { found: true, value };
}

/** Reads a data property; runs a getter only on engine objects (their getters are pure). */
function readMember(value: unknown, key: string): { found: boolean; value: unknown } {
  if (value === null || value === undefined) return { found: false, value: undefined };
  const holder = Object(value) as object;
  for (let o: object | null = holder; o; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, key);
    if (!descriptor) continue;
    if ('value' in descriptor) return { found: true, value: descriptor.value };
    const isEngineObject = value instanceof Tensor || value instanceof Module;
    if (descriptor.get && isEngineObject) return { found: true, value: descriptor.get.call(value) };
    return { found: false, value: undefined };
  }
  return { found: false, value: undefined };
}

function membersOf(value: unknown): LiveCompletion[] {
  if (value === null || value === undefined) return [];
  const seen = new Map<string, LiveCompletion>();
  const stopAt = new Set<unknown>([Object.prototype, Function.prototype]);
  for (let o: object | null = Object(value) as object; o && !stopAt.has(o); o = Object.getPrototypeOf(o) as object | null) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (seen.has(key) || key === 'constructor' || !IDENT.test(key)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, key)!;
      if ('value' in descriptor) {
        const member = descriptor.value as unknown;
        seen.set(key, { name: key, kind: typeof member === 'function' ? 'method' : 'field', detail: describe(member) });
      } else {
        const member = readMember(value, key);
        seen.set(key, { name: key, kind: 'property', detail: member.found ? describe(member.value) : 'getter' });
      }
    }
  }
  return [...seen.values()];
}

function kindOf(value: unknown, fallback: MemberKind): MemberKind {
  if (typeof value === 'function') return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  if (value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[Symbol.toStringTag] === 'Module') return 'module';
  return fallback;
}

/**
 * A class's name as people write it: the bundler turns some engine classes into
 * `var Tensor = class _Tensor {…}`, whose name is then '_Tensor' (esbuild's keepNames would fix
 * that everywhere, for a defineProperty on every closure the engine makes: 1–2 % of a step).
 */
function className(value: { name: string }): string {
  const bare = value.name.replace(/^_/, '');
  return bare !== value.name && (engine as Record<string, unknown>)[bare] === value ? bare : value.name;
}

/** One line describing a value, for completion details and hover titles. */
export function describe(value: unknown): string {
  if (value instanceof Tensor) return `Tensor ${shapeText(value.shape)}${value.requiresGrad ? ' requiresGrad' : ''}`;
  if (value instanceof Module) return `${value.constructor.name} · ${value.numParameters().toLocaleString('en-US')} parameters`;
  if (typeof value === 'function') {
    const source = Function.prototype.toString.call(value);
    if (/^class\b/.test(source)) return `class ${className(value)}`;
    const signature = /^[^{=]*(?:=>)?/.exec(source)?.[0]?.trim() ?? value.name;
    return truncate(signature.replace(/\s+/g, ' '), 80);
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (value !== null && typeof value === 'object') return value.constructor?.name ?? 'object';
  return `${typeof value} = ${truncate(host().inspect(value), 60)}`;
}

function hoverMarkdown(expression: string, value: unknown): string {
  const title = `\`\`\`ts\n${expression}: ${describe(value)}\n\`\`\``;
  let body = '';
  if (value instanceof Tensor || value instanceof Module) body = value.toString();
  else if (value !== null && typeof value === 'object' && typeof value !== 'function') body = host().inspect(value, { depth: 1, maxArrayLength: 10 });
  if (!body) return title;
  const lines = body.split('\n');
  const shown = lines.length > 20 ? [...lines.slice(0, 20), '…'] : lines;
  return `${title}\n\`\`\`\n${shown.join('\n')}\n\`\`\``;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
