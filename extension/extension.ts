// Entry point: wires the parts together and nothing else. Nothing slow happens here; the kernel
// process starts with the first cell that runs.

import * as vscode from 'vscode';
import { quietBuiltInTypeScript } from './builtinTypeScript';
import { registerCommands } from './commands';
import { Commands } from './constants';
import { RnnLabController } from './controller';
import { Dashboard } from './dashboard';
import { Inspector } from './inspector';
import { KernelClient } from './kernelClient';
import { KERNEL_CLIENT_NAME } from './kernelLanguageClient';
import { isRnnLabNotebook } from './notebookMetadata';
import { NotebookSelection } from './notebookSelection';
import { KernelStatusBar } from './statusBar';
import { createTestApi, type RnnLabTestApi } from './testApi';

let kernel: KernelClient | undefined;

export function activate(context: vscode.ExtensionContext): RnnLabTestApi {
  const output = vscode.window.createOutputChannel(KERNEL_CLIENT_NAME);
  const selection = new NotebookSelection();
  kernel = new KernelClient(context.extensionUri, output, selection);
  const controller = new RnnLabController(kernel, selection);
  const statusBar = new KernelStatusBar();
  const dashboard = new Dashboard(context.extensionUri, kernel);
  const inspector = new Inspector(context.extensionUri, kernel, controller.onDidFinishCell);

  const updateNotebookOpen = (): void =>
    statusBar.setNotebookOpen(!selection.isEmpty || vscode.workspace.notebookDocuments.some((nb) => isRnnLabNotebook(nb.metadata)));
  updateNotebookOpen();

  context.subscriptions.push(
    output,
    selection,
    kernel,
    controller,
    statusBar,
    dashboard,
    inspector,
    kernel.onDidChangeState((state) => {
      statusBar.setState(state);
      void vscode.commands.executeCommand('setContext', 'rnnLab.kernelRunning', kernel?.isRunning ?? false);
    }),
    selection.onDidChange(updateNotebookOpen),
    kernel.onDidEndSession((end) => {
      if (end.kind !== 'died') return;
      void vscode.window
        .showErrorMessage(`The RNN Lab kernel died; its variables are gone. See the "${KERNEL_CLIENT_NAME}" output for why.`, 'Restart Kernel', 'Show Output')
        .then((choice) => {
          if (choice === 'Restart Kernel') void vscode.commands.executeCommand(Commands.restartKernel);
          if (choice === 'Show Output') output.show(true);
        });
    }),
    // Where the kernel's language server answers, VS Code's built-in TypeScript stays quiet.
    quietBuiltInTypeScript(() => (kernel?.isRunning ? selection.list() : []), [kernel.onDidChangeState, selection.onDidChange]),
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
