// The kernel state a person sees (status bar, context keys): where the session is in its life,
// combined with what the kernel last reported and what the extension has in flight. Pure (no
// 'vscode'), so it is unit-tested.
//
//   lifecycle  stopped ─start─▶ starting ─▶ running ─exit─▶ dead
//                 ▲                            │             │
//                 └──── restart / shutdown ◀───┴─────────────┘
//
// While running, the displayed state is 'training' when the kernel says so, else 'busy' when the
// kernel says so or a cell's execute request is unanswered (the kernel's own 'busy' notification
// may come after the request was sent), else 'idle'.

import type { KernelState } from '../kernel/protocol';

export type KernelClientState = 'stopped' | 'starting' | 'idle' | 'busy' | 'training' | 'dead';

export type Lifecycle = 'stopped' | 'starting' | 'running' | 'dead';

export function displayedState(lifecycle: Lifecycle, reported: KernelState, executing: number): KernelClientState {
  if (lifecycle !== 'running') return lifecycle;
  if (reported === 'training') return 'training';
  if (reported === 'busy' || executing > 0) return 'busy';
  return 'idle';
}

/** The inputs of displayedState for one kernel, across its sessions. */
export class KernelStateModel {
  private phase: Lifecycle = 'stopped';
  private reported: KernelState = 'idle';
  private executing = 0;

  get state(): KernelClientState {
    return displayedState(this.phase, this.reported, this.executing);
  }

  get lifecycle(): Lifecycle {
    return this.phase;
  }

  /** Cells whose execute request is unanswered. */
  get executingCells(): number {
    return this.executing;
  }

  /** Whether a session runs and answers requests. */
  get isRunning(): boolean {
    return this.phase === 'running';
  }

  /** A new session starts: nothing reported, nothing in flight. */
  starting(): void {
    this.phase = 'starting';
    this.reported = 'idle';
    this.executing = 0;
  }

  running(): void {
    this.phase = 'running';
  }

  dead(): void {
    this.phase = 'dead';
  }

  stopped(): void {
    this.phase = 'stopped';
  }

  /** What the kernel said about itself (KernelStateNotification). */
  report(state: KernelState): void {
    this.reported = state;
  }

  /** A cell's execute request was sent to the current session. */
  executionSent(): void {
    this.executing++;
  }

  /** A cell's execute request to the current session was answered or failed. */
  executionSettled(): void {
    this.executing = Math.max(0, this.executing - 1);
  }
}
