// The question *Restart Kernel* asks before it throws away a notebook's variables, running jobs or
// running cell (restartQuestion.ts decides whether and what): a modal with Restart, "Don't Ask
// Again" (restarts, and sets rnnLab.kernel.confirmRestart to false) and Cancel. The extension-host
// tests answer it through the test API instead of a modal, which nothing could click.

import * as vscode from 'vscode';
import { Settings } from './constants';
import type { KernelClient } from './kernelClient';
import { DONT_ASK_AGAIN_BUTTON, RESTART_BUTTON, restartQuestion, type RestartQuestion } from './restartQuestion';

export type RestartAnswer = 'restart' | 'dontAskAgain' | 'cancel';

export interface RestartPrompter {
  ask(question: RestartQuestion): Promise<RestartAnswer>;
}

/** Asks with a modal; the test API can set `answer`, and then no modal shows. */
export class ModalRestartPrompter implements RestartPrompter {
  /** When set, the answer given without showing anything. */
  answer: RestartAnswer | undefined;
  /** The questions asked so far (the last 20), oldest first. */
  readonly asked: RestartQuestion[] = [];

  async ask(question: RestartQuestion): Promise<RestartAnswer> {
    this.asked.push(question);
    if (this.asked.length > 20) this.asked.shift();
    if (this.answer) return this.answer;
    const choice = await vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, RESTART_BUTTON, DONT_ASK_AGAIN_BUTTON);
    if (choice === RESTART_BUTTON) return 'restart';
    if (choice === DONT_ASK_AGAIN_BUTTON) return 'dontAskAgain';
    return 'cancel';
  }
}

/** Whether the restart of `kernel` goes ahead: at once when it loses nothing or the setting says not to ask. */
export async function confirmRestart(kernel: KernelClient, prompter: RestartPrompter): Promise<boolean> {
  const config = vscode.workspace.getConfiguration(Settings.section);
  const confirm = config.get<boolean>(Settings.confirmRestart, true);
  if (!confirm || !kernel.isRunning) return true;
  const { variables, runningJobs } = await kernel.restartLosses();
  const question = restartQuestion({ notebook: kernel.name, confirm, running: kernel.isRunning, variables, runningJobs, busy: kernel.isExecuting });
  if (!question) return true;
  const answer = await prompter.ask(question);
  if (answer === 'dontAskAgain') await config.update(Settings.confirmRestart, false, vscode.ConfigurationTarget.Global);
  return answer !== 'cancel';
}
