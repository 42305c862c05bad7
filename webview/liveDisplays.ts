// The renderer's side of live displays (messages.ts): which rendered outputs belong to
// which display id, the Stop buttons of jobs' live curves, and the messages to the extension.
// The extension redraws a finished cell's live display by message; an output drawn from the
// document asks it for anything newer ('watch').

import type { OutputDisplayMetadata, RendererInbound, RendererOutbound } from './messages';

export function displayIdOf(metadata: unknown): string | undefined {
  const id = (metadata as OutputDisplayMetadata | undefined)?.transient?.display_id;
  return typeof id === 'string' ? id : undefined;
}

export class LiveDisplays {
  /** displayId → the renderer's output ids showing it. */
  private readonly outputs = new Map<string, Set<string>>();
  private readonly buttons = new Map<string, { uid: string; button: HTMLButtonElement }>();
  private stoppable = new Set<string>();

  constructor(private readonly send: (message: RendererOutbound) => void) {}

  /** A new rendering of an output: it follows its display from now on. */
  attach(outputId: string, displayId: string): void {
    let ids = this.outputs.get(displayId);
    if (!ids) this.outputs.set(displayId, (ids = new Set()));
    ids.add(outputId);
    this.send({ type: 'watch', displayId });
  }

  detach(outputId: string): void {
    for (const [displayId, ids] of this.outputs) {
      ids.delete(outputId);
      if (ids.size === 0) this.outputs.delete(displayId);
    }
    this.buttons.delete(outputId);
  }

  outputsOf(displayId: string): string[] {
    return [...(this.outputs.get(displayId) ?? [])];
  }

  drawn(displayId: string): void {
    this.send({ type: 'drawn', displayId });
  }

  /** A Stop button for the job the output's curve follows, shown while the job can be stopped. */
  stopButton(outputId: string, job: { id: string; uid: string }): HTMLButtonElement {
    const button = document.createElement('button');
    button.className = 'rnn-lab-stop';
    button.textContent = 'Stop training';
    button.title = `Stop ${job.id} after its current step (the model keeps that step's weights)`;
    button.addEventListener('click', () => {
      button.disabled = true;
      this.send({ type: 'stopJob', jobUid: job.uid });
    });
    button.hidden = !this.stoppable.has(job.uid);
    this.buttons.set(outputId, { uid: job.uid, button });
    return button;
  }

  /** Takes what the extension sent; returns the update to draw, if it is one. */
  receive(message: RendererInbound): Extract<RendererInbound, { type: 'update' }> | undefined {
    if (message.type === 'update') return message;
    this.stoppable = new Set(message.stoppable);
    for (const { uid, button } of this.buttons.values()) {
      button.hidden = !this.stoppable.has(uid);
      if (button.hidden) button.disabled = false;
    }
    return undefined;
  }
}
