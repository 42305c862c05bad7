// The safetensors reader and writer: the reference implementation's byte layout, dtype
// conversion, and errors that name the tensor at fault.

import { describe, expect, it } from 'vitest';
import { loadSafetensors, readSafetensorsMetadata, saveSafetensors } from '../../kernel/engine/safetensors';
import { Tensor, tensor } from '../../kernel/engine/tensor';

interface RawEntry {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
  offsets?: [number, number];
}

/** A file from raw parts, with optional hand-set offsets, header text or trailing bytes. */
function makeFile(entries: RawEntry[], options: { metadata?: Record<string, unknown>; headerText?: string; extra?: number; headerLength?: number } = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: e.offsets ?? [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  const text = new TextEncoder().encode(options.headerText ?? JSON.stringify(header));
  const data = entries.reduce((n, e) => n + e.bytes.length, 0) + (options.extra ?? 0);
  const out = new Uint8Array(8 + text.length + data);
  new DataView(out.buffer).setBigUint64(0, BigInt(options.headerLength ?? text.length), true);
  out.set(text, 8);
  let pos = 8 + text.length;
  for (const e of entries) {
    out.set(e.bytes, pos);
    pos += e.bytes.length;
  }
  return out;
}

function le(kind: 'f32' | 'f64' | 'u16' | 'i64' | 'u64' | 'i32' | 'u32' | 'i16' | 'i8' | 'u8', values: (number | bigint)[]): Uint8Array {
  const size = { f32: 4, f64: 8, u16: 2, i64: 8, u64: 8, i32: 4, u32: 4, i16: 2, i8: 1, u8: 1 }[kind];
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    const o = i * size;
    if (kind === 'f32') v.setFloat32(o, Number(x), true);
    else if (kind === 'f64') v.setFloat64(o, Number(x), true);
    else if (kind === 'u16') v.setUint16(o, Number(x), true);
    else if (kind === 'i64') v.setBigInt64(o, BigInt(x), true);
    else if (kind === 'u64') v.setBigUint64(o, BigInt(x), true);
    else if (kind === 'i32') v.setInt32(o, Number(x), true);
    else if (kind === 'u32') v.setUint32(o, Number(x), true);
    else if (kind === 'i16') v.setInt16(o, Number(x), true);
    else if (kind === 'i8') v.setInt8(o, Number(x));
    else v.setUint8(o, Number(x));
  });
  return out;
}

