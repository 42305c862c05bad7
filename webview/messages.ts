// Messages between the extension and its webviews (the dashboard and the parameter view).
// Types only; both sides import them.

import type { JobEventParams, ParameterSummary } from '../kernel/protocol';
import type { JobHistory } from './jobHistory';

/** Every webview says this once its script runs; the extension buffers messages until then. */
export interface ReadyMessage {
  type: 'ready';
}

// ---- dashboard -------------------------------------------------------------------------------

export type DashboardInbound =
  /** Everything known so far; replaces the view's state. `focus` is the job to show. */
  | { type: 'reset'; jobs: JobHistory[]; focus?: string }
  /** One job event, as the kernel sent it. */
  | { type: 'event'; event: JobEventParams }
  /** Show this job. */
  | { type: 'focus'; jobId: string };

export type DashboardOutbound = ReadyMessage | { type: 'stop'; jobId: string };

// ---- parameter view --------------------------------------------------------------------------

export interface ParameterData {
  model: string;
  parameter: ParameterSummary;
  /** Row-major values of the parameter; 1-D parameters are one row. */
  shape: number[];
  values: number[];
}

export type ParameterInbound = { type: 'parameter'; data: ParameterData } | { type: 'error'; message: string };

export type ParameterOutbound = ReadyMessage;
