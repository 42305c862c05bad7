// The Node.js globals cells use, for a notebook whose folder has no @types/node (the .vsix does
// not ship it): typed where people rely on them (console, performance, fetch, URL, TextEncoder),
// open-ended where they are large (process, Buffer, crypto), so that nothing that runs is flagged.
// Node's built-in modules (`import { readFileSync } from 'node:fs'`) are `any` then
// (builtinModuleDeclarations). With @types/node in the notebook's folder, those are used instead.
import { host } from '../../host/index';

export const NODE_GLOBALS_FILE = 'node-globals.d.ts';
export const BUILTIN_MODULES_FILE = 'node-builtin-modules.d.ts';

export const NODE_GLOBALS = `// Node.js globals (a subset; no @types/node in the notebook's folder).
interface Console {
  log(...data: any[]): void;
  info(...data: any[]): void;
  warn(...data: any[]): void;
  error(...data: any[]): void;
  debug(...data: any[]): void;
  trace(...data: any[]): void;
  dir(item?: any, options?: any): void;
  table(tabularData?: any, properties?: string[]): void;
  assert(condition?: boolean, ...data: any[]): void;
  count(label?: string): void;
  countReset(label?: string): void;
  group(...label: any[]): void;
  groupCollapsed(...label: any[]): void;
  groupEnd(): void;
  time(label?: string): void;
  timeLog(label?: string, ...data: any[]): void;
  timeEnd(label?: string): void;
  clear(): void;
}
declare var console: Console;

interface Performance {
  /** Milliseconds since the kernel started, with sub-millisecond resolution. */
  now(): number;
  readonly timeOrigin: number;
  mark(name: string, options?: any): any;
  measure(name: string, startOrOptions?: any, endMark?: string): any;
  [key: string]: any;
}
declare var performance: Performance;

interface NodeProcess {
  readonly env: Record<string, string | undefined>;
  readonly argv: string[];
  readonly platform: string;
  readonly arch: string;
  readonly version: string;
  readonly versions: Record<string, string | undefined>;
  readonly pid: number;
  cwd(): string;
  exit(code?: number): never;
  hrtime: { (time?: [number, number]): [number, number]; bigint(): bigint };
  memoryUsage(): { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  cpuUsage(previous?: { user: number; system: number }): { user: number; system: number };
  uptime(): number;
  nextTick(callback: (...args: any[]) => void, ...args: any[]): void;
  readonly stdout: { write(chunk: string | Uint8Array): boolean; [key: string]: any };
  readonly stderr: { write(chunk: string | Uint8Array): boolean; [key: string]: any };
  [key: string]: any;
}
declare var process: NodeProcess;

interface Buffer extends Uint8Array {
  toString(encoding?: string, start?: number, end?: number): string;
  [key: string]: any;
}
declare var Buffer: {
  from(value: any, encodingOrOffset?: any, length?: number): Buffer;
  alloc(size: number, fill?: any, encoding?: string): Buffer;
  allocUnsafe(size: number): Buffer;
  isBuffer(value: any): value is Buffer;
  concat(list: readonly Uint8Array[], totalLength?: number): Buffer;
  byteLength(value: string | ArrayBufferView | ArrayBuffer, encoding?: string): number;
  [key: string]: any;
};

interface URLSearchParams {
  readonly size: number;
  append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  toString(): string;
  forEach(callback: (value: string, key: string, parent: URLSearchParams) => void): void;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
declare var URLSearchParams: { prototype: URLSearchParams; new (init?: string | Record<string, string> | Iterable<[string, string]>): URLSearchParams };
interface URL {
  hash: string;
  host: string;
  hostname: string;
  href: string;
  readonly origin: string;
  password: string;
  pathname: string;
  port: string;
  protocol: string;
  search: string;
  readonly searchParams: URLSearchParams;
  username: string;
  toString(): string;
  toJSON(): string;
}
declare var URL: { prototype: URL; new (url: string | URL, base?: string | URL): URL; canParse(url: string | URL, base?: string | URL): boolean };

interface TextEncoder {
  readonly encoding: string;
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };
interface TextDecoder {
  readonly encoding: string;
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare var TextDecoder: { prototype: TextDecoder; new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder };

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: any;
  onabort: ((event: any) => any) | null;
  throwIfAborted(): void;
  addEventListener(type: string, listener: (event: any) => void, options?: any): void;
  removeEventListener(type: string, listener: (event: any) => void, options?: any): void;
}
declare var AbortSignal: { prototype: AbortSignal; abort(reason?: any): AbortSignal; timeout(milliseconds: number): AbortSignal; any(signals: AbortSignal[]): AbortSignal };
interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: any): void;
}
declare var AbortController: { prototype: AbortController; new (): AbortController };

interface Headers {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  delete(name: string): void;
  forEach(callback: (value: string, key: string) => void): void;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
interface Response {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: any;
  text(): Promise<string>;
  json(): Promise<any>;
  arrayBuffer(): Promise<ArrayBuffer>;
  blob(): Promise<any>;
  [key: string]: any;
}
interface RequestInit {
  method?: string;
  headers?: Record<string, string> | [string, string][] | Headers;
  body?: string | ArrayBuffer | ArrayBufferView | URLSearchParams | null;
  signal?: AbortSignal | null;
  [key: string]: any;
}
declare function fetch(input: string | URL | { url: string }, init?: RequestInit): Promise<Response>;

declare function structuredClone<T>(value: T, options?: { transfer?: any[] }): T;
declare function queueMicrotask(callback: () => void): void;
declare function atob(data: string): string;
declare function btoa(data: string): string;
declare var crypto: { randomUUID(): string; getRandomValues<T extends ArrayBufferView | null>(array: T): T; readonly subtle: any; [key: string]: any };
declare var global: typeof globalThis;
`;

/** `declare module 'fs';` for every built-in module, with and without `node:`: imports are `any`. */
export function builtinModuleDeclarations(): string {
  const names = new Set<string>();
  for (const name of host().modules.builtinNames()) {
    if (name.startsWith('_')) continue;
    names.add(name.replace(/^node:/, ''));
  }
  const lines = [...names].sort().flatMap((name) => [`declare module '${name}';`, `declare module 'node:${name}';`]);
  return `// Node's built-in modules, untyped (no @types/node in the notebook's folder).\n${lines.join('\n')}\n`;
}
