// A TypeScript server plugin (package.json "contributes.typescriptServerPlugins"): in the cells of
// the notebooks whose RNN Lab kernel is running, VS Code's built-in TypeScript gives no
// completions, hovers, signature help or diagnostics, so that the kernel's language server, which
// checks the cells as one program against 'rnn-lab' (kernel/runtime/languageService/), is the
// only one answering there. The built-in service sees each cell alone: it would add `any` hovers,
// a thousand global names inside an options object, "declared but never read" on names later
// cells use, and a second copy of every syntax error.
//
// The extension tells it which notebooks (configurePlugin of VS Code's TypeScript extension API):
//   { notebooks: ['/path/to/notebook.ipynb', …] }   (the notebooks' URI paths)
// Elsewhere, and for notebooks whose kernel is not running, it changes nothing. Plain CommonJS:
// tsserver loads it from the extension's node_modules as it is.
'use strict';

const CELL_PREFIX = '^/vscode-notebook-cell/';

/**
 * The notebook path of a cell as VS Code's TypeScript names it for tsserver:
 * ^/vscode-notebook-cell/<authority>/<path>#<fragment>, the path as vscode.Uri.path has it.
 */
function notebookPathOf(fileName) {
  if (!fileName.startsWith(CELL_PREFIX)) return undefined;
  const rest = fileName.slice(CELL_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const hash = rest.indexOf('#', slash);
  return rest.slice(slash, hash < 0 ? undefined : hash);
}

function init() {
  /** Notebook paths the RNN Lab kernel answers for. */
  let notebooks = new Set();
  const quiet = (fileName) => {
    const notebook = notebooks.size > 0 && notebookPathOf(fileName);
    return !!notebook && notebooks.has(notebook);
  };

  return {
    create(info) {
      const service = info.languageService;
      const proxy = Object.create(null);
      for (const key of Object.keys(service)) {
        const member = service[key];
        proxy[key] = typeof member === 'function' ? (...args) => member.apply(service, args) : member;
      }
      const none = (method, empty) => {
        proxy[method] = (fileName, ...rest) => (quiet(fileName) ? empty() : service[method](fileName, ...rest));
      };
      none('getCompletionsAtPosition', () => undefined);
      none('getCompletionEntryDetails', () => undefined);
      none('getQuickInfoAtPosition', () => undefined);
      none('getSignatureHelpItems', () => undefined);
      none('getSyntacticDiagnostics', () => []);
      none('getSemanticDiagnostics', () => []);
      none('getSuggestionDiagnostics', () => []);
      info.project.projectService.logger.info('rnn-lab-tsserver-plugin: loaded');
      return proxy;
    },
    onConfigurationChanged(config) {
      notebooks = new Set(Array.isArray(config && config.notebooks) ? config.notebooks.map(String) : []);
    },
  };
}

module.exports = init;
module.exports.notebookPathOf = notebookPathOf;
