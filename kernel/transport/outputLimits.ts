// Bounds what one execution puts into a notebook, before anything is serialised: the kernel wraps
// its transport with this (so VS Code and the headless runner both get bounded outputs and the
// kernel never builds a message of GBs), and the runner wraps its collector with it too, in case a
// kernel misbehaves. Like VS Code and Jupyter, a cell keeps the first part of its printed text;
// a display too large to render becomes a note naming its size; nothing is dropped silently: one
// note per execution (a display replaced in place as more is cut) says how much was cut.
import type { CellOutput, ErrorInfo, MimeBundle, OutputParams } from '../protocol';
import type { OutputTransport } from './outputTransport';

export interface OutputLimits {
  /** Characters of stream text (stdout and stderr together) one execution keeps. */
  streamChars: number;
  /** Largest display, update or result, in characters of its JSON. */
  bundleChars: number;
  /** Displays and results of one execution together, in characters of JSON. */
  richChars: number;
  /** Errors of one execution together (a budget of their own: a cell's final error must not be crowded out by its plots). */
  errorChars: number;
  /** Longest error message, and longest stack, kept. */
  errorTextChars: number;
  /**
   * Outputs one execution adds to its cell: displays, and stream text that starts a new output
   * (after another output, or switching between stdout and stderr). Not counted: updates of a
   * display, the cell's result and its errors (they have a budget of their own), and this note.
   */
  outputs: number;
}

const MB = 1024 * 1024;

/**
 * 8 MB of text is ~100,000 lines, far more than anyone scrolls through (VS Code shows the first
 * lines and offers the rest in an editor; Jupyter's rate limit cuts much earlier). A 32 MB bundle is
 * a ~1.5 M-cell heatmap, past what plotly draws usably; 64 MB of displays per cell keeps a
 * notebook openable. Errors (a timer throwing in a loop) get 4 MB, each message or stack 64 KB.
 * 2,000 outputs: VS Code builds DOM (and runs a renderer) for every output, and a cell of tens of
 * thousands freezes the notebook; Jupyter's server drops iopub messages past 1,000 a second
 * (averaged over 3 s), so a cell there rarely shows more than a few thousand either. A loop that
 * shows progress should update one display (`h.update(…)`), which adds no output.
 */
export const DEFAULT_OUTPUT_LIMITS: Readonly<OutputLimits> = Object.freeze({
  streamChars: 8 * MB,
  bundleChars: 32 * MB,
  richChars: 64 * MB,
  errorChars: 4 * MB,
  errorTextChars: 64 * 1024,
  outputs: 2000,
});

/** Every limit of `limits` times `factor`. */
export function scaledLimits(factor: number, limits: Readonly<OutputLimits> = DEFAULT_OUTPUT_LIMITS): OutputLimits {
  const scale = (n: number): number => Math.round(n * factor);
  return {
    streamChars: scale(limits.streamChars),
    bundleChars: scale(limits.bundleChars),
    richChars: scale(limits.richChars),
    errorChars: scale(limits.errorChars),
    errorTextChars: scale(limits.errorTextChars),
    outputs: scale(limits.outputs),
  };
}

/** The id of the note display of an execution (one per execution, updated in place). */
export const truncationNoteId = (executionId: string): string => `rnn-lab-output-limit-${executionId}`;

export interface BoundedOutputTransport extends OutputTransport {
  /** Sends the pending updates of truncation notes now (else: before the next output or notification, or within NOTE_DELAY_MS). */
  flush(): void;
}

/** How long an updated note may wait for other traffic to carry it. */
const NOTE_DELAY_MS = 200;
/** Executions whose budgets are remembered (a late output of an older one starts afresh). */
const MAX_TRACKED_EXECUTIONS = 1000;

interface ExecutionBudget {
  streamKept: number;
  droppedChars: { stdout: number; stderr: number };
  richKept: number;
  errorsKept: number;
  droppedOutputs: number;
  droppedRichChars: number;
  droppedErrors: number;
  /** Outputs added to the cell (see OutputLimits.outputs). */
  outputsKept: number;
  /** The stream the cell's last output is, which more text of it extends; null after any other output. */
  lastStream: 'stdout' | 'stderr' | null;
  /** Displays, and characters of stream text, dropped because the cell had its number of outputs. */
  droppedDisplays: number;
  droppedByCount: { stdout: number; stderr: number };
  noteShown: boolean;
}

