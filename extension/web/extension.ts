// The extension's entry in VS Code for the Web (package.json "browser", bundled as
// dist/web/extension.js for the web worker extension host): the same controller, renderer,
// dashboard, inspector and commands as the Node entry (activate.ts), with kernels in Web Workers.

import type * as vscode from 'vscode';
import { activateWith, deactivateAll } from '../activate';
import type { RnnLabTestApi } from '../testApi';
import { workerLauncher } from './launcher';

export function activate(context: vscode.ExtensionContext): RnnLabTestApi {
  return activateWith(context, (log) => workerLauncher(context.extensionUri, log));
}

export function deactivate(): Promise<void> {
  return deactivateAll();
}
