// How vscode-languageclient talks to a kernel process: the cells it syncs, the language features
// it asks the kernel for (completions and hovers from the notebook's live values) and in which
// cells, and what a connection error does (nothing by itself: a dead kernel is the client's to
// report).

import type * as vscode from 'vscode';
import { CloseAction, ErrorAction, type LanguageClientOptions } from 'vscode-languageclient/node';
import { CELL_LANGUAGE, NOTEBOOK_TYPE } from './constants';

/** The language client's id, and its name, which is also the output channel the kernel logs to. */
export const KERNEL_CLIENT_ID = 'rnnLab.kernel';
export const KERNEL_CLIENT_NAME = 'RNN Lab Kernel';

/** Which cells the kernel's language features serve: those of the notebooks it runs. */
export interface ServedCells {
  hasCell(document: vscode.TextDocument): boolean;
}

export function kernelClientOptions(outputChannel: vscode.OutputChannel, served: ServedCells): LanguageClientOptions {
  return {
    // The kernel answers completions and hovers in TypeScript cells from the live values of the
    // notebook's scope (it syncs the cells' text by LSP notebook sync).
    documentSelector: [{ notebook: { notebookType: NOTEBOOK_TYPE }, language: CELL_LANGUAGE }],
    // Notebooks that run on another kernel get nothing from this one.
    middleware: {
      provideCompletionItem: (document, position, context, token, next) =>
        served.hasCell(document) ? next(document, position, context, token) : undefined,
      provideHover: (document, position, token, next) => (served.hasCell(document) ? next(document, position, token) : undefined),
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
