// Turns what a cell threw into ErrorInfo: the stack rewritten so that frames in cells name the
// cell and the line the person wrote, and the kernel's own frames left out.
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { host } from '../host/index';
import type { ErrorInfo } from '../protocol';
import type { CellSyntaxError } from './compile';
import type { CellSourceMap } from './sourceMap';

export interface CompiledCellRecord {
  label: string;
  sourceMap: CellSourceMap;
}

/** Script filenames the runtime gives cells: `rnnlab-cell-<n>`. */
const CELL_FRAME = /(rnnlab-cell-\d+):(\d+):(\d+)/;
/** Frames of the kernel itself (runtime, Node internals) that mean nothing to the person. */
const INTERNAL_FRAME = /node:internal|node:vm|kernel\/runtime\/|kernel\/server\.ts|\(node:|^\s*at new Promise \(<anonymous>\)$|^\s*at Promise\.then/;

export class ErrorMapper {
  private readonly cells = new Map<string, CompiledCellRecord>();

  register(filename: string, record: CompiledCellRecord): void {
    this.cells.set(filename, record);
  }

  forget(): void {
    this.cells.clear();
  }

  /**
   * `currentFilename` picks the frame whose line is reported as ErrorInfo.line. Never throws,
   * whatever was thrown: a Proxy whose traps throw, an Error whose `message` or `name` getter
   * throws, a `stack` that is not a string (a cell set Error.prepareStackTrace, or assigned it).
   */
  toErrorInfo(thrown: unknown, currentFilename: string | null): ErrorInfo {
    try {
      return this.describe(thrown, currentFilename);
    } catch (failure) {
      return { name: 'Error', message: `Uncaught ${safeString(thrown)} (its description failed: ${safeString(failure)})`, stack: '' };
    }
  }

  private describe(thrown: unknown, currentFilename: string | null): ErrorInfo {
    if (!isInstance(thrown, Error)) {
      const message = typeof thrown === 'string' ? thrown : safeString(thrown);
      return { name: 'Error', message: `Uncaught ${message}`, stack: '' };
    }
    const name = textOf(readField(thrown, 'name')) || 'Error';
    const message = withCellNames(messageOf(thrown));
    const stack = readField(thrown, 'stack');
    let line: number | undefined;
    let column: number | undefined;
    const frames: string[] = [];
    for (const frame of frameLines(typeof stack === 'string' ? stack : '')) {
      const match = CELL_FRAME.exec(frame);
      if (match) {
        const cell = this.cells.get(match[1]!);
        const position = cell?.sourceMap.toCell(Number(match[2]), Number(match[3]) - 1);
        if (cell && position) {
          if (match[1] === currentFilename && line === undefined) {
            line = position.line;
            column = position.column + 1;
          }
          frames.push(frame.replace(CELL_FRAME, `${cell.label}:${position.line}:${position.column + 1}`));
        }
        continue;
      }
      const mapped = mapBundleFrame(frame);
      if (!INTERNAL_FRAME.test(mapped)) frames.push(mapped);
    }
    const header = `${name}: ${message}`;
    const info: ErrorInfo = { name, message, stack: [header, ...collapseLibraryFrames(frames)].join('\n') };
    if (line !== undefined) info.line = line;
    if (column !== undefined) info.column = column;
    return info;
  }
}

/** Frames inside RNN Lab's own library code (the engine, the trainer, …), as mapped to its sources. */
const LIBRARY_FRAME = /^\s*at (?:(.+?) \()?(kernel\/(?:engine|train|datasets|seq2seq|interop|plots|io)\/[^:)]+):(\d+):\d+\)?$/;

/**
 * What a person reads is their cells' frames: a run of frames inside the library becomes one line
 * that still says where (`at rnn-lab: matmul ← Tensor.matmul (engine/ops.ts:359)`), so the error
 * points at the cell's call without hiding which library function refused it.
 */
function collapseLibraryFrames(frames: string[]): string[] {
  const out: string[] = [];
  let run: RegExpExecArray[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const names = run.map((m) => (m[1] ?? '<anonymous>').replace(/^_(?=[A-Z])/, '').replace(/\._(?=[A-Z])/, '.'));
    const first = run[0]!;
    out.push(`    at rnn-lab: ${names.join(' ← ')} (${first[2]}:${first[3]})`);
    run = [];
  };
  for (const frame of frames) {
    const match = LIBRARY_FRAME.exec(frame);
    if (match) run.push(match);
    else {
      flush();
      out.push(frame);
    }
  }
  flush();
  return out;
}

