// Messages the commands show to the person. Never awaited by a command: a notification stays
// until someone answers it, and a command waiting on it would never return. The last few are
// kept for the extension-host tests (testApi.recentMessages), which can also keep modal ones from
// showing (nothing could close them there).

import * as vscode from 'vscode';

export type MessageSeverity = 'error' | 'warning' | 'info';

export interface ShownMessage {
  severity: MessageSeverity;
  text: string;
  /** The longer explanation under a modal message's text. */
  detail?: string;
}

const KEEP = 20;
const recent: ShownMessage[] = [];
let modalsShown = true;

/** The messages shown so far (at most the last 20), oldest first. */
export function recentMessages(): ShownMessage[] {
  return [...recent];
}

/** Whether modal messages show (the tests turn them off: they are only recorded then). */
export function showModalMessages(shown: boolean): void {
  modalsShown = shown;
}

function record(message: ShownMessage): void {
  recent.push(message);
  if (recent.length > KEEP) recent.splice(0, recent.length - KEEP);
}

function show(severity: MessageSeverity, text: string, options: vscode.MessageOptions, actions: string[]): Thenable<string | undefined> {
  switch (severity) {
    case 'error':
      return vscode.window.showErrorMessage(text, options, ...actions);
    case 'warning':
      return vscode.window.showWarningMessage(text, options, ...actions);
    case 'info':
      return vscode.window.showInformationMessage(text, options, ...actions);
  }
}

/** Shows a notification; the returned promise settles when (if ever) the person answers it. */
export function notify(severity: MessageSeverity, text: string, ...actions: string[]): Thenable<string | undefined> {
  record({ severity, text });
  return show(severity, text, {}, actions);
}

/** A modal message with a longer explanation under it, for what needs reading before going on. */
export function explain(severity: MessageSeverity, text: string, detail: string): Thenable<string | undefined> {
  record({ severity, text, detail });
  return modalsShown ? show(severity, text, { modal: true, detail }, []) : Promise.resolve(undefined);
}
