// How vscode-languageclient talks to a kernel process: the cells it syncs (those of the one
// notebook the kernel runs), the language features it asks the kernel for (completions, hovers and
// signature help from the notebook's program and live values) and in which cells, and what a
// connection error does (nothing by itself: a dead kernel is the client's to report).
//
// Every notebook has a kernel of its own, so there are as many language clients as running
// kernels, all registered for TypeScript cells of .ipynb notebooks. Each one syncs only its
// notebook's cells (filterCells: another notebook's cells never reach this kernel, so its
// diagnostics cover its own cells only) and answers only in them (middleware).

import type * as vscode from 'vscode';
import { CloseAction, ErrorAction, type LanguageClientOptions } from 'vscode-languageclient';
import { CELL_LANGUAGE, NOTEBOOK_TYPE } from './constants';

/** The language client's id, and its name, which is also the output channel the kernel logs to. */
export const KERNEL_CLIENT_ID = 'rnnLab.kernel';
export const KERNEL_CLIENT_NAME = 'RNN Lab Kernel';

/** Which cells a kernel's language features serve: those of the notebook it runs. */
export interface ServedCells {
  /** Whether this notebook is the one the kernel runs. */
  servesNotebook(notebook: vscode.NotebookDocument): boolean;
  /** Whether a text document is a cell of that notebook. */
  hasCell(document: vscode.TextDocument): boolean;
}

/** ServedCells for one notebook. */
export function servedNotebook(notebook: vscode.NotebookDocument): ServedCells {
  return {
    servesNotebook: (nb) => nb === notebook || nb.uri.toString() === notebook.uri.toString(),
    hasCell: (document) => !notebook.isClosed && notebook.getCells().some((cell) => cell.document === document),
  };
}

export function kernelClientOptions(outputChannel: vscode.OutputChannel, served: ServedCells): LanguageClientOptions {
  return {
    // The kernel answers in TypeScript cells of .ipynb notebooks (it syncs the cells' text by LSP
    // notebook sync).
    documentSelector: [{ notebook: { notebookType: NOTEBOOK_TYPE }, language: CELL_LANGUAGE }],
    // Only the cells of its own notebook are synced to it: the others are another kernel's.
    notebookDocumentOptions: {
      filterCells: (notebook, cells) => (served.servesNotebook(notebook) ? cells : []),
    },
    // Cells of other notebooks get nothing from this kernel (their own kernel answers there).
    middleware: {
      provideCompletionItem: (document, position, context, token, next) =>
        served.hasCell(document) ? next(document, position, context, token) : undefined,
      provideHover: (document, position, token, next) => (served.hasCell(document) ? next(document, position, token) : undefined),
      provideSignatureHelp: (document, position, context, token, next) =>
        served.hasCell(document) ? next(document, position, context, token) : undefined,
    },
    outputChannel,
    // A dead kernel is reported in the status bar and in the cell; no pop-ups, no automatic restart
    // (the person decides, since a restart loses the notebook's variables).
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => ({ action: CloseAction.DoNotRestart, handled: true }),
    },
    initializationFailedHandler: () => false,
  };
}
