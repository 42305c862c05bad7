// What the status bar item says about the kernel of the notebook in view: "RNN Lab: <notebook> ·
// idle" (busy, training, starting, dead), the other notebooks' kernels in its tooltip. Pure (no
// 'vscode'), so it is unit-tested.

import { Commands } from './constants';
import type { KernelClientState } from './kernelStateModel';

export interface StatusLook {
  text: string;
  tooltip: string;
  command?: string;
  error?: boolean;
}

export interface KernelLine {
  /** The notebook's name. */
  name: string;
  state: KernelClientState;
}

const WORDS: Record<KernelClientState, string> = {
  stopped: 'not started',
  starting: 'starting',
  idle: 'idle',
  busy: 'busy',
  training: 'training',
  dead: 'dead',
};

/** The item for the kernel of notebook `name` (undefined: no notebook in view). */
export function statusLook(state: KernelClientState, name?: string): StatusLook {
  const who = name === undefined ? 'RNN Lab' : `RNN Lab: ${name}`;
  const of = name === undefined ? 'RNN Lab kernel' : `RNN Lab kernel of ${name}`;
  switch (state) {
    case 'stopped':
      return { text: `$(circle-outline) ${who}`, tooltip: `${of}: not started (it starts with the notebook's first cell)` };
    case 'starting':
      return { text: `$(loading~spin) ${who} · starting`, tooltip: `${of}: starting` };
    case 'idle':
      return { text: `$(circle-large-outline) ${who} · idle`, tooltip: `${of}: idle` };
    case 'busy':
      return { text: `$(sync~spin) ${who} · busy`, tooltip: `${of}: running a cell` };
    case 'training':
      return { text: `$(pulse) ${who} · training`, tooltip: `${of}: training. Click for the dashboard.`, command: Commands.showDashboard };
    case 'dead':
      return { text: `$(error) ${who} · dead, restart`, tooltip: `The ${of} died. Click to restart it.`, command: Commands.restartKernel, error: true };
  }
}

/** The tooltip's line about the other notebooks' kernels, or '' when there are none. */
export function otherKernelsLine(others: readonly KernelLine[]): string {
  const started = others.filter((k) => k.state !== 'stopped');
  if (!started.length) return '';
  return `Other notebooks' kernels: ${started.map((k) => `${k.name} (${WORDS[k.state]})`).join(', ')}`;
}
