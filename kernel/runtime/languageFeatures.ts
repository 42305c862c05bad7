// LSP completion and hover for notebook cells, answered from live values (liveValues.ts). Cell
// texts arrive by the usual LSP sync: text documents, or notebook documents (LSP 3.17).
import {
  CompletionItemKind,
  MarkupKind,
  type Connection,
  type Position,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';
import { completionsAt, hoverAt, type MemberKind, type ScopeView } from './liveValues';

const COMPLETION_KIND: Record<MemberKind, CompletionItemKind> = {
  method: CompletionItemKind.Method,
  property: CompletionItemKind.Property,
  field: CompletionItemKind.Field,
  class: CompletionItemKind.Class,
  function: CompletionItemKind.Function,
  variable: CompletionItemKind.Variable,
  module: CompletionItemKind.Module,
};

/** Helpers every cell sees besides its variables (display, plotLoss, …). */
export interface LiveScope {
  scope: ScopeView;
  helperGlobals(): Record<string, unknown>;
}

export function registerLanguageFeatures(connection: Connection, runtime: LiveScope): void {
  const texts = new Map<string, string>();
  const open = (uri: string, text: string) => texts.set(uri, text);
  const change = (uri: string, changes: TextDocumentContentChangeEvent[]) => {
    let text = texts.get(uri) ?? '';
    for (const c of changes) text = 'range' in c ? replaceRange(text, c.range.start, c.range.end, c.text) : c.text;
    texts.set(uri, text);
  };

  connection.onDidOpenTextDocument(({ textDocument }) => open(textDocument.uri, textDocument.text));
  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => change(textDocument.uri, contentChanges));
  connection.onDidCloseTextDocument(({ textDocument }) => texts.delete(textDocument.uri));

  const notebooks = connection.notebooks.synchronization;
  notebooks.onDidOpenNotebookDocument(({ cellTextDocuments }) => cellTextDocuments.forEach((d) => open(d.uri, d.text)));
  notebooks.onDidChangeNotebookDocument(({ change: c }) => {
    c.cells?.structure?.didOpen?.forEach((d) => open(d.uri, d.text));
    c.cells?.structure?.didClose?.forEach((d) => texts.delete(d.uri));
    c.cells?.textContent?.forEach(({ document, changes }) => change(document.uri, changes));
  });
  notebooks.onDidCloseNotebookDocument(({ cellTextDocuments }) => cellTextDocuments.forEach((d) => texts.delete(d.uri)));

  connection.onCompletion(({ textDocument, position }) => {
    const text = texts.get(textDocument.uri);
    if (text === undefined) return [];
    return completionsAt(text, offsetAt(text, position), runtime.scope, runtime.helperGlobals()).map((c) => ({
      label: c.name,
      kind: COMPLETION_KIND[c.kind],
      detail: c.detail,
      // Private-looking members last.
      sortText: `${c.name.startsWith('_') ? '1' : '0'}${c.name}`,
    }));
  });

  connection.onHover(({ textDocument, position }) => {
    const text = texts.get(textDocument.uri);
    if (text === undefined) return null;
    const hover = hoverAt(text, offsetAt(text, position), runtime.scope, runtime.helperGlobals());
    if (!hover) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: hover.contents },
      range: { start: positionAt(text, hover.start), end: positionAt(text, hover.end) },
    };
  });
}

function replaceRange(text: string, start: Position, end: Position, insert: string): string {
  return text.slice(0, offsetAt(text, start)) + insert + text.slice(offsetAt(text, end));
}

/** LSP positions count UTF-16 code units, as JavaScript strings do. */
export function offsetAt(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  return Math.min(offset + position.character, lineEnd < 0 ? text.length : lineEnd);
}

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}
