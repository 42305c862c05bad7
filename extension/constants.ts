// Identifiers shared by the extension's parts, its package.json and its tests
// (test/vscode/suite/contract.ts holds the promised ones). No 'vscode' import: unit tests load this file.

export const EXTENSION_ID = 'rnn-lab.rnn-lab';
export const CONTROLLER_ID = 'rnn-lab-kernel';
export const CONTROLLER_LABEL = 'RNN Lab';
/** The notebook type of VS Code's built-in .ipynb support. */
export const NOTEBOOK_TYPE = 'jupyter-notebook';
export const CELL_LANGUAGE = 'typescript';

/** What a notebook's metadata.kernelspec says when it belongs to RNN Lab. */
export const KERNELSPEC = {
  name: 'rnn-lab',
  display_name: 'RNN Lab (TypeScript)',
  language: 'typescript',
} as const;

export const LANGUAGE_INFO = {
  name: 'typescript',
  file_extension: '.ts',
  mimetype: 'text/typescript',
} as const;

export const Commands = {
  newNotebook: 'rnnLab.newNotebook',
  openSample: 'rnnLab.openSample',
  restartKernel: 'rnnLab.restartKernel',
  interruptKernel: 'rnnLab.interruptKernel',
  showDashboard: 'rnnLab.showDashboard',
  exportSafetensors: 'rnnLab.exportSafetensors',
  exportOnnx: 'rnnLab.exportOnnx',
  exportTorch: 'rnnLab.exportTorch',
  // Used by the views (tree items, inline actions); hidden from the command palette.
  stopJob: 'rnnLab.stopJob',
  showParameter: 'rnnLab.showParameter',
  refreshModels: 'rnnLab.refreshModels',
} as const;

export const Views = {
  container: 'rnnLab',
  models: 'rnnLab.models',
  jobs: 'rnnLab.jobs',
} as const;

/** The notebook renderer of RNN Lab's output MIME types (package.json notebookRenderer). */
export const RENDERER_ID = 'rnn-lab-renderer';

export const DASHBOARD_VIEW_TYPE = 'rnnLab.dashboard';
export const PARAMETER_VIEW_TYPE = 'rnnLab.parameter';

export const Settings = {
  section: 'rnnLab',
  openDashboardOnTrainingStart: 'dashboard.openOnTrainingStart',
  nodePath: 'kernel.nodePath',
  /** Ask before Restart Kernel throws away variables, running jobs or a running cell. */
  confirmRestart: 'kernel.confirmRestart',
} as const;
