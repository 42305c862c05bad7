// The open notebooks that chose the RNN Lab kernel. The controller keeps it (VS Code tells it which
// notebooks select it); the status bar shows for the notebook in view when it is one of them.
// (Each notebook's kernel serves its own cells: kernelLanguageClient.ts.)

import * as vscode from 'vscode';

export class NotebookSelection implements vscode.Disposable {
  private readonly notebooks = new Set<vscode.NotebookDocument>();
  private readonly changed = new vscode.EventEmitter<void>();

  /** A notebook chose RNN Lab, or one that had left it or was closed. */
  readonly onDidChange = this.changed.event;

  has(notebook: vscode.NotebookDocument): boolean {
    return this.notebooks.has(notebook);
  }

  set(notebook: vscode.NotebookDocument, selected: boolean): void {
    const changed = selected ? !this.notebooks.has(notebook) : this.notebooks.has(notebook);
    if (selected) this.notebooks.add(notebook);
    else this.notebooks.delete(notebook);
    if (changed) this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
