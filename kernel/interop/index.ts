// Interop: moving models between RNN Lab, PyTorch (safetensors with PyTorch's names) and ONNX.
// See README.md in this folder.

export { exportOnnx, buildOnnxModel, ONNX_OPSETS, DEFAULT_ONNX_OPSET, type OnnxExportOptions } from './exportOnnx';
export { recognizeModel, runSpec, checkSpec, OnnxExportError, type OnnxRemedy, type OnnxModelSpec, type OnnxSequenceSpec, type OnnxStepSpec, type SpecInputs, type SpecOutput } from './spec';
export { decodeModel as decodeOnnxModel, type ModelProto as OnnxModelProto } from './onnx/proto';
export { saveModel, loadModel, loadModelAsync, loadModelFromBytes, modelToSafetensors, saveOnnx, type LoadModelOptions, type LoadModelResult } from './files';
export { loadStateDictInto, StateDictMismatchError, type LoadStateOptions, type LoadStateResult, type MisShapedKey } from './stateDict';
export { exportTorch, type ExportTorchOptions, type ExportTorchResult } from './torch/exportTorch';
