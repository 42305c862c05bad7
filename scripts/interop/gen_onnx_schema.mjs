// Regenerates kernel/interop/onnx/onnx.schema.json, the protobufjs reflection descriptor of the
// vendored ONNX schema (kernel/interop/onnx/onnx.proto), which the exporter loads with
// protobufjs/light (no .proto parser at run time, and the JSON bundles with esbuild).
//
//   node scripts/interop/gen_onnx_schema.mjs
//
// test/unit/interop-schema.test.ts checks that the committed JSON is what this script writes.
import protobuf from 'protobufjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const protoPath = fileURLToPath(new URL('../../kernel/interop/onnx/onnx.proto', import.meta.url));
const jsonPath = fileURLToPath(new URL('../../kernel/interop/onnx/onnx.schema.json', import.meta.url));

/** The descriptor JSON text for the .proto source (no comments, stable key order). */
export function onnxSchemaJson(protoText) {
  const { root } = protobuf.parse(protoText, { keepCase: true });
  return `${JSON.stringify(root.toJSON(), null, 1)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(jsonPath, onnxSchemaJson(readFileSync(protoPath, 'utf8')));
  console.log(`wrote ${jsonPath}`);
}
