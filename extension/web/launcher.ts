// Kernels as Web Workers (VS Code for the Web): dist/web/kernel.js (and its training worker,
// dist/web/worker.js), read once through the workspace's file system API (the extension's URI is
// not one a worker can load) into Blob URLs every kernel of the window starts from. The kernel's paths are those of the notebook's URI;
// its files are the notebook's file system (workspaceFiles.ts).

import * as vscode from 'vscode';
import type { KernelLauncher } from '../kernelSessions';
import { WorkerKernelSession } from './workerSession';
import { workspaceFiles } from './workspaceFiles';

/** The folder of a URI path: `/a/b/c.ipynb` → `/a/b`. */
const dirname = (path: string): string => path.slice(0, Math.max(1, path.lastIndexOf('/'))) || '/';

export function workerLauncher(extensionUri: vscode.Uri, log: vscode.OutputChannel): KernelLauncher {
  const blobUrl = async (file: string) => {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'web', file));
    return URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'text/javascript' }));
  };
  let bundles: Promise<{ kernel: string; trainingWorker: string }> | undefined;
  const bundleUrls = () =>
    (bundles ??= Promise.all([blobUrl('kernel.js'), blobUrl('worker.js')])
      .then(([kernel, trainingWorker]) => ({ kernel, trainingWorker }))
      .catch((error: unknown) => {
        bundles = undefined; // a failed read is tried again by the next start
        throw error;
      }));
  /** The URI whose file system the notebook's kernel uses: the notebook's own, else (untitled) the first workspace folder's. */
  const baseOf = (notebook: vscode.NotebookDocument): vscode.Uri | undefined =>
    notebook.uri.scheme !== 'untitled' ? notebook.uri : vscode.workspace.workspaceFolders?.[0]?.uri;
  const folder = (notebook: vscode.NotebookDocument): string | undefined => {
    if (notebook.uri.scheme !== 'untitled') return dirname(notebook.uri.path);
    return vscode.workspace.workspaceFolders?.[0]?.uri.path;
  };
  return {
    session(label, notebook, clientOptions) {
      const base = baseOf(notebook) ?? notebook.uri;
      return new WorkerKernelSession(label, { bundleUrls, cwd: folder(notebook) ?? '/', files: workspaceFiles(base) }, clientOptions, log);
    },
    kernelPath(uri, notebook) {
      const base = notebook ? baseOf(notebook) : vscode.workspace.workspaceFolders?.[0]?.uri;
      return base && uri.scheme === base.scheme && uri.authority === base.authority ? uri.path : undefined;
    },
    folder,
    filesPlace: "in the notebook's workspace",
    // Not yet in the worker (TypeScript's library files are not there): VS Code's own TypeScript answers.
    languageFeatures: false,
  };
}
