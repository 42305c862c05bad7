// Loading a state dict from another program (PyTorch, an older notebook) into a model, with an
// error that names every missing, unexpected and mis-shaped key at once, and hints for the usual
// causes: a wrapper's key prefix ('module.'), a renamed submodule, a GRU's weights offered to an
// LSTM, PyTorch features the engine does not have (proj_size).

import { formatShape, type Module, type Tensor } from '../engine/index';

export interface MisShapedKey {
  key: string;
  /** The model's shape. */
  expected: readonly number[];
  /** The file's shape. */
  got: readonly number[];
}

/** Thrown when a state dict does not fit a model; the message lists every problem. */
export class StateDictMismatchError extends Error {
  override readonly name = 'StateDictMismatchError';
  constructor(
    message: string,
    /** In the model, not in the file (strict loads only). */
    readonly missing: readonly string[],
    /** In the file, not in the model (strict loads only). */
    readonly unexpected: readonly string[],
    readonly misShaped: readonly MisShapedKey[],
  ) {
    super(message);
  }
}

export interface LoadStateOptions {
  /** Every model key must be in the file and every file key in the model (default true). */
  strict?: boolean;
  /** Removed from the start of the file's keys first, e.g. 'module.' (DataParallel) or '_orig_mod.' (torch.compile). */
  stripPrefix?: string;
  /** What the tensors came from, for messages (e.g. the file name). */
  source?: string;
}

export interface LoadStateResult {
  /** Keys copied into the model. */
  loaded: string[];
  /** Model keys the file lacked (only non-empty with strict: false). */
  missing: string[];
  /** File keys the model lacks (only non-empty with strict: false). */
  unexpected: string[];
}

/**
 * Copies `tensors` into the model's parameters by PyTorch name. Nothing is changed unless every
 * check passes; shapes must always match, and with `strict` the key sets must too.
 */
export function loadStateDictInto(model: Module, tensors: Record<string, Tensor>, options: LoadStateOptions = {}): LoadStateResult {
  const strict = options.strict ?? true;
  const source = options.source ?? 'the state dict';
  const file = stripKeys(tensors, options.stripPrefix, source);
  const own = new Map(model.namedParameters());
  const missing = [...own.keys()].filter((k) => fileTensor(file, k) === undefined);
  const unexpected = Object.keys(file).filter((k) => !own.has(k));
  const misShaped: MisShapedKey[] = [];
  for (const [key, p] of own) {
    const t = fileTensor(file, key);
    if (t && (t.ndim !== p.ndim || t.shape.some((v, i) => v !== p.shape[i]))) misShaped.push({ key, expected: p.shape, got: t.shape });
  }
  if (misShaped.length || (strict && (missing.length || unexpected.length))) {
    const message = describeMismatch(model, source, strict ? missing : [], strict ? unexpected : [], misShaped, own, file);
    throw new StateDictMismatchError(message, strict ? missing : [], strict ? unexpected : [], misShaped);
  }
  const loaded: string[] = [];
  for (const [key, p] of own) {
    const t = fileTensor(file, key);
    if (!t) continue;
    p.data.set(t.data);
    loaded.push(key);
  }
  return { loaded, missing, unexpected };
}

/** The file's tensor for a key: own keys only (a plain object's 'constructor' is not a tensor). */
function fileTensor(file: Record<string, Tensor>, key: string): Tensor | undefined {
  return Object.prototype.hasOwnProperty.call(file, key) ? file[key] : undefined;
}

function stripKeys(tensors: Record<string, Tensor>, prefix: string | undefined, source: string): Record<string, Tensor> {
  if (!prefix) return tensors;
  // No prototype: a key '__proto__' is an ordinary key here, not the object's prototype.
  const out = Object.create(null) as Record<string, Tensor>;
  for (const [k, t] of Object.entries(tensors)) {
    const key = k.startsWith(prefix) ? k.slice(prefix.length) : k;
    if (key in out) throw new Error(`loading ${source}: stripping '${prefix}' makes two keys '${key}'`);
    out[key] = t;
  }
  return out;
}

type Shaped = { shape: readonly number[] };

