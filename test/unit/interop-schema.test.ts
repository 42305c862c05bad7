// The ONNX schema the exporter encodes with: the committed protobufjs descriptor must be the
// vendored onnx.proto (regenerate with `node scripts/interop/gen_onnx_schema.mjs`), and the
// fields the exporter writes must carry ONNX's field numbers.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import schema from '../../kernel/interop/onnx/onnx.schema.json';

const dir = join(__dirname, '..', '..', 'kernel', 'interop', 'onnx');

describe('vendored ONNX schema', () => {
  const proto = readFileSync(join(dir, 'onnx.proto'), 'utf8');

  it('is onnx.proto with its licence header', () => {
    expect(proto).toContain('SPDX-License-Identifier: Apache-2.0');
    expect(proto).toContain('package onnx;');
  });

  it('onnx.schema.json is the descriptor of onnx.proto', () => {
    const { root } = protobuf.parse(proto, { keepCase: true });
    expect(JSON.parse(JSON.stringify(root.toJSON()))).toEqual(schema);
  });

  it('has the field numbers ONNX files use', () => {
    const root = protobuf.Root.fromJSON(schema as protobuf.INamespace);
    const id = (type: string, field: string) => root.lookupType(`onnx.${type}`).fields[field]!.id;
    expect([id('ModelProto', 'ir_version'), id('ModelProto', 'opset_import'), id('ModelProto', 'graph'), id('ModelProto', 'metadata_props')]).toEqual([1, 8, 7, 14]);
    expect([id('GraphProto', 'node'), id('GraphProto', 'initializer'), id('GraphProto', 'input'), id('GraphProto', 'output')]).toEqual([1, 5, 11, 12]);
    expect([id('TensorProto', 'dims'), id('TensorProto', 'data_type'), id('TensorProto', 'raw_data')]).toEqual([1, 2, 9]);
    expect([id('NodeProto', 'input'), id('NodeProto', 'output'), id('NodeProto', 'op_type'), id('NodeProto', 'attribute')]).toEqual([1, 2, 4, 5]);
  });
});
