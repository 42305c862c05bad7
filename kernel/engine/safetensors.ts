// The safetensors format (huggingface/safetensors), read and written without I/O:
//
//   8 bytes   N, little-endian u64: the header's length in bytes
//   N bytes   UTF-8 JSON {"__metadata__": {str: str}?, name: {"dtype", "shape", "data_offsets": [b, e]}, …},
//             padded with spaces so the data starts 8-byte aligned
//   the rest  raw little-endian tensor data; offsets are relative to its first byte
//
// Reading checks what the reference implementation checks (header size and JSON, every tensor's
// byte count against dtype × shape, offsets that tile the data exactly, no bytes left over) and
// names the tensor at fault. The engine is float32, so other dtypes are converted on load where
// the values survive (F64, F16, BF16, and integers float32 holds exactly); writing is F32.
//
// Tensors are keyed by name in objects without a prototype (Object.create(null)), and the name
// `__proto__` is refused on both sides: in a plain `{}`, assigning it replaces the object's
// prototype instead of adding a tensor. (`constructor` and `prototype` are harmless in such an
// object and are real parameter names in PyTorch models, e.g. prototypical networks.)

import { formatShape, shapeSize, Tensor } from './tensor';

/** The reference implementation refuses headers above 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;

const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  C64: 8,
};

/** Dtypes loadSafetensors converts to float32. */
export const SAFETENSORS_LOADABLE_DTYPES = ['F32', 'F64', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U64', 'U32', 'U16', 'U8', 'BOOL'] as const;

export interface SafetensorsTensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** The `__metadata__` map ({} when absent). */
  metadata: Record<string, string>;
  /** Tensors in data order (by offset). */
  tensors: SafetensorsTensorInfo[];
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(message: string): never {
  throw new Error(`safetensors: ${message}`);
}

/** A name JavaScript objects cannot hold as a key: assigning it replaces an object's prototype. */
export const FORBIDDEN_TENSOR_NAME = '__proto__';

function refuseForbiddenName(name: string, what: string): void {
  if (name === FORBIDDEN_TENSOR_NAME) fail(`${what} '__proto__' is refused: as a key of a JavaScript object it would replace the object's prototype; give it another name`);
}

/** An empty object for tensors or metadata keyed by name, without Object.prototype's keys. */
function byName<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Parses and checks the header. `bytes` may be just the beginning of a file (8 + N bytes are
 * enough): the data section is not looked at, so this reads a large file's table cheaply.
 */
export function readSafetensorsMetadata(bytes: Uint8Array): SafetensorsHeader {
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short: a file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n64} exceeds the 100 MB limit (not a safetensors file?)`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`truncated: the header needs ${n} bytes but only ${bytes.length - 8} follow the length field`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('the header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail('the header must be a JSON object');

  const metadata = byName<string>();
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null) continue;
      if (typeof entry !== 'object' || Array.isArray(entry)) fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        refuseForbiddenName(k, '__metadata__ key');
        if (typeof v !== 'string') fail(`__metadata__ value for '${k}' is ${JSON.stringify(v)}, not a string`);
        metadata[k] = v;
      }
      continue;
    }
    refuseForbiddenName(name, 'tensor name');
    tensors.push(parseTensorInfo(name, entry));
  }

  // Offsets must tile [0, end) exactly, in some order: no gaps, no overlaps.
  const byOffset = [...tensors].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let pos = 0;
  let previous: SafetensorsTensorInfo | null = null;
  for (const t of byOffset) {
    const [begin, end] = t.dataOffsets;
    if (begin < pos) fail(`tensor '${t.name}' data [${begin}, ${end}) overlaps tensor '${previous!.name}' [${previous!.dataOffsets[0]}, ${previous!.dataOffsets[1]})`);
    if (begin > pos) fail(`tensor '${t.name}' data starts at byte ${begin}, leaving a gap after byte ${pos}${previous ? ` (end of '${previous.name}')` : ''}`);
    pos = end;
    previous = t;
  }
  return { metadata, tensors: byOffset, dataStart: 8 + n };
}

function parseTensorInfo(name: string, entry: unknown): SafetensorsTensorInfo {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(`tensor '${name}': header entry must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string') fail(`tensor '${name}': dtype is missing or not a string`);
  const itemBytes = DTYPE_BYTES[dtype];
  if (itemBytes === undefined) fail(`tensor '${name}': unknown dtype '${dtype}'`);
  const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!Array.isArray(shape) || !shape.every(isIndex)) fail(`tensor '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    fail(`tensor '${name}': data_offsets must be [begin, end] byte offsets, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}) end before they begin`);
  const count = shapeSize(shape as number[]);
  if (end - begin !== count * itemBytes) {
    fail(`tensor '${name}': ${dtype} shape ${formatShape(shape as number[])} needs ${count * itemBytes} bytes but data_offsets [${begin}, ${end}) hold ${end - begin}`);
  }
  return { name, dtype, shape: [...(shape as number[])], dataOffsets: [begin, end] };
}

/** What loading does with NaN and ±Infinity values: warn (console.warn) and load, refuse, or load silently. */
export type NonFiniteValues = 'warn' | 'error' | 'allow';

export interface LoadSafetensorsOptions {
  /**
   * Default 'warn': the file loads (as torch and safetensors load it: a mask of -inf can be
   * meant) and console.warn names each tensor holding NaN or ±Infinity and how many.
   */
  nonFinite?: NonFiniteValues;
  /** What the bytes came from, for messages (e.g. the file name). */
  source?: string;
}

/**
 * Reads every tensor of a safetensors file as a float32 Tensor (copies; `bytes` may be reused).
 * F64 is rounded to float32; F16 and BF16 are exact; integer and BOOL tensors are converted when
 * float32 holds every value exactly, else the error names the tensor and the value. The result has
 * no prototype (a tensor named 'constructor' is just a tensor); see options for NaN and ±Infinity.
 */
export function loadSafetensors(bytes: Uint8Array, options: LoadSafetensorsOptions = {}): Record<string, Tensor> {
  const header = readSafetensorsMetadata(bytes);
  const dataBytes = bytes.length - header.dataStart;
  const last = header.tensors[header.tensors.length - 1];
  const used = last ? last.dataOffsets[1] : 0;
  if (used > dataBytes) {
    const culprit = header.tensors.find((t) => t.dataOffsets[1] > dataBytes)!;
    fail(`truncated: tensor '${culprit.name}' data [${culprit.dataOffsets[0]}, ${culprit.dataOffsets[1]}) runs past the end of the data (${dataBytes} bytes)`);
  }
  if (used < dataBytes) fail(`${dataBytes - used} bytes follow the last tensor's data (offsets must cover the data exactly)`);

  const out = byName<Tensor>();
  for (const t of header.tensors) {
    const start = header.dataStart + t.dataOffsets[0];
    out[t.name] = new Tensor(decode(bytes, start, shapeSize(t.shape), t), t.shape);
  }
  reportNonFinite(out, options.nonFinite ?? 'warn', options.source ?? 'the safetensors data');
  return out;
}

