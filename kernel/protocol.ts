// The contract between the extension (and the headless runner) and the kernel process.
// Types and method names only: both sides import this file, nothing here may import 'vscode'
// or any kernel code. Transport: JSON-RPC 2.0 with LSP framing over the kernel's stdio
// (vscode-languageclient on the extension side, vscode-languageserver in the kernel).

/** A Jupyter MIME bundle: MIME type → JSON value (objects for +json types, strings otherwise). */
export type MimeBundle = Record<string, unknown>;

/** MIME types of RNN Lab's own outputs. Every bundle also carries a readable `text/plain`. */
export const RnnLabMime = {
  /** LineChartSpec: loss curves, gradient norm per time step, any y against x. */
  lines: 'application/vnd.rnn-lab.lines+json',
  /** HeatmapSpec: hidden states / gates (units × time), parameter matrices, attention. */
  heatmap: 'application/vnd.rnn-lab.heatmap+json',
  /** BarChartSpec: gate saturation fractions, histograms. */
  bars: 'application/vnd.rnn-lab.bars+json',
  /** TableSpec */
  table: 'application/vnd.rnn-lab.table+json',
  /** TensorSummary */
  tensor: 'application/vnd.rnn-lab.tensor+json',
  /** ModuleSummary */
  module: 'application/vnd.rnn-lab.module+json',
} as const;

export interface LineSeries {
  name: string;
  x: number[];
  y: number[];
  /** 'lines' (default), 'markers' or 'lines+markers'. */
  mode?: 'lines' | 'markers' | 'lines+markers';
  /** Dashed line, e.g. for validation curves or baselines. */
  dash?: boolean;
}

/** A line chart. `kind` tells the renderer which defaults to use (labels, log axes). */
export interface LineChartSpec {
  kind: 'loss' | 'gradnorm' | 'lines';
  title?: string;
  xLabel?: string;
  yLabel?: string;
  logY?: boolean;
  /** Exponential moving average factor in [0,1) applied to displayed y (loss curves). */
  smoothing?: number;
  series: LineSeries[];
  /** The training job a live loss curve follows (its Stop button names it by uid). */
  job?: { id: string; uid: string };
}

export interface HeatmapSpec {
  kind: 'heatmap';
  title?: string;
  /** z[row][col]; for hidden states rows are units and columns are time steps. */
  z: number[][];
  xLabels?: string[];
  yLabels?: string[];
  xLabel?: string;
  yLabel?: string;
  zmin?: number;
  zmax?: number;
  /** 'diverging' for signed values centred on 0 (tanh outputs), 'sequential' for [0,1] (gates). */
  scale?: 'diverging' | 'sequential';
  /** Blocks of rows (columns) to mark and name, e.g. the gate blocks of an LSTM's weights. */
  rowBands?: HeatmapBand[];
  columnBands?: HeatmapBand[];
}

/** Rows (or columns) start … end−1 of a heatmap, named `label`. */
export interface HeatmapBand {
  label: string;
  start: number;
  end: number;
}

export interface BarChartSpec {
  kind: 'bars';
  title?: string;
  xLabel?: string;
  yLabel?: string;
  categories: string[];
  series: { name: string; values: number[] }[];
  stacked?: boolean;
}

export interface TableSpec {
  kind: 'table';
  title?: string;
  columns: string[];
  rows: (string | number | null)[][];
}

export interface TensorSummary {
  kind: 'tensor';
  shape: number[];
  requiresGrad: boolean;
  /** Up to a few hundred leading values, flattened. */
  preview: number[];
  stats: { mean: number; std: number; min: number; max: number };
}

export interface ParameterSummary {
  name: string;
  shape: number[];
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** ‖grad‖₂, or null when the parameter has no gradient yet. */
  gradNorm: number | null;
}

export interface LayerSummary {
  /** Dotted path inside the model, '' for the model itself. */
  path: string;
  className: string;
  /** e.g. "LSTM(16, 32, numLayers=2, dropout=0.3)". */
  description: string;
  parameterCount: number;
}

export interface ModuleSummary {
  kind: 'module';
  className: string;
  parameterCount: number;
  training: boolean;
  layers: LayerSummary[];
  parameters: ParameterSummary[];
}

