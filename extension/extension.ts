// The extension's entry in the Node extension host (desktop VS Code, code-server): kernels are
// Node processes (node/launcher.ts). VS Code for the Web loads web/extension.ts instead.

import type * as vscode from 'vscode';
import { activateWith, deactivateAll } from './activate';
import { nodeLauncher } from './node/launcher';
import type { RnnLabTestApi } from './testApi';

export function activate(context: vscode.ExtensionContext): RnnLabTestApi {
  return activateWith(context, (log) => nodeLauncher(context.extensionUri, log));
}

export function deactivate(): Promise<void> {
  return deactivateAll();
}
