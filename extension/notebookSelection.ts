// The open notebooks that chose the RNN Lab kernel. The controller keeps it (VS Code tells it which
// notebooks select it); the kernel's language client reads it, to answer completions and hovers
// only in those notebooks' cells; the status bar shows while it is not empty.

import * as vscode from 'vscode';

export class NotebookSelection implements vscode.Disposable {
  private readonly notebooks = new Set<vscode.NotebookDocument>();
  private readonly changed = new vscode.EventEmitter<void>();

  /** A notebook chose RNN Lab, or one that had left it or was closed. */
  readonly onDidChange = this.changed.event;

  get isEmpty(): boolean {
    return this.notebooks.size === 0;
  }

  /** The notebooks, in the order they chose RNN Lab. */
  list(): readonly vscode.NotebookDocument[] {
    return [...this.notebooks];
  }

  has(notebook: vscode.NotebookDocument): boolean {
    return this.notebooks.has(notebook);
  }

  /** Whether a text document is a cell of a notebook that chose RNN Lab. */
  hasCell(document: vscode.TextDocument): boolean {
    return [...this.notebooks].some((nb) => nb.getCells().some((cell) => cell.document === document));
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
