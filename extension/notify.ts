// Messages the commands show to the person. Never awaited by a command: a notification stays
// until someone answers it, and a command waiting on it would never return. The last few are
// kept for the extension-host tests (testApi.recentMessages).

import * as vscode from 'vscode';

export type MessageSeverity = 'error' | 'warning' | 'info';

export interface ShownMessage {
  severity: MessageSeverity;
  text: string;
}

const KEEP = 20;
const recent: ShownMessage[] = [];

/** The messages shown so far (at most the last 20), oldest first. */
export function recentMessages(): ShownMessage[] {
  return [...recent];
}

/** Shows a notification; the returned promise settles when (if ever) the person answers it. */
export function notify(severity: MessageSeverity, text: string, ...actions: string[]): Thenable<string | undefined> {
  recent.push({ severity, text });
  if (recent.length > KEEP) recent.splice(0, recent.length - KEEP);
  switch (severity) {
    case 'error':
      return vscode.window.showErrorMessage(text, ...actions);
    case 'warning':
      return vscode.window.showWarningMessage(text, ...actions);
    case 'info':
      return vscode.window.showInformationMessage(text, ...actions);
  }
}