/** `transport` with outputs bounded per executionId as `limits` say (missing fields: the defaults). */
export function boundOutputs(transport: OutputTransport, limits: Partial<OutputLimits> = {}): BoundedOutputTransport {
  return new OutputBounds(transport, { ...DEFAULT_OUTPUT_LIMITS, ...limits });
}

class OutputBounds implements BoundedOutputTransport {
  private readonly budgets = new Map<string, ExecutionBudget>();
  private readonly pendingNotes = new Set<string>();
  private noteTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly transport: OutputTransport,
    private readonly limits: OutputLimits,
  ) {}

  sendOutput(params: OutputParams): void {
    const { executionId, output } = params;
    const budget = this.budgetOf(executionId);
    switch (output.type) {
      case 'stream':
        return this.stream(executionId, budget, output);
      case 'update':
        return this.forward(executionId, { ...output, data: this.fitBundle(output.data) });
      case 'display':
        // Counted before anything else is done with it: a display loop past the limit costs little.
        if (budget.outputsKept >= this.limits.outputs) return this.dropDisplay(executionId, budget);
        return this.rich(executionId, budget, { ...output, data: this.fitBundle(output.data) });
      case 'result':
        return this.rich(executionId, budget, { ...output, data: this.fitBundle(output.data) });
      case 'error':
        return this.error(executionId, budget, boundError(output.error, this.limits.errorTextChars));
    }
  }

  sendNotification(method: string, params: unknown): void {
    this.flush();
    this.transport.sendNotification(method, params);
  }

  flush(): void {
    if (this.noteTimer !== null) {
      clearTimeout(this.noteTimer);
      this.noteTimer = null;
    }
    for (const executionId of this.pendingNotes) {
      const budget = this.budgets.get(executionId);
      if (budget) this.transport.sendOutput({ executionId, output: { type: 'update', displayId: truncationNoteId(executionId), data: this.noteBundle(budget) } });
    }
    this.pendingNotes.clear();
  }

  private stream(executionId: string, budget: ExecutionBudget, output: Extract<CellOutput, { type: 'stream' }>): void {
    if (budget.lastStream !== output.name && budget.outputsKept >= this.limits.outputs) {
      budget.droppedByCount[output.name] += output.text.length;
      return this.noteChanged(executionId, budget);
    }
    const room = this.limits.streamChars - budget.streamKept;
    if (output.text.length <= room) {
      budget.streamKept += output.text.length;
      return this.forward(executionId, output);
    }
    const keep = cutPoint(output.text, room);
    budget.streamKept = this.limits.streamChars; // closed: later short writes are cut too, in order
    budget.droppedChars[output.name] += output.text.length - keep;
    // A copy: a slice would keep the whole printed string alive as long as the kept part lives.
    if (keep > 0) this.forward(executionId, { ...output, text: copyString(output.text.slice(0, keep)) });
    this.noteChanged(executionId, budget);
  }

  private error(executionId: string, budget: ExecutionBudget, error: ErrorInfo): void {
    const size = estimateJsonChars(error);
    if (budget.errorsKept + size > this.limits.errorChars) {
      budget.droppedErrors++;
      return this.noteChanged(executionId, budget);
    }
    budget.errorsKept += size;
    this.forward(executionId, { type: 'error', error });
  }

  private rich(executionId: string, budget: ExecutionBudget, output: Extract<CellOutput, { type: 'display' | 'result' }>): void {
    const size = estimateJsonChars(output.data);
    if (budget.richKept + size > this.limits.richChars) {
      budget.droppedOutputs++;
      budget.droppedRichChars += size;
      return this.noteChanged(executionId, budget);
    }
    budget.richKept += size;
    this.forward(executionId, output);
  }

  private dropDisplay(executionId: string, budget: ExecutionBudget): void {
    budget.droppedDisplays++;
    this.noteChanged(executionId, budget);
  }

  /** The bundle, or a note in its place when its JSON is larger than one output may be. */
  private fitBundle(data: MimeBundle): MimeBundle {
    const size = estimateJsonChars(data);
    if (size <= this.limits.bundleChars) return data;
    const plain = typeof data['text/plain'] === 'string' ? data['text/plain'] : '';
    const described = plain.length > 0 && plain.length <= 2000 ? `${plain}\n` : '';
    const types = Object.keys(data).join(', ');
    return {
      'text/plain': `${described}… output not shown: its data is about ${formatSize(size)}, more than the ${formatSize(this.limits.bundleChars)} one output may hold (${types})`,
    };
  }

  private noteChanged(executionId: string, budget: ExecutionBudget): void {
    if (!budget.noteShown) {
      budget.noteShown = true;
      this.forward(executionId, { type: 'display', displayId: truncationNoteId(executionId), data: this.noteBundle(budget) });
      return;
    }
    this.pendingNotes.add(executionId);
    if (this.noteTimer === null) {
      this.noteTimer = setTimeout(() => this.flush(), NOTE_DELAY_MS);
      this.noteTimer.unref?.();
    }
  }

  private noteBundle(budget: ExecutionBudget): MimeBundle {
    const lines: string[] = [];
    for (const name of ['stdout', 'stderr'] as const) {
      const chars = budget.droppedChars[name];
      if (chars > 0) {
        lines.push(
          `… output truncated: ${chars.toLocaleString('en-US')} more characters of ${name} not shown ` +
            `(a cell keeps the first ${this.limits.streamChars.toLocaleString('en-US')} characters of its printed text)`,
        );
      }
    }
    if (budget.droppedOutputs > 0) {
      const what = budget.droppedOutputs === 1 ? 'output' : 'outputs';
      lines.push(
        `… ${budget.droppedOutputs.toLocaleString('en-US')} more ${what} not shown (about ${formatSize(budget.droppedRichChars)}; ` +
          `a cell keeps ${formatSize(this.limits.richChars)} of displays and results)`,
      );
    }
    if (budget.droppedDisplays > 0) {
      lines.push(`… ${budget.droppedDisplays.toLocaleString('en-US')} more ${budget.droppedDisplays === 1 ? 'display' : 'displays'} not shown (${this.keepsOutputs()})`);
    }
    for (const name of ['stdout', 'stderr'] as const) {
      const chars = budget.droppedByCount[name];
      if (chars > 0) lines.push(`… ${chars.toLocaleString('en-US')} more characters of ${name} not shown (${this.keepsOutputs()})`);
    }
    if (budget.droppedErrors > 0) {
      lines.push(`… ${budget.droppedErrors.toLocaleString('en-US')} more ${budget.droppedErrors === 1 ? 'error' : 'errors'} not shown (a cell keeps ${formatSize(this.limits.errorChars)} of errors)`);
    }
    return { 'text/plain': lines.join('\n') };
  }

  private keepsOutputs(): string {
    return `a cell keeps its first ${this.limits.outputs.toLocaleString('en-US')} outputs; updating a display adds none`;
  }

  /** Sends an output, after any note update waiting to go out (so notes keep their place in time). */
  private forward(executionId: string, output: CellOutput): void {
    if (this.pendingNotes.size > 0) this.flush();
    this.countOutput(executionId, output);
    this.transport.sendOutput({ executionId, output });
  }

  /** Counts an output the cell gets by `output`, as VS Code and the runner lay them out (stream text extends a stream output of its name). */
  private countOutput(executionId: string, output: CellOutput): void {
    const budget = this.budgets.get(executionId);
    if (!budget || output.type === 'update') return;
    if (output.type === 'stream') {
      if (budget.lastStream !== output.name) budget.outputsKept++;
      budget.lastStream = output.name;
      return;
    }
    budget.lastStream = null;
    // The cell's result and errors have budgets of their own; the note is not the cell's.
    if (output.type === 'display' && output.displayId !== truncationNoteId(executionId)) budget.outputsKept++;
  }

  private budgetOf(executionId: string): ExecutionBudget {
    let budget = this.budgets.get(executionId);
    if (budget) return budget;
    budget = {
      streamKept: 0,
      droppedChars: { stdout: 0, stderr: 0 },
      richKept: 0,
      errorsKept: 0,
      droppedOutputs: 0,
      droppedRichChars: 0,
      droppedErrors: 0,
      outputsKept: 0,
      lastStream: null,
      droppedDisplays: 0,
      droppedByCount: { stdout: 0, stderr: 0 },
      noteShown: false,
    };
    this.budgets.set(executionId, budget);
    if (this.budgets.size > MAX_TRACKED_EXECUTIONS) {
      const oldest = this.budgets.keys().next().value as string;
      if (this.pendingNotes.has(oldest)) this.flush();
      this.budgets.delete(oldest);
    }
    return budget;
  }
}

