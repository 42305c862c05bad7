// LSP language features for notebook cells. Cell texts arrive by the usual LSP sync: text
// documents, or notebook documents (LSP 3.17).
//
// Two sources answer, merged:
//   - TypeScript (languageService/): in the cells of RNN Lab notebooks, the cells type-checked as
//     one program in cell order against 'rnn-lab' and the cells' globals: diagnostics (pushed per
//     cell), completions with documentation, signature help, and the declaration on hover;
//   - the live values of the notebook's scope (liveValues.ts): a completion's detail and a hover's
//     value part (a tensor's shape, a model's layers), and everything in cells TypeScript does
//     not know (other notebooks, a receiver whose type is `any`).
import {
  CompletionItemKind,
  MarkupKind,
  type CompletionItem,
  type Connection,
  type ServerCapabilities,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver';
import { completionContext, completionsAt, hoverAt, type LiveCompletion, type MemberKind, type ScopeView } from './liveValues';
import { NotebookTypeChecking } from './languageService/index';
import { offsetAt, positionAt } from './languageService/positions';
import { host } from '../host/index';

export { offsetAt } from './languageService/positions';

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
  /** The folder of the notebook that ran last (for notebooks that are not files). */
  readonly notebookFolder?: string;
  /** A cell is running: type checking waits longer before it takes the thread. */
  readonly isRunning?: boolean;
}

/** The server capabilities these features need (server.ts puts them in its initialize result). */
export const LANGUAGE_FEATURE_CAPABILITIES: Pick<ServerCapabilities, 'completionProvider' | 'hoverProvider' | 'signatureHelpProvider'> = {
  // As VS Code's TypeScript support, without those for JSX and JSDoc.
  completionProvider: { triggerCharacters: ['.', '"', "'", '`', '/'], resolveProvider: true },
  hoverProvider: true,
  signatureHelpProvider: { triggerCharacters: ['(', ',', '<'], retriggerCharacters: [')'] },
};

export function registerLanguageFeatures(connection: Connection, runtime: LiveScope): NotebookTypeChecking {
  const texts = new Map<string, string>();
  const checking = new NotebookTypeChecking({
    text: (uri) => texts.get(uri),
    publishDiagnostics: (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
    defaultFolder: () => runtime.notebookFolder ?? host().process.cwd(),
    busy: () => runtime.isRunning === true,
  });
  const open = (uri: string, text: string) => texts.set(uri, text);
  const change = (uri: string, changes: TextDocumentContentChangeEvent[]) => {
    let text = texts.get(uri) ?? '';
    for (const c of changes) text = 'range' in c ? text.slice(0, offsetAt(text, c.range.start)) + c.text + text.slice(offsetAt(text, c.range.end)) : c.text;
    texts.set(uri, text);
    checking.cellChanged(uri);
  };

  connection.onDidOpenTextDocument(({ textDocument }) => open(textDocument.uri, textDocument.text));
  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => change(textDocument.uri, contentChanges));
  connection.onDidCloseTextDocument(({ textDocument }) => texts.delete(textDocument.uri));

  // Notebooks: their cells in order (code cells of the selector's language) and their metadata.
  const notebookCells = new Map<string, { cells: string[]; metadata: unknown }>();
  const sync = connection.notebooks.synchronization;
  sync.onDidOpenNotebookDocument(({ notebookDocument, cellTextDocuments }) => {
    cellTextDocuments.forEach((d) => open(d.uri, d.text));
    const cells = notebookDocument.cells.map((c) => c.document);
    notebookCells.set(notebookDocument.uri, { cells, metadata: notebookDocument.metadata });
    checking.setNotebook(notebookDocument.uri, cells, notebookDocument.metadata);
  });
  sync.onDidChangeNotebookDocument(({ notebookDocument, change: c }) => {
    const notebook = notebookCells.get(notebookDocument.uri) ?? { cells: [], metadata: undefined };
    c.cells?.structure?.didOpen?.forEach((d) => open(d.uri, d.text));
    c.cells?.structure?.didClose?.forEach((d) => texts.delete(d.uri));
    const array = c.cells?.structure?.array;
    if (array) notebook.cells.splice(array.start, array.deleteCount, ...(array.cells ?? []).map((cell) => cell.document));
    if (c.metadata !== undefined) notebook.metadata = c.metadata;
    notebookCells.set(notebookDocument.uri, notebook);
    c.cells?.textContent?.forEach(({ document, changes }) => change(document.uri, changes));
    checking.setNotebook(notebookDocument.uri, notebook.cells, notebook.metadata);
  });
  sync.onDidCloseNotebookDocument(({ notebookDocument, cellTextDocuments }) => {
    cellTextDocuments.forEach((d) => texts.delete(d.uri));
    notebookCells.delete(notebookDocument.uri);
    checking.closeNotebook(notebookDocument.uri);
  });

  connection.onCompletion(({ textDocument, position, context }) => {
    const text = texts.get(textDocument.uri);
    if (text === undefined) return [];
    const offset = offsetAt(text, position);
    const live = completionsAt(text, offset, runtime.scope, runtime.helperGlobals());
    const typed = checking.completions(textDocument.uri, position, context?.triggerCharacter);
    // TypeScript knows the members (public ones only) and the names in scope; the live value adds
    // what it is now (when both speak of the same thing: members of `a.b.`, or names in scope, not
    // the properties of an object literal). A receiver TypeScript types as `any` gets the live
    // object's members.
    if (typed && (typed.items.length > 0 || !typed.isMemberCompletion)) {
      const sameThing = typed.isMemberCompletion === (completionContext(text, offset) === 'member');
      const details = new Map(sameThing ? live.map((c) => [c.name, c.detail]) : []);
      for (const item of typed.items) {
        const detail = details.get((item.data as { name?: string } | undefined)?.name ?? item.label);
        if (detail !== undefined) item.detail = detail;
      }
      return { isIncomplete: typed.isIncomplete, items: typed.items };
    }
    // Live values know names and members only: nothing inside a string or a path.
    if (context?.triggerCharacter !== undefined && context.triggerCharacter !== '.') return [];
    return live.filter((c) => !typed || !c.name.startsWith('_')).map(liveItem);
  });
  connection.onCompletionResolve((item) => checking.resolveCompletion(item));

  connection.onSignatureHelp(({ textDocument, position, context }) => checking.signatureHelp(textDocument.uri, position, context));

  connection.onHover(({ textDocument, position }) => {
    const text = texts.get(textDocument.uri);
    if (text === undefined) return null;
    const typed = checking.hover(textDocument.uri, position);
    const live = hoverAt(text, offsetAt(text, position), runtime.scope, runtime.helperGlobals());
    if (!typed && !live) return null;
    const parts: string[] = [];
    if (typed) parts.push(`\`\`\`ts\n${typed.signature}\n\`\`\``, ...(typed.documentation ? [typed.documentation] : []));
    if (live) parts.push(typed ? `---\n\n${live.contents}` : live.contents);
    return {
      contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n') },
      range: typed?.range ?? { start: positionAt(text, live!.start), end: positionAt(text, live!.end) },
    };
  });

  return checking;
}

function liveItem(c: LiveCompletion): CompletionItem {
  return {
    label: c.name,
    kind: COMPLETION_KIND[c.kind],
    detail: c.detail,
    // Private-looking members last.
    sortText: `${c.name.startsWith('_') ? '1' : '0'}${c.name}`,
  };
}
