// Whether *Restart Kernel* asks first, and what it asks. Pure (no 'vscode'), so it is unit-tested.
//
// A restart throws away the notebook's variables, its running training jobs and the cell running;
// when there is none of these it restarts at once, as when the person turned the question off
// (setting rnnLab.kernel.confirmRestart, or "Don't Ask Again" in the question itself).

export interface RestartFacts {
  /** The notebook's name, as the status bar shows it. */
  notebook: string;
  /** Whether the setting asks for confirmation (rnnLab.kernel.confirmRestart). */
  confirm: boolean;
  /** Whether a kernel process runs at all (a stopped or dead one has nothing to lose). */
  running: boolean;
  /** Names the cells declared; undefined when the kernel did not say (busy in a synchronous loop). */
  variables: number | undefined;
  /** Training jobs running or paused. */
  runningJobs: number;
  /** A cell is running. */
  busy: boolean;
}

export interface RestartQuestion {
  /** The modal's message. */
  message: string;
  /** The modal's detail line. */
  detail: string;
}

/** The modal's buttons besides Cancel (which a modal always has). As in VS Code's Jupyter, "Don't Ask Again" restarts too. */
export const RESTART_BUTTON = 'Restart';
export const DONT_ASK_AGAIN_BUTTON = "Don't Ask Again";

/** The question to ask before restarting, or undefined to restart without asking. */
export function restartQuestion(facts: RestartFacts): RestartQuestion | undefined {
  if (!facts.confirm || !facts.running) return undefined;
  const variablesKnown = facts.variables !== undefined;
  if (variablesKnown && facts.variables === 0 && facts.runningJobs === 0 && !facts.busy) return undefined;
  const variables = variablesKnown ? `Its variables (${facts.variables})` : 'Its variables';
  const lost = `${variables} and running training jobs (${facts.runningJobs}) will be lost.`;
  const notes: string[] = [];
  if (facts.busy) notes.push(variablesKnown ? 'The cell running now stops too.' : 'A cell is running, so the kernel could not say how many variables it has; that cell stops too.');
  notes.push("Other notebooks keep their kernels. \"Don't Ask Again\" restarts and turns this question off (setting rnnLab.kernel.confirmRestart).");
  return {
    message: `Restart the RNN Lab kernel of ${facts.notebook}? ${lost}`,
    detail: notes.join(' '),
  };
}