/** Where to cut `text` to keep at most `room` characters: at a line end near the limit, never inside a surrogate pair. */
function cutPoint(text: string, room: number): number {
  if (room <= 0) return 0;
  let at = Math.min(room, text.length);
  // Only the tail before the cut is searched: lastIndexOf over megabytes of a long line is slow.
  const from = Math.max(0, at - 4096);
  const newline = text.slice(from, at).lastIndexOf('\n');
  if (newline >= 0) return from + newline + 1;
  const code = text.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at--;
  return at;
}

/**
 * A flat copy of a string. V8 keeps the whole parent of a slice alive; joining the slice to a
 * character makes V8 copy it into a new string, and slicing that off drops the parent.
 */
function copyString(text: string): string {
  return text.length < 64 ? text : (' ' + text).slice(1);
}

function boundError(error: ErrorInfo, max: number): ErrorInfo {
  const cut = (text: string): string =>
    text.length <= max ? text : `${copyString(text.slice(0, cutPoint(text, max)))}… (${(text.length - cutPoint(text, max)).toLocaleString('en-US')} more characters not shown)`;
  return { ...error, name: cut(String(error.name)), message: cut(String(error.message)), stack: cut(String(error.stack)) };
}

/** Elements of a long array (or keys of a large object) looked at to estimate its size. */
const SAMPLE = 256;
const MAX_DEPTH = 64;

