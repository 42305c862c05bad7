// Whether a model of the notebook scope can be exported in a format, before the person picks a
// file (rnnLab/checkExport): ONNX builds the graph without writing it, PyTorch needs the model's
// last fit() job and a structure it knows; safetensors holds any model. The answer says why not,
// and what a cell can do that the menu cannot (describe the model with exportOnnx's `spec`,
// export its parts, train it first).
import type { CheckExportParams, ExportCheck } from '../protocol';
import { buildOnnxModel } from '../interop/exportOnnx';
import { OnnxExportError, onnxRemedyText } from '../interop/spec';
import { recognizeTorchModel } from '../interop/torch/structure';
import type { Module } from './engine';
import { lastFitOf } from '../train/fitRecord';
import { withConsistentWeights } from '../train/worker/sharedWeights';

const FORMAT_TITLES: Record<CheckExportParams['format'], string> = { onnx: 'ONNX', safetensors: 'safetensors', torch: 'PyTorch' };

/** The exporter's message without its own prefix, which the title already says. */
const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/^(ONNX export|PyTorch export|exportTorch): /, '');

function why(error: unknown): string {
  return error instanceof OnnxExportError ? error.reason : reasonOf(error);
}

/** `name` is the model's variable in the notebook scope. */
export function checkExport(name: string, model: Module, format: CheckExportParams['format']): ExportCheck {
  const title = `${name} (${model.constructor.name}) cannot be exported to ${FORMAT_TITLES[format]}`;
  switch (format) {
    case 'safetensors':
      return { exportable: true };
    case 'onnx':
      try {
        withConsistentWeights(model, () => buildOnnxModel(model));
        return { exportable: true };
      } catch (error) {
        const check: ExportCheck = { exportable: false, title, reason: why(error) };
        if (error instanceof OnnxExportError && error.remedy) check.inCell = `In a cell: ${onnxRemedyText(error.remedy, name)}`;
        return check;
      }
    case 'torch':
      if (!lastFitOf(model)) {
        return {
          exportable: false,
          title,
          reason: 'It has not been trained with fit() in this kernel: the export takes the data and options of its last fit() job.',
          inCell: `Run fit(${name}, data, options) first, or call exportTorch(${name}, data, options, folder) in a cell.`,
        };
      }
      try {
        recognizeTorchModel(model);
        return { exportable: true };
      } catch (error) {
        return { exportable: false, title, reason: why(error), inCell: `In a cell, exportTorch(${name}, data, options, folder, { spec }) takes a spec saying what its forward computes, as exportOnnx does.` };
      }
  }
}