// ---------------------------------------------------------------------------------------------
// Requests (client → kernel)

export const ExecuteRequest = 'rnnLab/execute';
export interface ExecuteParams {
  /** Opaque id the client uses to route output notifications back to the cell. */
  executionId: string;
  code: string;
  /** Shown in errors and stack traces: e.g. "cell 3" or the cell's URI. */
  cellLabel: string;
  /** Folder of the notebook: `import 'x'` resolves from its node_modules, relative paths from it. */
  cwd?: string;
}
export interface ErrorInfo {
  name: string;
  message: string;
  /** Stack mapped to the person's cell and line (not compiled code). */
  stack: string;
  /** 1-based line in the cell where the error happened, when known. */
  line?: number;
  column?: number;
}
export interface ExecuteResult {
  status: 'ok' | 'error' | 'interrupted';
  error?: ErrorInfo;
  durationMs: number;
}

/** Fresh scope in the same process (a full restart is done by restarting the process). */
export const ResetRequest = 'rnnLab/reset';

/**
 * Interrupts a cell (its variables so far stay). Sending SIGINT to the kernel process interrupts
 * the running cell and also stops one spinning in a synchronous loop; this notification comes in
 * order with the requests, so with an executionId it also cancels a cell the kernel has received
 * but not started (a SIGINT may overtake the request it was sent after). Clients send both where
 * they can; Windows, which has no SIGINT for child processes, only this. It reaches a running cell
 * only while it awaits.
 */
export const InterruptNotification = 'rnnLab/interrupt';
export interface InterruptParams {
  /** The execution to interrupt; without it, whatever cell is running. */
  executionId?: string;
}

/**
 * The kernel has started a cell (before compiling it): from now on a SIGINT reaches it. A SIGINT
 * sent before finds no cell to stop, and a cell that then spins in a synchronous loop never reads
 * the InterruptNotification behind it; so clients signal only a started cell (and, for one not
 * started, send the notification and signal once this arrives).
 */
export const ExecutionStartedNotification = 'rnnLab/executionStarted';
export interface ExecutionStartedParams {
  executionId: string;
}

/**
 * How many names the cells have declared in the notebook scope (nothing is read from their values,
 * so it answers at once): what a restart would throw away. Result: ScopeSummary.
 */
export const ScopeSummaryRequest = 'rnnLab/scopeSummary';
export interface ScopeSummary {
  /** Names declared by cells (variables, functions, classes, imports). */
  variables: number;
  /** The first of them, in declaration order (at most 20). */
  names: string[];
}

export const ListModelsRequest = 'rnnLab/listModels';
export interface ModelListItem {
  /** The variable name in the notebook scope. */
  name: string;
  className: string;
  parameterCount: number;
}

export const InspectModelRequest = 'rnnLab/inspectModel';
export interface InspectModelParams {
  name: string;
}
/** Result: ModuleSummary. */

export const ParameterValuesRequest = 'rnnLab/parameterValues';
export interface ParameterValuesParams {
  model: string;
  parameter: string;
}
export interface ParameterValues {
  shape: number[];
  /** Row-major values; 1-D parameters are one row. */
  values: number[];
  /**
   * A recurrent layer's weight_ih, weight_hh and biases stack one block of hiddenSize rows per
   * gate: their names in order (LSTM i, f, g, o; GRU r, z, n).
   */
  gates?: string[];
}

export const ListJobsRequest = 'rnnLab/listJobs';
export const StopJobRequest = 'rnnLab/stopJob';
export interface StopJobParams {
  id: string;
}

/** Writes the model's parameters as safetensors (PyTorch's names). Result: ExportResult. */
export const ExportSafetensorsRequest = 'rnnLab/exportSafetensors';
export interface ExportSafetensorsParams {
  model: string;
  /** The file to write; relative paths resolve from the notebook's folder. */
  path: string;
}

/**
 * Writes the model as an ONNX file (kernel/interop exportOnnx). Fails with a message naming the
 * model and why when its shape is not one the exporter knows. Result: ExportResult.
 */