/**
 * The length of JSON.stringify(value), without building it: exact for small values, estimated from
 * an even sample of the elements of long arrays and the keys of large objects (a 4000×4000 heatmap
 * costs 256×256 looks, not 16 M). Strings count without escapes.
 */
export function estimateJsonChars(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'bigint':
    case 'undefined':
    case 'function':
    case 'symbol':
      return 0;
  }
  if (value === null || depth > MAX_DEPTH) return 4;
  if (ArrayBuffer.isView(value)) {
    // JSON of a typed array is an object keyed by index: {"0":1.5,"1":…}
    const n = (value as unknown as ArrayLike<unknown>).length ?? 0;
    return 2 + sampledSum(n, (i) => estimateJsonChars((value as unknown as ArrayLike<unknown>)[i], depth + 1) + String(i).length + 4);
  }
  if (Array.isArray(value)) return 2 + Math.max(0, value.length - 1) + sampledSum(value.length, (i) => estimateJsonChars(value[i], depth + 1) || 4);
  const object = value as Record<string, unknown>;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return estimateJsonChars((object as { toJSON(): unknown }).toJSON(), depth + 1);
  const keys = Object.keys(object);
  // Each member as `"key":value,`; members JSON leaves out (undefined, functions) count nothing.
  const members = sampledSum(keys.length, (i) => {
    const v = object[keys[i]!];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return 0;
    return keys[i]!.length + 4 + estimateJsonChars(v, depth + 1);
  });
  return members > 0 ? members + 1 : 2;
}

/** Σ size(i) for i < n, or an estimate of it from SAMPLE evenly spaced indices. */
function sampledSum(n: number, size: (i: number) => number): number {
  if (n <= SAMPLE) {
    let total = 0;
    for (let i = 0; i < n; i++) total += size(i);
    return total;
  }
  let sampled = 0;
  for (let k = 0; k < SAMPLE; k++) sampled += size(Math.floor(((k + 0.5) * n) / SAMPLE));
  return Math.round((sampled / SAMPLE) * n);
}

/** 312 MB, 8.5 MB, 12 KB: sizes of text as people read them. */
export function formatSize(chars: number): string {
  if (chars >= 1024 * MB) return `${(chars / (1024 * MB)).toFixed(1)} GB`;
  if (chars >= MB) return `${(chars / MB).toFixed(chars >= 10 * MB ? 0 : 1)} MB`;
  return `${Math.ceil(chars / 1024)} KB`;
}
