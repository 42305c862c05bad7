// Entry point: wires the parts together and nothing else. Nothing slow happens here; the kernel
// process starts with the first cell that runs.

import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { RnnLabController } from './controller';
import { Dashboard } from './dashboard';
import { Inspector } from './inspector';
import { KernelClient } from './kernelClient';
import { isRnnLabNotebook } from './notebookMetadata';
import { KernelStatusBar } from './statusBar';
import { createTestApi, type RnnLabTestApi } from './testApi';

let kernel: KernelClient | undefined;

export function activate(context: vscode.ExtensionContext): RnnLabTestApi {
  const output = vscode.window.createOutputChannel('RNN Lab Kernel');
  kernel = new KernelClient(context.extensionUri, output);
  const controller = new RnnLabController(kernel);
  const statusBar = new KernelStatusBar();
  const dashboard = new Dashboard(context.extensionUri, kernel);
  const inspector = new Inspector(context.extensionUri, kernel, controller.onDidFinishCell);

  const updateNotebookOpen = (): void =>
    statusBar.setNotebookOpen(controller.hasSelectedNotebooks || vscode.workspace.notebookDocuments.some((nb) => isRnnLabNotebook(nb.metadata)));
  updateNotebookOpen();

  context.subscriptions.push(
    output,
    kernel,
    controller,
    statusBar,
    dashboard,
    inspector,
    kernel.onDidChangeState((state) => {
      statusBar.setState(state);
      void vscode.commands.executeCommand('setContext', 'rnnLab.kernelRunning', kernel?.isRunning ?? false);
    }),
    controller.onDidChangeSelection(updateNotebookOpen),
    kernel.onDidEndSession((end) => {
      if (end.kind !== 'died') return;
      void vscode.window
        .showErrorMessage('The RNN Lab kernel died; its variables are gone. See the "RNN Lab Kernel" output for why.', 'Restart Kernel', 'Show Output')
        .then((choice) => {
          if (choice === 'Restart Kernel') void vscode.commands.executeCommand('rnnLab.restartKernel');
          if (choice === 'Show Output') output.show(true);
        });
    }),
    vscode.workspace.onDidOpenNotebookDocument(updateNotebookOpen),
    vscode.workspace.onDidCloseNotebookDocument(updateNotebookOpen),
    ...registerCommands({ extensionUri: context.extensionUri, kernel, dashboard, inspector }),
  );
  return createTestApi(kernel, inspector, dashboard);
}

export async function deactivate(): Promise<void> {
  await kernel?.shutdown();
  kernel = undefined;
}
