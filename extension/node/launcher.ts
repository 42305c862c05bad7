// Kernels as Node processes (desktop VS Code, code-server): dist/kernel.js run by the extension
// host's own runtime (or the configured Node) in the notebook's folder, over stdio.

import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Settings } from '../constants';
import type { KernelLauncher } from '../kernelSessions';
import { kernelSpawnPlan } from './kernelProcess';
import { ProcessKernelSession } from './kernelSession';

export function nodeLauncher(extensionUri: vscode.Uri, log: vscode.OutputChannel): KernelLauncher {
  return {
    session(label, notebook, clientOptions) {
      const plan = kernelSpawnPlan({
        execPath: process.execPath,
        versions: process.versions,
        kernelScript: vscode.Uri.joinPath(extensionUri, 'dist', 'kernel.js').fsPath,
        nodePathSetting: vscode.workspace.getConfiguration(Settings.section).get<string>(Settings.nodePath, ''),
        env: process.env,
        platform: process.platform,
      });
      return new ProcessKernelSession(label, { plan, cwd: notebookFolder(notebook) ?? os.homedir() }, clientOptions, log);
    },
    kernelPath: (uri) => (uri.scheme === 'file' ? uri.fsPath : undefined),
    folder: notebookFolder,
    filesPlace: 'on this machine',
    languageFeatures: true,
  };
}

/**
 * The folder a notebook's kernel runs in: the notebook's own folder, else (an untitled notebook)
 * the first local workspace folder.
 */
export function notebookFolder(notebook: vscode.NotebookDocument): string | undefined {
  if (notebook.uri.scheme === 'file') return path.dirname(notebook.uri.fsPath);
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
}
