// The browser kernel's files, from the workspace's file system (vscode.workspace.fs): the kernel
// names them by the path of the notebook's URI, and here they get its scheme and authority back,
// so a model saved in github.dev lands in the repository (vscode-vfs://github/owner/repo/…).

import * as vscode from 'vscode';
import type { KernelFileSystem } from './fileRequests';

export function workspaceFiles(base: vscode.Uri): KernelFileSystem {
  const uriOf = (path: string) => base.with({ path, query: '', fragment: '' });
  return {
    readFile: async (path) => vscode.workspace.fs.readFile(uriOf(path)),
    writeFile: async (path, bytes) => {
      // writeFile creates the folders on the way; the file system makes the write whole.
      await vscode.workspace.fs.writeFile(uriOf(path), bytes);
    },
    mkdir: async (path) => vscode.workspace.fs.createDirectory(uriOf(path)),
    stat: async (path) => {
      try {
        const s = await vscode.workspace.fs.stat(uriOf(path));
        return { isFile: (s.type & vscode.FileType.File) !== 0, isDirectory: (s.type & vscode.FileType.Directory) !== 0, size: s.size };
      } catch (error) {
        if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return null;
        throw error;
      }
    },
  };
}
