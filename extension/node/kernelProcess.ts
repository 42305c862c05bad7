// How the kernel process is started: which executable, arguments and environment. The plan is a
// pure function (unit-tested); spawnKernel only carries it out.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { withKernelMalloc } from '../../kernel/processEnv';

export interface SpawnPlan {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface SpawnInputs {
  /** process.execPath of the extension host. */
  execPath: string;
  /** process.versions of the extension host: `electron` is set in desktop VS Code. */
  versions: Partial<Record<string, string>>;
  /** Absolute path of dist/kernel.js. */
  kernelScript: string;
  /** The `rnnLab.kernel.nodePath` setting; empty means "the runtime VS Code runs on". */
  nodePathSetting: string;
  env: NodeJS.ProcessEnv;
  /** process.platform: on Linux the kernel gets glibc malloc's tuning (kernel/processEnv.ts). */
  platform: NodeJS.Platform;
}

/**
 * Desktop VS Code runs extensions in Electron: its executable behaves as plain Node when
 * ELECTRON_RUN_AS_NODE=1. code-server (and VS Code Server) run extensions in Node itself, where
 * process.execPath already is `node`. Either way the kernel needs no Node install of its own.
 */
export function kernelSpawnPlan(inputs: SpawnInputs): SpawnPlan {
  const env: NodeJS.ProcessEnv = withKernelMalloc({ ...inputs.env }, inputs.platform);
  // The extension host may run under a debugger; the kernel must not try to open the same port.
  delete env.NODE_OPTIONS;
  delete env.VSCODE_INSPECTOR_OPTIONS;
  const custom = inputs.nodePathSetting.trim();
  if (custom) {
    delete env.ELECTRON_RUN_AS_NODE;
    return { command: custom, args: [inputs.kernelScript, '--stdio'], env };
  }
  if (inputs.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  return { command: inputs.execPath, args: [inputs.kernelScript, '--stdio'], env };
}

/**
 * On POSIX the kernel leads a process group of its own, so that a restart ends what its cells
 * started too (`child_process.spawn` in a cell): killKernelTree signals the whole group.
 */
export function spawnKernel(plan: SpawnPlan, cwd: string): ChildProcessWithoutNullStreams {
  return spawn(plan.command, plan.args, { cwd, env: plan.env, stdio: 'pipe', windowsHide: true, detached: process.platform !== 'win32' });
}

/** Kills the kernel and every process it started (its process group; the kernel alone on Windows). */
export function killKernelTree(child: { pid?: number | undefined; kill(signal: NodeJS.Signals): boolean }): void {
  if (process.platform !== 'win32' && child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
      return;
    } catch {
      // the group is gone already; kill the kernel itself below
    }
  }
  child.kill('SIGKILL');
}

/** Keeps the last few KB of the kernel's stderr, to show when it dies. */
export class OutputTail {
  private text = '';
  constructor(private readonly limit = 4000) {}
  append(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
  clear(): void {
    this.text = '';
  }
}
