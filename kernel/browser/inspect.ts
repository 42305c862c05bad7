// util.inspect and util.format for the browser host, close to Node's output for what cells print
// (numbers, strings, arrays, typed arrays, plain objects, Map/Set, errors, classes, values with a
// [Symbol.for('nodejs.util.inspect.custom')] method such as Tensor and Module): a notebook shows
// the same text in VS Code for the Web as on the desktop. Not Node's column grouping of long
// number arrays: those print one item per line once they pass breakLength.
import type { InspectOptions } from '../host/index';

const CUSTOM = Symbol.for('nodejs.util.inspect.custom');
const DEFAULTS: Required<InspectOptions> = { depth: 2, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 80 };

export function inspect(value: unknown, options: InspectOptions = {}): string {
  const o = { ...DEFAULTS, ...options };
  return format(value, o, 0, new Set(), 0);
}

function format(value: unknown, o: Required<InspectOptions>, depth: number, seen: Set<object>, indent: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'string':
      return quote(value.length > o.maxStringLength ? value.slice(0, o.maxStringLength) : value) + (value.length > o.maxStringLength ? `... ${value.length - o.maxStringLength} more characters` : '');
    case 'function':
      return functionText(value as (...args: unknown[]) => unknown);
  }
  const object = value as Record<PropertyKey, unknown>;
  const custom = object[CUSTOM];
  if (typeof custom === 'function') {
    const shown: unknown = (custom as (d: number, opts: InspectOptions, insp: typeof inspect) => unknown).call(object, o.depth - depth, o, inspect);
    return typeof shown === 'string' ? shown : format(shown, o, depth, seen, indent);
  }
  if (seen.has(object)) return '[Circular *1]';
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof Promise) return 'Promise { <pending> }';
  if (value instanceof WeakMap) return 'WeakMap { <items unknown> }';
  if (value instanceof WeakSet) return 'WeakSet { <items unknown> }';
  if (depth > o.depth) return Array.isArray(value) ? '[Array]' : `[${constructorName(object) ?? 'Object'}]`;

  seen.add(object);
  try {
    const inner = (v: unknown) => format(v, o, depth + 1, seen, indent + 2);
    let prefix = '';
    let items: string[];
    let brackets: [string, string] = ['{', '}'];
    if (Array.isArray(value) || ArrayBuffer.isView(value)) {
      const list = value as ArrayLike<unknown>;
      const isTyped = !Array.isArray(value);
      if (isTyped && value instanceof DataView) return `DataView { byteLength: ${value.byteLength} }`;
      const shown = Math.min(list.length, o.maxArrayLength);
      items = [];
      for (let i = 0; i < shown; i++) items.push(i in list ? inner(list[i]) : '<empty item>');
      if (list.length > shown) items.push(`... ${list.length - shown} more item${list.length - shown > 1 ? 's' : ''}`);
      if (!isTyped) for (const key of Object.keys(value).filter((k) => !/^\d+$/.test(k))) items.push(`${key}: ${inner(object[key])}`);
      prefix = isTyped ? `${constructorName(object)}(${list.length}) ` : '';
      brackets = ['[', ']'];
    } else if (value instanceof Map) {
      items = [...value].slice(0, o.maxArrayLength).map(([k, v]) => `${inner(k)} => ${inner(v)}`);
      prefix = `Map(${value.size}) `;
    } else if (value instanceof Set) {
      items = [...value].slice(0, o.maxArrayLength).map(inner);
      prefix = `Set(${value.size}) `;
    } else if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
      return `${constructorName(object)} { byteLength: ${(value as ArrayBuffer).byteLength} }`;
    } else {
      items = Object.keys(object).map((key) => `${propertyKey(key)}: ${inner(object[key])}`);
      const name = constructorName(object);
      prefix = name === 'Object' ? '' : name === undefined ? '[Object: null prototype] ' : `${name} `;
    }
    if (items.length === 0) return `${prefix}${brackets[0]}${brackets[1]}`;
    const single = `${prefix}${brackets[0]} ${items.join(', ')} ${brackets[1]}`;
    if (single.length + indent <= o.breakLength && !single.includes('\n')) return single;
    const pad = ' '.repeat(indent + 2);
    return `${prefix}${brackets[0]}\n${items.map((item) => pad + item).join(',\n')}\n${' '.repeat(indent)}${brackets[1]}`;
  } finally {
    seen.delete(object);
  }
}

function quote(text: string): string {
  const q = !text.includes("'") ? "'" : !text.includes('"') ? '"' : !text.includes('`') ? '`' : "'";
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(new RegExp(q, 'g'), `\\${q}`);
  return `${q}${escaped}${q}`;
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key);
}

function constructorName(object: object): string | undefined {
  const proto = Object.getPrototypeOf(object) as { constructor?: { name?: string } } | null;
  if (proto === null) return undefined;
  return proto.constructor?.name || 'Object';
}

function functionText(fn: (...args: unknown[]) => unknown): string {
  const isClass = /^class\b/.test(Function.prototype.toString.call(fn));
  if (isClass) return `[class ${fn.name || '(anonymous)'}]`;
  return fn.name ? `[Function: ${fn.name}]` : '[Function (anonymous)]';
}

/**
 * Node's util.format, as console.log uses it: `%s %d %i %f %j %o %O %c %%` in a leading string,
 * the other arguments after it, strings as they are and anything else inspected.
 */
export function formatArgs(args: readonly unknown[]): string {
  const rest = [...args];
  let head = '';
  if (typeof rest[0] === 'string') {
    const first = rest.shift() as string;
    head = first.replace(/%([sdifjoOc%])/g, (whole, spec: string) => {
      if (spec === '%') return '%';
      if (rest.length === 0) return whole;
      const arg = rest.shift();
      switch (spec) {
        case 's':
          return typeof arg === 'string' ? arg : inspect(arg, { depth: 1 });
        case 'd':
        case 'i':
          return typeof arg === 'bigint' ? `${arg}n` : String(spec === 'i' ? Math.trunc(Number(arg)) : Number(arg));
        case 'f':
          return String(Number.parseFloat(String(arg)));
        case 'j':
          try {
            return JSON.stringify(arg);
          } catch {
            return '[Circular]';
          }
        case 'c':
          return '';
        default:
          return inspect(arg, { depth: spec === 'O' ? 2 : 4 });
      }
    });
  }
  const tail = rest.map((arg) => (typeof arg === 'string' ? arg : inspect(arg)));
  return [...(typeof args[0] === 'string' ? [head] : []), ...tail].join(' ');
}