function describeMismatch(model: Module, source: string, missing: string[], unexpected: string[], misShaped: MisShapedKey[], own: Map<string, Shaped>, file: Record<string, Shaped>): string {
  const lines = [`Cannot load ${source} into ${model.constructor.name}:`];
  const withShape = (k: string, s: Shaped): string => `${k} ${formatShape(s.shape)}`;
  if (missing.length) lines.push(`  missing (in the model, not in the file): ${missing.map((k) => withShape(k, own.get(k)!)).join(', ')}`);
  if (unexpected.length) lines.push(`  unexpected (in the file, not in the model): ${unexpected.map((k) => withShape(k, file[k]!)).join(', ')}`);
  const explained = new Set<string>();
  for (const m of misShaped) {
    let hint = gateHint(model, m);
    if (explained.has(hint)) hint = ''; // said once per layer is enough
    explained.add(hint);
    lines.push(`  mis-shaped: ${m.key} is ${formatShape(m.expected)} in the model but ${formatShape(m.got)} in the file${hint}`);
  }
  for (const hint of hints(missing, unexpected, own, file)) lines.push(`  hint: ${hint}`);
  return lines.join('\n');
}

/** For recurrent weights whose row count differs by the number of gates: which cell the file holds. */
function gateHint(model: Module, m: MisShapedKey): string {
  if (!/(^|\.)(weight|bias)_(ih|hh)_l\d+(_reverse)?$/.test(m.key)) return '';
  const owner = m.key.split('.').slice(0, -1).join('.');
  const layer = [...model.namedModules()].find(([path]) => path === owner)?.[1] as { hiddenSize?: number; constructor: { name: string } } | undefined;
  const H = layer?.hiddenSize;
  if (!H || m.got[0]! % H !== 0 || m.expected[0]! % H !== 0) return '';
  const cells: Record<number, string> = { 1: 'an RNN (1 block)', 3: 'a GRU (r,z,n)', 4: 'an LSTM (i,f,g,o)' };
  const [fileGates, modelGates] = [m.got[0]! / H, m.expected[0]! / H];
  if (fileGates === modelGates || !cells[fileGates]) return '';
  return ` (${fileGates}·${H} rows: the file holds ${cells[fileGates]} where the model's ${owner} is ${article(layer!.constructor.name)} with ${modelGates}·${H})`;
}

/** 'an LSTM', 'an RNN', 'a GRU': acronyms are read letter by letter. */
function article(name: string): string {
  return `${/^([AEIOU]|[FHLMNRSX][A-Z])/.test(name) ? 'an' : 'a'} ${name}`;
}

function hints(missing: string[], unexpected: string[], own: Map<string, Shaped>, file: Record<string, Shaped>): string[] {
  const out: string[] = [];
  // A common prefix on the file's keys that, removed, makes them the model's keys.
  for (const prefix of ['module.', '_orig_mod.', 'model.']) {
    const stripped = unexpected.filter((k) => k.startsWith(prefix) && own.has(k.slice(prefix.length)));
    if (stripped.length && stripped.length === unexpected.length) out.push(`the file's keys start with '${prefix}'; pass { stripPrefix: '${prefix}' }`);
  }
  if (unexpected.length > 0 && missing.length === 0 && unexpected.every((k) => k.startsWith('__optimizer__.'))) {
    out.push("this is a checkpoint fit() wrote (the model's weights and the optimizer's state): loadCheckpoint(path) reads both, and loadModel(model, path, { strict: false }) the weights alone");
  }
  if (unexpected.some((k) => /(^|\.)weight_hr_l\d+/.test(k))) out.push("weight_hr_* comes from an LSTM with proj_size, which RNN Lab's LSTM does not have");
  // Same last name and shape under a different parent: a renamed submodule.
  const renames: string[] = [];
  for (const u of unexpected) {
    const tail = u.split('.').slice(-1)[0];
    const m = missing.find((k) => k.split('.').slice(-1)[0] === tail && sameShape(own.get(k)!.shape, file[u]!.shape) && k.includes('.') && u.includes('.'));
    if (m) renames.push(`${u} → ${m}`);
  }
  if (renames.length && !out.length) out.push(`same shapes under other names, perhaps a renamed attribute: ${renames.join(', ')}`);
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
