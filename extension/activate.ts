// Activation, shared by both entries of the extension (extension.ts for the Node extension host,
// web/extension.ts for VS Code for the Web): wires the parts together and nothing else, with the
// KernelLauncher the entry brings. Nothing slow happens here; a notebook's kernel starts with its
// first cell that runs (kernelManager.ts: one kernel per notebook).

import * as vscode from 'vscode';
import { quietBuiltInTypeScript } from './builtinTypeScript';
import { registerCommands } from './commands';
import { Commands } from './constants';
import { RnnLabController } from './controller';
import { Dashboard } from './dashboard';
import { Inspector } from './inspector';
import { notebookName } from './kernelClient';
import { KERNEL_CLIENT_NAME } from './kernelLanguageClient';
import { KernelManager } from './kernelManager';
import type { KernelLauncher } from './kernelSessions';
import { LiveOutputs } from './liveOutputs';
import { isRnnLabNotebook } from './notebookMetadata';
import { NotebookSelection } from './notebookSelection';
import { ModalRestartPrompter } from './restartPrompt';
import { KernelStatusBar } from './statusBar';
import { createTestApi, type RnnLabTestApi } from './testApi';

let kernels: KernelManager | undefined;

export function activateWith(context: vscode.ExtensionContext, launcherFor: (log: vscode.OutputChannel) => KernelLauncher): RnnLabTestApi {
  const output = vscode.window.createOutputChannel(KERNEL_CLIENT_NAME);
  const selection = new NotebookSelection();
  const launcher = launcherFor(output);
  const manager = new KernelManager(launcher, output);
  kernels = manager;
  const live = new LiveOutputs(manager);
  const controller = new RnnLabController(manager, selection, live);
  const statusBar = new KernelStatusBar();
  const dashboard = new Dashboard(context.extensionUri, manager);
  const inspector = new Inspector(context.extensionUri, manager, controller.onDidFinishCell);
  const prompter = new ModalRestartPrompter();

  /** The status bar and the context keys show the kernel of the notebook in view. */
  const showFollowed = (): void => {
    const notebook = manager.followedNotebook;
    const kernel = manager.followedKernel;
    statusBar.show({
      name: notebook ? notebookName(notebook.uri) : undefined,
      state: kernel?.state ?? 'stopped',
      rnnLabNotebook: notebook !== undefined && (selection.has(notebook) || isRnnLabNotebook(notebook.metadata)),
      others: manager.all.filter((k) => k !== kernel).map((k) => ({ name: k.name, state: k.state })),
    });
    void vscode.commands.executeCommand('setContext', 'rnnLab.kernelRunning', kernel?.isRunning ?? false);
  };
  showFollowed();

  context.subscriptions.push(
    output,
    selection,
    manager,
    live,
    controller,
    statusBar,
    dashboard,
    inspector,
    manager.onDidChangeState(showFollowed),
    manager.onDidChangeFollowed(showFollowed),
    manager.onDidChangeKernels(showFollowed),
    selection.onDidChange(showFollowed),
    vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.metadata && e.notebook === manager.followedNotebook) showFollowed();
    }),
    manager.onDidEndSession(({ kernel, end }) => {
      if (end.kind !== 'died') return;
      void vscode.window
        .showErrorMessage(
          `The RNN Lab kernel of ${kernel.name} died; its variables are gone. See the "${KERNEL_CLIENT_NAME}" output for why.`,
          'Restart Kernel',
          'Show Output',
        )
        .then((choice) => {
          if (choice === 'Restart Kernel') void vscode.commands.executeCommand(Commands.restartKernel, kernel.notebook.uri);
          if (choice === 'Show Output') output.show(true);
        });
    }),
    // VS Code's own TypeScript keeps quiet in the cells whose kernel answers for them (not the browser kernel's yet).
    quietBuiltInTypeScript(() => (launcher.languageFeatures ? manager.runningNotebooks() : []), [manager.onDidChangeState, manager.onDidChangeKernels]),
    ...registerCommands({ extensionUri: context.extensionUri, kernels: manager, dashboard, inspector, prompter }),
  );
  return createTestApi({ kernels: manager, inspector, dashboard, statusBar, prompter, live });
}

export async function deactivateAll(): Promise<void> {
  await kernels?.shutdownAll();
  kernels = undefined;
}