/** How many values of one tensor are NaN, +Infinity and -Infinity. */
export interface NonFiniteCount {
  name: string;
  size: number;
  nan: number;
  posInf: number;
  negInf: number;
}

/** The tensors holding NaN or ±Infinity, in the order given, with their counts. */
export function countNonFinite(tensors: Record<string, Tensor> | ReadonlyMap<string, Tensor>): NonFiniteCount[] {
  const out: NonFiniteCount[] = [];
  for (const [name, t] of entriesOf(tensors)) {
    const d = t.data;
    let nan = 0;
    let posInf = 0;
    let negInf = 0;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v !== v) nan++;
      else if (v === Infinity) posInf++;
      else if (v === -Infinity) negInf++;
    }
    if (nan + posInf + negInf > 0) out.push({ name, size: d.length, nan, posInf, negInf });
  }
  return out;
}

/** "fc.weight: 12 NaN, 1 +Infinity of 1024 values; …" (the first few tensors, then how many more). */
export function describeNonFinite(counts: readonly NonFiniteCount[], shown = 8): string {
  const one = (c: NonFiniteCount): string => {
    const kinds = [c.nan ? `${c.nan} NaN` : '', c.posInf ? `${c.posInf} +Infinity` : '', c.negInf ? `${c.negInf} -Infinity` : ''].filter(Boolean);
    return `${c.name} (${kinds.join(', ')} of ${c.size} values)`;
  };
  const listed = counts.slice(0, shown).map(one).join(', ');
  return counts.length > shown ? `${listed} and ${counts.length - shown} more tensors` : listed;
}

/** Warns about (or refuses) NaN and ±Infinity: a model loaded from them cannot train or predict. */
export function reportNonFinite(tensors: Record<string, Tensor> | ReadonlyMap<string, Tensor>, policy: NonFiniteValues, source: string): void {
  if (policy === 'allow') return;
  const counts = countNonFinite(tensors);
  if (counts.length === 0) return;
  const what = `${source} holds non-finite values: ${describeNonFinite(counts)}`;
  if (policy === 'error') fail(`${what}; refused ({ nonFinite: 'error' })`);
  console.warn(`Warning: ${what}. They were loaded (pass { nonFinite: 'error' } to refuse such files, 'allow' to load them quietly); a model with NaN weights outputs NaN, and training it diverges at its first step.`);
}

