// The extension's contract: the ids, commands, views, MIME types and test API it promises, written
// out here on purpose (not imported from extension/): these tests check that the extension keeps it.

export const EXTENSION_ID = 'rnn-lab.rnn-lab';
export const CONTROLLER_ID = 'rnn-lab-kernel';
export const CONTROLLER_LABEL = 'RNN Lab';
export const NOTEBOOK_TYPE = 'jupyter-notebook';
export const CELL_LANGUAGE = 'typescript';
export const RENDERER_ID = 'rnn-lab-renderer';
export const DASHBOARD_VIEW_TYPE = 'rnnLab.dashboard';
export const VIEW_CONTAINER_ID = 'rnnLab';
export const VIEW_IDS = ['rnnLab.models', 'rnnLab.jobs'] as const;
export const SETTING_OPEN_DASHBOARD = 'rnnLab.dashboard.openOnTrainingStart';

export const COMMANDS = {
  newNotebook: 'rnnLab.newNotebook',
  openSample: 'rnnLab.openSample',
  restartKernel: 'rnnLab.restartKernel',
  interruptKernel: 'rnnLab.interruptKernel',
  showDashboard: 'rnnLab.showDashboard',
  exportSafetensors: 'rnnLab.exportSafetensors',
  exportOnnx: 'rnnLab.exportOnnx',
} as const;

/** RNN Lab's own output MIME types (kernel/protocol.ts RnnLabMime), keyed by their `kind`. */
export const RNN_LAB_MIMES = {
  lines: 'application/vnd.rnn-lab.lines+json',
  heatmap: 'application/vnd.rnn-lab.heatmap+json',
  bars: 'application/vnd.rnn-lab.bars+json',
  table: 'application/vnd.rnn-lab.table+json',
  tensor: 'application/vnd.rnn-lab.tensor+json',
  module: 'application/vnd.rnn-lab.module+json',
} as const;

export type KernelStateName = 'stopped' | 'starting' | 'idle' | 'busy' | 'training' | 'dead';

export interface TreeItemView {
  label: string;
  description?: string;
}

/** One notebook's kernel (a kernel per notebook). */
export interface KernelView {
  /** The notebook's URI (toString()). */
  notebook: string;
  name: string;
  state: KernelStateName;
  pid: number | undefined;
}

/** What the parameter panel last drew (or why not). */
export interface ParameterView {
  title: string | undefined;
  viewColumn: number | undefined;
  model: string | undefined;
  parameter: string | undefined;
  shape: number[] | undefined;
  min: number | undefined;
  max: number | undefined;
  error: string | undefined;
  reads: number;
}

export const SETTING_CONFIRM_RESTART = 'rnnLab.kernel.confirmRestart';
export const PARAMETER_VIEW_TYPE = 'rnnLab.parameter';

/** What activate() returns (extension/testApi.ts). */
export interface TestApi {
  /** The notebook's kernel state; without an argument, the state of the notebook in view's kernel. */
  kernelState(notebook?: import('vscode').Uri): KernelStateName;
  /** The kernels of the window, one per open notebook that ran a cell. */
  kernels(): KernelView[];
  /** The notebook the inspector, dashboard and status bar follow. */
  followedNotebook(): string | undefined;
  statusBar(): { text: string; visible: boolean };
  dashboardShowing(): { notebook: string | undefined; title: string | undefined; jobs: string[] };
  parameterView(): ParameterView;
  restartQuestions(): { message: string; detail: string }[];
  /** Answers Restart Kernel's question without a modal ('restart' | 'dontAskAgain' | 'cancel'); undefined: a modal again. */
  answerRestartQuestions(answer: 'restart' | 'dontAskAgain' | 'cancel' | undefined): void;
  modelsTreeItems(): Promise<(TreeItemView & { children: TreeItemView[] })[]>;
  jobsTreeItems(): Promise<TreeItemView[]>;
  dashboardVisible(): boolean;
  /** Messages handed to the dashboard webview (held until its script is ready, then counted). */
  dashboardMessagesPosted(): number;
  /** Notifications the commands showed, oldest first (added with the model export commands). */
  recentMessages(): { severity: 'error' | 'warning' | 'info'; text: string; detail?: string }[];
  /** Per display id: live updates of finished cells that the notebook renderer reported drawing. */
  liveOutputDraws(): Record<string, number>;
  /** Off: modal messages are only recorded in recentMessages (nothing could close them in a test). */
  showModalMessages(shown: boolean): void;
}
export const TEST_API_METHODS: readonly (keyof TestApi)[] = [
  'kernelState',
  'kernels',
  'followedNotebook',
  'statusBar',
  'dashboardShowing',
  'parameterView',
  'restartQuestions',
  'answerRestartQuestions',
  'modelsTreeItems',
  'jobsTreeItems',
  'dashboardVisible',
  'dashboardMessagesPosted',
  'recentMessages',
  'liveOutputDraws',
  'showModalMessages',
];

/** What the export commands (rnnLab.exportOnnx, rnnLab.exportSafetensors) resolve with. */
export interface ExportResult {
  path: string;
  bytes: number;
}

// The extension's own type of that API must still fit the contract: tsc fails here if it drifts.
type FitsContract<T extends TestApi> = T;
export type ExtensionTestApiFitsContract = FitsContract<import('../../../extension/testApi').RnnLabTestApi>;