export const ExportOnnxRequest = 'rnnLab/exportOnnx';
export interface ExportOnnxParams {
  model: string;
  /** The file to write; relative paths resolve from the notebook's folder. */
  path: string;
  /** ai.onnx opset, 14 to 21 (default: the exporter's). */
  opsetVersion?: number;
}

/**
 * Writes a folder that trains the model in PyTorch under torchrun as its last fit() job did
 * (kernel/interop/torch: model.py, train.py, weights and data). Fails with a message naming the
 * model and why: no fit() job yet, or a model, loss or option PyTorch export does not know.
 * Result: ExportResult (path: the folder, bytes: all its files).
 */
export const ExportTorchRequest = 'rnnLab/exportTorch';
export interface ExportTorchParams {
  model: string;
  /** The folder to write (created if needed); relative paths resolve from the notebook's folder. */
  path: string;
}

/**
 * Whether the model can be exported in this format, asked before anything else: the export
 * commands explain what stands in the way instead of asking for a file first. Result: ExportCheck.
 */
export const CheckExportRequest = 'rnnLab/checkExport';
export interface CheckExportParams {
  model: string;
  format: 'onnx' | 'safetensors' | 'torch';
}
export type ExportCheck =
  | { exportable: true }
  /**
   * `title` names the model and the format ("plain (Linear) cannot be exported to ONNX"), `reason`
   * says why, `inCell` (when there is something) what a cell can do that the menu cannot.
   */
  | { exportable: false; title: string; reason: string; inCell?: string };

export interface ExportResult {
  /** The absolute path written. */
  path: string;
  bytes: number;
}

// ---------------------------------------------------------------------------------------------
// Notifications (kernel → client)

export const OutputNotification = 'rnnLab/output';
export type CellOutput =
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  /** A new display. With displayId it can be replaced later by an 'update'. */
  | { type: 'display'; data: MimeBundle; displayId?: string }
  /** Replaces every earlier display with the same displayId, wherever it is. */
  | { type: 'update'; data: MimeBundle; displayId: string }
  /** The value of the cell's last expression (Jupyter's execute_result). */
  | { type: 'result'; data: MimeBundle }
  | { type: 'error'; error: ErrorInfo };
export interface OutputParams {
  executionId: string;
  output: CellOutput;
}

export const KernelStateNotification = 'rnnLab/state';
export type KernelState = 'idle' | 'busy' | 'training';
export interface KernelStateParams {
  state: KernelState;
}

export const JobNotification = 'rnnLab/job';
export type JobStatus = 'running' | 'paused' | 'done' | 'stopped' | 'failed';
export interface JobSummary {
  id: string;
  /** Unique across kernel processes and restarts (ids start again at job-1 in a new kernel). */
  uid: string;
  /** Variable name of the model being trained, when known. */
  model: string;
  status: JobStatus;
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number | null;
  valLoss: number | null;
  /** Median wall time of the recent steps, once a step ran. */
  msPerStep?: number;
  message?: string;
}
/** Streamed at a bounded rate while a job runs; `metrics` holds what changed since the last one. */
export interface JobEventParams {
  job: JobSummary;
  metrics?: JobMetrics;
}
export interface JobMetrics {
  /** (step, loss) pairs since the last event. */
  loss?: [number, number][];
  valLoss?: [number, number][];
  gradNormTotal?: { step: number; before: number; after: number };
  /** ‖∂L/∂h_t‖ per time step for each layer/direction, e.g. "lstm.l0", "lstm.l1_reverse". */
  gradNormPerStep?: { step: number; series: { name: string; norms: number[] }[] };
  /** Hidden states of a fixed probe sequence: (H × T) per layer/direction. */
  probe?: { step: number; tokens?: string[]; hidden: { name: string; z: number[][] }[] };
  /** Every (step, before, after) clipping norm since the last event; `gradNormTotal` is the last. */
  gradNormTotals?: [number, number, number][];
  /** (step, lr) whenever the learning rate changed. */
  lr?: [number, number][];
  /** Per epoch: accuracy for classification losses, and the like. */
  valMetrics?: { step: number; epoch: number; values: Record<string, number> }[];
  /** Gate activations of the probe: (H × T) per layer/direction and gate. */
  probeGates?: { step: number; gates: { name: string; gate: string; z: number[][] }[] };
}
