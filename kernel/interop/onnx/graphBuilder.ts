// Builds an ONNX GraphProto node by node: unique value names, typed initializers, attributes from
// plain values. Knows nothing about RNN Lab's layers (see recurrentGraph.ts and exportOnnx.ts).

import {
  AttributeType,
  DataType,
  type AttributeProto,
  type DataTypeCode,
  type Dimension,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto';

/**
 * An attribute value: a number is an INT, `{ float }` a FLOAT, a string a STRING, a number[] INTS,
 * a string[] STRINGS.
 */
export type AttributeValue = number | { float: number } | string | readonly number[] | readonly string[];

/** A graph input/output dimension: a size, or a symbolic name such as 'N' (batch) or 'T' (time). */
export type Dim = number | string;

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextEncoder();

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();

  constructor(readonly name: string) {}

  /** A fresh value name starting with `base` (base itself when still free). */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** A float32 constant; returns its value name. */
  floatInitializer(base: string, dims: readonly number[], values: Float32Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (values.length !== count) throw new Error(`ONNX export: initializer ${base} has ${values.length} values for dims [${dims.join(', ')}]`);
    const raw = new Uint8Array(values.length * 4);
    if (littleEndianHost) raw.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    else {
      const view = new DataView(raw.buffer);
      values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    }
    return this.addInitializer(base, dims, DataType.FLOAT, raw);
  }

  /** An int64 constant (shapes, axes, indices); dims [] makes a scalar. */
  int64Initializer(base: string, dims: readonly number[], values: readonly number[]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    return this.addInitializer(base, dims, DataType.INT64, raw);
  }

  /** A shared int64 constant (axes, shapes, indices), created once per distinct value. */
  int64Constant(dims: readonly number[], values: readonly number[]): string {
    const key = `${dims.join(',')}:${values.join(',')}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.int64Initializer(`const_${values.join('_').replace(/-/g, 'm') || 'scalar'}`, dims, values);
      this.constants.set(key, name);
    }
    return name;
  }

  private addInitializer(base: string, dims: readonly number[], dataType: DataTypeCode, raw: Uint8Array): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [...dims], data_type: dataType, raw_data: raw });
    return name;
  }

  /**
   * Adds a node; `outputs` are base names made unique. Returns the output value names. An input
   * '' marks an omitted optional input.
   */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Record<string, AttributeValue> = {}): string[] {
    const out = outputs.map((o) => this.fresh(o));
    this.nodes.push({
      name: this.fresh(`${opType}_${this.nodes.length}`),
      op_type: opType,
      input: [...inputs],
      output: out,
      attribute: Object.entries(attributes).map(([name, value]) => toAttribute(name, value)),
    });
    return out;
  }

  /** Adds a node with one output and returns its name. */
  op(opType: string, inputs: readonly string[], output: string, attributes: Record<string, AttributeValue> = {}): string {
    return this.node(opType, inputs, [output], attributes)[0]!;
  }

  /** Declares a graph input; returns its name (exactly `name`, which must be free). */
  input(name: string, elemType: DataTypeCode, dims: readonly Dim[], doc: string): string {
    if (this.used.has(name)) throw new Error(`ONNX export: graph input name '${name}' is taken`);
    this.used.add(name);
    this.inputs.push(valueInfo(name, elemType, dims, doc));
    return name;
  }

  /** Declares `value` a graph output under `name` (an Identity node renames it when needed). */
  output(name: string, value: string, elemType: DataTypeCode, dims: readonly Dim[], doc: string): void {
    if (value !== name) {
      if (this.used.has(name)) throw new Error(`ONNX export: graph output name '${name}' is taken`);
      this.used.add(name);
      this.nodes.push({ name: this.fresh(`Identity_${name}`), op_type: 'Identity', input: [value], output: [name], attribute: [] });
    }
    this.outputs.push(valueInfo(name, elemType, dims, doc));
  }

  build(docString: string): GraphProto {
    return { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs, doc_string: docString };
  }
}

function valueInfo(name: string, elemType: DataTypeCode, dims: readonly Dim[], doc: string): ValueInfoProto {
  const dim: Dimension[] = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } }, doc_string: doc };
}

function toAttribute(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`ONNX export: attribute ${name}=${value} must be an integer (use { float } for a FLOAT)`);
    return { name, type: AttributeType.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: utf8.encode(value) };
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === 'string')) return { name, type: AttributeType.STRINGS, strings: (value as readonly string[]).map((s) => utf8.encode(s)) };
    return { name, type: AttributeType.INTS, ints: [...(value as readonly number[])] };
  }
  return { name, type: AttributeType.FLOAT, f: (value as { float: number }).float };
}
