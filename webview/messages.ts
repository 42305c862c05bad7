// Messages between the extension and its webviews (the dashboard and the parameter view) and its
// notebook renderer. Types only; both sides import them.

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
  /** The gates of its row blocks (a recurrent layer's weights and biases), in order. */
  gates?: string[];
}

export type ParameterInbound = { type: 'parameter'; data: ParameterData } | { type: 'error'; message: string };

export type ParameterOutbound = ReadyMessage;

// ---- notebook renderer (renderer messaging) --------------------------------------------------
//
// A live display in a cell that has finished (a loss curve of a job the cell started without
// awaiting it) is redrawn through these messages, not by writing the cell: each write into a
// finished cell is a short execution VS Code shows as running. The document gets the last value
// once the updates settle (extension/cellOutputs.ts).

/** The renderer's outputs find their display id in the output's metadata (Jupyter's transient display_id). */
export interface OutputDisplayMetadata {
  transient?: { display_id?: string };
}

export type RendererInbound =
  /** New data for every output of this display: one item, the MIME type the renderer draws. */
  | { type: 'update'; displayId: string; mime: string; value: unknown }
  /** The uids of the notebook's jobs that can be stopped now (running or paused). */
  | { type: 'jobs'; stoppable: string[] };

export type RendererOutbound =
  /** An output of this display was drawn from the document: send anything newer, and the jobs. */
  | { type: 'watch'; displayId: string }
  /** An 'update' message was drawn (the tests count these). */
  | { type: 'drawn'; displayId: string }
  /** The Stop button of a job's live curve. */
  | { type: 'stopJob'; jobUid: string };
