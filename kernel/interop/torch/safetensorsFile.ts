// A safetensors file of float32 and int64 tensors (the engine's own writer is float32 only):
// data.safetensors holds token ids, class targets, lengths and batch orders as int64, which is
// what torch indexes and embeds with. The layout is the format's: an 8-byte little-endian header
// length, the JSON header (names sorted, padded with spaces to 8 bytes), then the raw data.

export type TensorValues = { dtype: 'F32'; data: Float32Array; shape: number[] } | { dtype: 'I64'; data: BigInt64Array; shape: number[] };

/** An int64 tensor from numbers that must be integers (names the tensor otherwise). */
export function int64Tensor(name: string, values: ArrayLike<number>, shape: number[]): TensorValues {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isSafeInteger(v)) throw new Error(`PyTorch export: ${name} holds ${v} at position ${i}, not an integer (token ids, class indices and lengths must be integers)`);
    data[i] = BigInt(v);
  }
  return { dtype: 'I64', data, shape };
}

export function float32Tensor(values: Float32Array, shape: number[]): TensorValues {
  return { dtype: 'F32', data: values, shape };
}

/** The bytes of a safetensors file holding `tensors` and string `metadata`. */
export function encodeSafetensors(tensors: ReadonlyMap<string, TensorValues>, metadata: Record<string, string>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`PyTorch export: ${name} has ${t.data.length} values for shape (${t.shape.join(', ')})`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  const jsonBytes = new TextEncoder().encode(json).length;
  json += ' '.repeat((8 - ((jsonBytes + 8) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    // Typed arrays are little-endian on every platform Node runs on.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