function frameLines(stack: string): string[] {
  return stack.split('\n').filter((l) => /^\s+at /.test(l));
}

export function syntaxErrorInfo(error: CellSyntaxError, label: string): ErrorInfo {
  const where = `${label}:${error.line}:${error.column}`;
  const caret = `${' '.repeat(Math.max(0, error.column - 1))}^`;
  // acorn names the script ("… already been declared in rnnlab-cell-3"): the cell's label says where
  const message = error.message.replace(/ in rnnlab-cell-\d+/g, '');
  const stack = [`SyntaxError: ${message}`, `    at ${where}`, '', `    ${error.lineText}`, `    ${caret}`].join('\n');
  return { name: 'SyntaxError', message: `${message} (${where})`, stack, line: error.line, column: error.column };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return typeof value; // a revoked Proxy, a Proxy whose every trap throws
    }
  }
}

/** `value instanceof type`, false where a Proxy's getPrototypeOf trap throws (a thrown value may be one). */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/** A field of a thrown error, or undefined when reading it throws (a getter, a Proxy trap). */
function readField(error: Error, key: 'name' | 'message' | 'stack'): unknown {
  try {
    return error[key];
  } catch {
    return undefined;
  }
}

/** The error's message as text, or what went wrong reading it (a getter that throws). */
function messageOf(error: Error): string {
  try {
    return textOf(error.message);
  } catch (failure) {
    return `(its message could not be read: ${safeString(failure)})`;
  }
}

/** A name or message as text: a string as it is, anything else through safeString ('' for undefined). */
function textOf(value: unknown): string {
  return value === undefined ? '' : typeof value === 'string' ? value : safeString(value);
}

// The kernel runs as one bundle (dist/kernel.js); its frames are mapped to the sources through the
// bundle's own source map, whether or not Node was started with --enable-source-maps.
let bundleMap: { file: string; map: TraceMap; root: string } | null | undefined;

function loadBundleMap(): typeof bundleMap {
  if (bundleMap !== undefined) return bundleMap;
  bundleMap = null;
  // A CommonJS bundle knows its file; a browser worker started from a Blob URL has none to read.
  const file = typeof __filename === 'string' ? __filename : '';
  const { files, paths } = host();
  if (file.endsWith('.js') && files.stat(`${file}.map`)?.isFile) {
    const map = new TraceMap(new TextDecoder().decode(files.readFile(`${file}.map`)));
    bundleMap = { file, map, root: paths.dirname(paths.dirname(file)) };
  }
  return bundleMap;
}

function mapBundleFrame(frame: string): string {
  const bundle = loadBundleMap();
  if (!bundle || !frame.includes(bundle.file)) return frame;
  return frame.replace(/([^\s(]+\.js):(\d+):(\d+)/, (whole, file: string, line: string, column: string) => {
    if (file !== bundle.file) return whole;
    const original = originalPositionFor(bundle.map, { line: Number(line), column: Number(column) - 1 });
    if (original.source === null || original.line === null) return whole;
    const { paths } = host();
    const source = paths.relative(bundle.root, paths.resolve(paths.dirname(bundle.file), original.source));
    return `${source}:${original.line}:${original.column + 1}`;
  });
}

/**
 * V8 quotes the failing expression ("x.y is not a function") as compiled: the notebook scope's
 * and the runtime's parameters (cellRewrite.ts) are put back to the names the person wrote.
 */
export function withCellNames(message: string): string {
  return message
    .replace(/\(0\s*,\s*__rnnlab_scope\d*\.([\w$]+)\)/g, '$1')
    .replace(/__rnnlab_scope\d*\.([\w$]+)/g, '$1')
    .replace(/__rnnlab_rt\d*\.(?:lookup|binding)\("([\w$]+)"(?:, true)?\)(?:\.value)?/g, '$1')
    .replace(/__rnnlab_rt\d*\.constant\(__rnnlab_scope\d*, "([\w$]+)"\)\.value/g, '$1')
    .replace(/__rnnlab_rt\d*\.guard\(/g, '(');
}
