// The kernel's state in the status bar. Shown while a kernel runs or an RNN Lab notebook is open;
// a dead kernel turns it red and clicking it restarts the kernel.

import * as vscode from 'vscode';
import { Commands } from './constants';
import type { KernelClientState } from './kernelStateModel';

interface Look {
  text: string;
  tooltip: string;
  command?: string;
  error?: boolean;
}

export function statusLook(state: KernelClientState): Look {
  switch (state) {
    case 'stopped':
      return { text: '$(circle-outline) RNN Lab', tooltip: 'RNN Lab kernel: not started (it starts with the first cell)' };
    case 'starting':
      return { text: '$(loading~spin) RNN Lab: starting', tooltip: 'RNN Lab kernel: starting' };
    case 'idle':
      return { text: '$(circle-large-outline) RNN Lab: idle', tooltip: 'RNN Lab kernel: idle' };
    case 'busy':
      return { text: '$(sync~spin) RNN Lab: busy', tooltip: 'RNN Lab kernel: running a cell' };
    case 'training':
      return { text: '$(pulse) RNN Lab: training', tooltip: 'RNN Lab kernel: training. Click for the dashboard.', command: Commands.showDashboard };
    case 'dead':
      return { text: '$(error) RNN Lab: dead, restart', tooltip: 'The RNN Lab kernel process died. Click to restart it.', command: Commands.restartKernel, error: true };
  }
}

/** The tooltip: the state, then links to what can be done (the click itself never loses variables, except when dead). */
function tooltipOf(state: KernelClientState, look: Look): vscode.MarkdownString {
  const links: string[] = [];
  if (state === 'busy' || state === 'training') links.push(`[$(debug-pause) Interrupt](command:${Commands.interruptKernel})`);
  if (state !== 'stopped' && state !== 'starting') links.push(`[$(debug-restart) Restart](command:${Commands.restartKernel})`);
  links.push(`[$(graph-line) Dashboard](command:${Commands.showDashboard})`);
  const md = new vscode.MarkdownString(`${look.tooltip}\n\n${links.join(' &nbsp; ')}`, true);
  md.isTrusted = { enabledCommands: [Commands.interruptKernel, Commands.restartKernel, Commands.showDashboard] };
  return md;
}

export class KernelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rnnLab.kernelState', vscode.StatusBarAlignment.Left, 50);
  private state: KernelClientState = 'stopped';
  private notebookOpen = false;

  constructor() {
    this.item.name = 'RNN Lab Kernel';
    this.render();
  }

  setState(state: KernelClientState): void {
    this.state = state;
    this.render();
  }

  /** Whether an RNN Lab notebook is open, which shows the item even before the kernel starts. */
  setNotebookOpen(open: boolean): void {
    this.notebookOpen = open;
    this.render();
  }

  private render(): void {
    const look = statusLook(this.state);
    this.item.text = look.text;
    this.item.tooltip = tooltipOf(this.state, look);
    this.item.command = look.command;
    this.item.backgroundColor = look.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    if (this.state !== 'stopped' || this.notebookOpen) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