describe('writer: the reference byte layout', () => {
  it('matches the reference implementation for one F32 tensor (its test_serialization bytes)', () => {
    const out = saveSafetensors({ 'attn.0': tensor([0, 1, 2, 3, 4, 5], [1, 2, 3]) });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64); // already a multiple of 8: no padding
    expect([...out.subarray(0, 8)]).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(out.subarray(8, 72))).toBe(header);
    expect([...out.subarray(72)]).toEqual([0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]);
  });
  it('pads the header with spaces to 8 bytes (test_serialization_forced_alignement)', () => {
    const out = saveSafetensors({ attn0: tensor([0, 1, 2, 3, 4, 5], [1, 1, 2, 3]) });
    expect(out[0]).toBe(72);
    const text = new TextDecoder().decode(out.subarray(8, 80));
    expect(text).toBe('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}' + ' '.repeat(7));
    expect(out.length).toBe(80 + 24);
  });
  it('writes an empty file and metadata first, as the reference (test_empty)', () => {
    expect([...saveSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMeta = saveSafetensors({}, { framework: 'pt' });
    expect(new TextDecoder().decode(withMeta.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
    expect(withMeta[0]).toBe(40);
  });
  it('sorts names byte-wise (UTF-8), offsets follow that order, scalars have shape []', () => {
    const out = saveSafetensors({ b: tensor([1, 2]), a: tensor([3]), 'é': tensor([4]), Z: tensor(5), '\u{1F600}': tensor([6]), '\uFF21': tensor([7]) });
    const h = readSafetensorsMetadata(out);
    // JS's default sort compares UTF-16 code units and would put the emoji (0xD83D…) before U+FF21;
    // byte-wise UTF-8 order, Rust's, puts U+FF21 (EF BC A1) before the emoji (F0 9F 98 80).
    expect(h.tensors.map((t) => t.name)).toEqual(['Z', 'a', 'b', 'é', '\uFF21', '\u{1F600}']);
    expect(h.tensors.map((t) => t.dataOffsets)).toEqual([[0, 4], [4, 8], [8, 16], [16, 20], [20, 24], [24, 28]]);
    expect(h.tensors[0]!.shape).toEqual([]);
    expect(h.dataStart % 8).toBe(0);
  });
  it('round-trips values bit for bit, including NaN, ±Infinity, -0 and subnormals', () => {
    const values = new Float32Array([NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38, 0.1]);
    const back = loadSafetensors(saveSafetensors({ x: new Tensor(values, [7]), e: new Tensor(new Float32Array(0), [0, 3]) }, { k: 'v' }));
    expect(new Uint32Array(back.x!.data.buffer)).toEqual(new Uint32Array(values.buffer));
    expect(back.e!.shape).toEqual([0, 3]);
    expect(back.x!.data).not.toBe(values);
  });
  it('writes tensors backed by SharedArrayBuffer or by a slice of a larger buffer', () => {
    const shared = new Float32Array(new SharedArrayBuffer(16));
    shared.set([1, 2, 3, 4]);
    const big = new Float32Array([9, 9, 5, 6, 9]);
    const back = loadSafetensors(saveSafetensors({ s: new Tensor(shared, [2, 2]), v: new Tensor(big.subarray(2, 4), [2]) }));
    expect([...back.s!.data]).toEqual([1, 2, 3, 4]);
    expect([...back.v!.data]).toEqual([5, 6]);
  });
  it('rejects the reserved name, non-tensors and non-string metadata', () => {
    expect(() => saveSafetensors({ __metadata__: tensor([1]) })).toThrow("safetensors: '__metadata__' is reserved and cannot name a tensor");
    expect(() => saveSafetensors({ a: [1, 2] as unknown as Tensor })).toThrow("safetensors: 'a' is not a Tensor");
    expect(() => saveSafetensors({}, { n: 3 as unknown as string })).toThrow("safetensors: metadata value for 'n' must be a string, got number");
  });
});

describe('reader: dtypes', () => {
  it('reads F32, F64 (rounded), F16 and BF16 (exact)', () => {
    const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555];
    const file = makeFile([
      { name: 'f32', dtype: 'F32', shape: [2], bytes: le('f32', [1.5, -2]) },
      { name: 'f64', dtype: 'F64', shape: [2], bytes: le('f64', [0.1, 1e300]) },
      { name: 'f16', dtype: 'F16', shape: [9], bytes: le('u16', f16) },
      { name: 'bf16', dtype: 'BF16', shape: [3], bytes: le('u16', [0x3f80, 0x4049, 0xc2f7]) },
    ]);
    const t = loadSafetensors(file);
    expect([...t.f32!.data]).toEqual([1.5, -2]);
    expect([...t.f64!.data]).toEqual([Math.fround(0.1), Infinity]);
    expect([...t.f16!.data]).toEqual([1, -2, 65504, 2 ** -24, -0, Infinity, -Infinity, NaN, 0.333251953125]);
    expect([...t.bf16!.data]).toEqual([1, 3.140625, -123.5]);
  });
  it('reads integer and BOOL tensors float32 holds exactly', () => {
    const file = makeFile([
      { name: 'i64', dtype: 'I64', shape: [3], bytes: le('i64', [-5n, 0n, 16777216n]) },
      { name: 'u64', dtype: 'U64', shape: [1], bytes: le('u64', [7n]) },
      { name: 'i32', dtype: 'I32', shape: [2], bytes: le('i32', [-2147483648, 3]) },
      { name: 'u32', dtype: 'U32', shape: [1], bytes: le('u32', [4294967295 - 255]) },
      { name: 'i16', dtype: 'I16', shape: [1], bytes: le('i16', [-300]) },
      { name: 'u16', dtype: 'U16', shape: [1], bytes: le('u16', [65535]) },
      { name: 'i8', dtype: 'I8', shape: [1], bytes: le('i8', [-128]) },
      { name: 'u8', dtype: 'U8', shape: [1], bytes: le('u8', [255]) },
      { name: 'bool', dtype: 'BOOL', shape: [3], bytes: le('u8', [0, 1, 2]) },
    ]);
    const t = loadSafetensors(file);
    expect([...t.i64!.data]).toEqual([-5, 0, 16777216]);
    expect([...t.u64!.data]).toEqual([7]);
    expect([...t.i32!.data]).toEqual([-2147483648, 3]);
    expect([...t.u32!.data]).toEqual([4294967040]);
    expect([...t.i16!.data, ...t.u16!.data, ...t.i8!.data, ...t.u8!.data]).toEqual([-300, 65535, -128, 255]);
    expect([...t.bool!.data]).toEqual([0, 1, 1]);
  });
  it('refuses integers float32 would round, and dtypes it cannot convert', () => {
    expect(() => loadSafetensors(makeFile([{ name: 'ids', dtype: 'I64', shape: [2], bytes: le('i64', [1n, 16777217n]) }]))).toThrow(
      "safetensors: tensor 'ids' (I64) holds 16777217 at element 1, which float32 cannot represent exactly",
    );
    expect(() => loadSafetensors(makeFile([{ name: 'q', dtype: 'F8_E4M3', shape: [2], bytes: le('u8', [1, 2]) }]))).toThrow(
      "safetensors: tensor 'q' has dtype F8_E4M3, which the float32 engine cannot load (supported: F32, F64, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL); convert it to F32, F16 or BF16 first",
    );
    expect(() => loadSafetensors(makeFile([{ name: 'w', dtype: 'F128', shape: [1], bytes: new Uint8Array(16) }]))).toThrow("safetensors: tensor 'w': unknown dtype 'F128'");
  });
  it('reads a file whose data sits in a larger buffer at an odd offset', () => {
    const file = saveSafetensors({ w: tensor([1, 2, 3]) });
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    expect([...loadSafetensors(big.subarray(3)).w!.data]).toEqual([1, 2, 3]);
  });
});

describe('reader: header and metadata', () => {
  it('readSafetensorsMetadata needs only the header bytes', () => {
    const file = saveSafetensors({ w: tensor([1, 2, 3, 4], [2, 2]), b: tensor([0]) }, { format: 'pt', epoch: '3' });
    const h = readSafetensorsMetadata(file);
    const headerOnly = file.subarray(0, h.dataStart);
    expect(readSafetensorsMetadata(headerOnly)).toEqual({
      metadata: { format: 'pt', epoch: '3' },
      tensors: [
        { name: 'b', dtype: 'F32', shape: [1], dataOffsets: [0, 4] },
        { name: 'w', dtype: 'F32', shape: [2, 2], dataOffsets: [4, 20] },
      ],
      dataStart: h.dataStart,
    });
  });
  it('accepts tensors listed in any order and a null __metadata__', () => {
    const file = makeFile([], {
      headerText: '{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"__metadata__":null,"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
      extra: 8,
    });
    const t = loadSafetensors(file);
    expect(Object.keys(t)).toEqual(['a', 'b']);
  });
});

describe('reader: errors name the problem and the tensor', () => {
  const good = (): Uint8Array => saveSafetensors({ a: tensor([1, 2]), b: tensor([3, 4, 5]) });
  it('too short, truncated header, header too large', () => {
    expect(() => loadSafetensors(new Uint8Array(5))).toThrow('safetensors: 5 bytes is too short: a file starts with an 8-byte header length');
    expect(() => loadSafetensors(good().subarray(0, 40))).toThrow(/^safetensors: truncated: the header needs \d+ bytes but only 32 follow the length field$/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => loadSafetensors(huge)).toThrow('safetensors: header length 1099511627776 exceeds the 100 MB limit (not a safetensors file?)');
  });
  it('truncated data names the tensor that runs past the end', () => {
    const f = good();
    expect(() => loadSafetensors(f.subarray(0, f.length - 4))).toThrow("safetensors: truncated: tensor 'b' data [8, 20) runs past the end of the data (16 bytes)");
  });
  it('bytes after the last tensor', () => {
    expect(() => loadSafetensors(makeFile([{ name: 'a', dtype: 'F32', shape: [1], bytes: le('f32', [1]) }], { extra: 4 }))).toThrow(
      "safetensors: 4 bytes follow the last tensor's data (offsets must cover the data exactly)",
    );
  });
  it('overlapping and gapped offsets', () => {
    const overlap = makeFile([
      { name: 'a', dtype: 'F32', shape: [2], bytes: le('f32', [1, 2]), offsets: [0, 8] },
      { name: 'b', dtype: 'F32', shape: [2], bytes: le('f32', [3, 4]), offsets: [4, 12] },
    ]);
    expect(() => loadSafetensors(overlap)).toThrow("safetensors: tensor 'b' data [4, 12) overlaps tensor 'a' [0, 8)");
    const gap = makeFile([
      { name: 'a', dtype: 'F32', shape: [1], bytes: le('f32', [1]), offsets: [0, 4] },
      { name: 'b', dtype: 'F32', shape: [1], bytes: le('f32', [3]), offsets: [8, 12] },
    ]);
    expect(() => loadSafetensors(gap)).toThrow("safetensors: tensor 'b' data starts at byte 8, leaving a gap after byte 4 (end of 'a')");
  });
  it('offsets that disagree with dtype × shape, or are malformed', () => {
    const wrong = makeFile([{ name: 'w', dtype: 'F32', shape: [2, 3], bytes: le('f32', [1, 2, 3, 4, 5]) }]);
    expect(() => loadSafetensors(wrong)).toThrow("safetensors: tensor 'w': F32 shape (2,3) needs 24 bytes but data_offsets [0, 20) hold 20");
    const backwards = makeFile([], { headerText: '{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}' });
    expect(() => loadSafetensors(backwards)).toThrow("safetensors: tensor 'w': data_offsets [4, 0) end before they begin");
    const badShape = makeFile([], { headerText: '{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}' });
    expect(() => loadSafetensors(badShape)).toThrow("safetensors: tensor 'w': shape must be an array of non-negative integers, got [-1]");
    const noOffsets = makeFile([], { headerText: '{"w":{"dtype":"F32","shape":[1]}}' });
    expect(() => loadSafetensors(noOffsets)).toThrow("safetensors: tensor 'w': data_offsets must be [begin, end] byte offsets, got undefined");
  });
  it('bad JSON, non-object header, non-string metadata, bad UTF-8', () => {
    expect(() => loadSafetensors(makeFile([], { headerText: '{"a":' }))).toThrow(/^safetensors: the header is not valid JSON \(/);
    expect(() => loadSafetensors(makeFile([], { headerText: '[1,2]' }))).toThrow('safetensors: the header must be a JSON object');
    expect(() => loadSafetensors(makeFile([], { metadata: { epoch: 3 } }))).toThrow("safetensors: __metadata__ value for 'epoch' is 3, not a string");
    const bad = makeFile([], { headerText: '{}' });
    bad[9] = 0xff;
    expect(() => loadSafetensors(bad)).toThrow('safetensors: the header is not valid UTF-8');
  });
});
