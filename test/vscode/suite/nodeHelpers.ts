/// <reference types="mocha" />
// What only the Node extension host's tests can do: list files synchronously, look at processes.
import { existsSync, readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { workspaceUri } from './helpers';

/**
 * The sample notebooks of the test workspace, read synchronously (the extension host shares this
 * machine's file system) so that each sample can be its own test.
 */
export function sampleNotebookPaths(): vscode.Uri[] {
  const dir = workspaceUri('samples');
  if (!existsSync(dir.fsPath)) return [];
  return readdirSync(dir.fsPath)
    .filter((n) => n.endsWith('.ipynb'))
    .sort()
    .map((n) => vscode.Uri.joinPath(dir, n));
}

/** Whether a process with this id exists (signal 0 tests without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

