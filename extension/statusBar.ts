// The status bar item naming the kernel of the notebook in view (statusLook.ts): shown while that
// notebook is an RNN Lab one or its kernel runs; a dead kernel turns it red and clicking it
// restarts that kernel.

import * as vscode from 'vscode';
import { Commands } from './constants';
import type { KernelClientState } from './kernelStateModel';
import { otherKernelsLine, statusLook, type KernelLine, type StatusLook } from './statusLook';

export interface StatusView {
  /** The notebook in view; undefined when none is. */
  name: string | undefined;
  state: KernelClientState;
  /** Whether that notebook is an RNN Lab notebook (shows the item before its kernel starts). */
  rnnLabNotebook: boolean;
  /** The other notebooks' kernels. */
  others: KernelLine[];
}

/** The tooltip: the state, the other kernels, then links to what can be done (none of them loses variables, except Restart, which asks). */
function tooltipOf(view: StatusView, look: StatusLook): vscode.MarkdownString {
  const links: string[] = [];
  if (view.state === 'busy' || view.state === 'training') links.push(`[$(debug-pause) Interrupt](command:${Commands.interruptKernel})`);
  if (view.state !== 'stopped' && view.state !== 'starting') links.push(`[$(debug-restart) Restart](command:${Commands.restartKernel})`);
  links.push(`[$(graph-line) Dashboard](command:${Commands.showDashboard})`);
  const others = otherKernelsLine(view.others);
  const md = new vscode.MarkdownString(`${look.tooltip}${others ? `\n\n${others}` : ''}\n\n${links.join(' &nbsp; ')}`, true);
  md.isTrusted = { enabledCommands: [Commands.interruptKernel, Commands.restartKernel, Commands.showDashboard] };
  return md;
}

export class KernelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rnnLab.kernelState', vscode.StatusBarAlignment.Left, 50);
  private shown = false;

  constructor() {
    this.item.name = 'RNN Lab Kernel';
    this.show({ name: undefined, state: 'stopped', rnnLabNotebook: false, others: [] });
  }

  /** The item's text now (the test API reports it). */
  get text(): string {
    return this.item.text;
  }

  /** Whether the item is shown. */
  get visible(): boolean {
    return this.shown;
  }

  show(view: StatusView): void {
    const look = statusLook(view.state, view.name);
    this.item.text = look.text;
    this.item.tooltip = tooltipOf(view, look);
    this.item.command = look.command;
    this.item.backgroundColor = look.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.shown = view.name !== undefined && (view.state !== 'stopped' || view.rnnLabNotebook);
    if (this.shown) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
