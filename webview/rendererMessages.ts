// Messages between the extension and its notebook renderer (renderer messaging: VS Code's
// notebooks.createRendererMessaging and the renderer context's postMessage). Types only; both
// sides import them.
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