function entriesOf<T>(tensors: Record<string, T> | ReadonlyMap<string, T>): [string, T][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Record<string, T>);
}

function decode(bytes: Uint8Array, start: number, count: number, t: SafetensorsTensorInfo): Float32Array {
  // Uint8Array's own slice() copies into a fresh, aligned ArrayBuffer that the tensor then owns
  // (called through the prototype: a Node Buffer's slice() returns a view into its shared pool).
  if (t.dtype === 'F32' && littleEndianHost) return new Float32Array(Uint8Array.prototype.slice.call(bytes, start, start + count * 4).buffer);
  const out = new Float32Array(count);
  const itemBytes = DTYPE_BYTES[t.dtype]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * itemBytes);
  const exact = (v: number | bigint, i: number): number => {
    const x = Number(v);
    if (Math.fround(x) !== x || (typeof v === 'bigint' && BigInt(x) !== v)) {
      fail(`tensor '${t.name}' (${t.dtype}) holds ${v} at element ${i}, which float32 cannot represent exactly`);
    }
    return x;
  };
  switch (t.dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      break;
    case 'BF16': {
      // bfloat16 is the upper half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = exact(view.getBigInt64(i * 8, true), i);
      break;
    case 'U64':
      for (let i = 0; i < count; i++) out[i] = exact(view.getBigUint64(i * 8, true), i);
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = exact(view.getInt32(i * 4, true), i);
      break;
    case 'U32':
      for (let i = 0; i < count; i++) out[i] = exact(view.getUint32(i * 4, true), i);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      break;
    case 'U16':
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) !== 0 ? 1 : 0;
      break;
    default:
      fail(`tensor '${t.name}' has dtype ${t.dtype}, which the float32 engine cannot load (supported: ${SAFETENSORS_LOADABLE_DTYPES.join(', ')}); convert it to F32, F16 or BF16 first`);
  }
  return out;
}

/** IEEE 754 half precision bits → number (exact). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // subnormal (or zero)
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Byte-wise UTF-8 order, as Rust's String comparison (JS compares UTF-16 code units). */
function compareUtf8(a: string, b: string): number {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * The tensors to write, by name. A Tensor as the prototype of a plain object means code assigned
 * obj['__proto__'] = tensor, which JavaScript takes as setting the prototype: the tensor would be
 * left out without a word.
 */
function tensorsToWrite(tensors: Record<string, Tensor> | ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  if (!(tensors instanceof Map) && Object.getPrototypeOf(tensors) instanceof Tensor) {
    fail("a tensor was assigned to the key '__proto__', which JavaScript takes as the object's prototype; the name '__proto__' is refused, rename it");
  }
  const map = new Map(entriesOf(tensors));
  for (const [name, t] of map) {
    if (name === '__metadata__') fail("'__metadata__' is reserved and cannot name a tensor");
    refuseForbiddenName(name, 'tensor name');
    if (!(t instanceof Tensor)) fail(`'${name}' is not a Tensor`);
  }
  return map;
}

/**
 * Writes float32 tensors as a safetensors file, byte for byte as the reference writer would:
 * tensors sorted by name, compact JSON with `__metadata__` first (when given), the header padded
 * with spaces to a multiple of 8 bytes. E.g. `saveSafetensors(model.stateDict(), { format: 'pt' })`.
 * The tensors may be given as an object or a Map of name → Tensor.
 */
export function saveSafetensors(input: Record<string, Tensor> | ReadonlyMap<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const tensors = tensorsToWrite(input);
  const names = [...tensors.keys()].sort(compareUtf8);
  const parts: string[] = [];
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      refuseForbiddenName(k, 'metadata key');
      if (typeof v !== 'string') fail(`metadata value for '${k}' must be a string, got ${typeof v}`);
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const bytes = t.size * 4;
    parts.push(`${JSON.stringify(name)}:{"dtype":"F32","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + bytes}]}`);
    offset += bytes;
  }
  const headerText = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = headerText.length + ((8 - (headerText.length % 8)) % 8);
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(headerText, 8);
  out.fill(0x20, 8 + headerText.length, 8 + padded);
  let pos = 8 + padded;
  for (const name of names) {
    const data = tensors.get(name)!.data;
    if (littleEndianHost) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    else for (let i = 0; i < data.length; i++) view.setFloat32(pos + i * 4, data[i]!, true);
    pos += data.byteLength;
  }
  return out;
}
