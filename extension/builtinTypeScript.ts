// VS Code's built-in TypeScript checks every notebook cell as a file of its own: in RNN Lab cells
// it hovers `any`, offers a thousand global names inside fit()'s options, marks names that later
// cells use as "declared but never read" and reports each syntax error a second time. In the
// cells of a notebook whose RNN Lab kernel runs, the kernel's language server answers instead (it
// checks the cells as one program against 'rnn-lab'); this tells our tsserver plugin
// (extension/tsserver-plugin/, package.json "typescriptServerPlugins") which notebooks those are,
// through the configurePlugin API of VS Code's TypeScript extension. Before the kernel starts,
// and in other notebooks, the built-in TypeScript answers as usual.

import * as vscode from 'vscode';

export const TSSERVER_PLUGIN = 'rnn-lab-tsserver-plugin';
const TYPESCRIPT_EXTENSION = 'vscode.typescript-language-features';

interface TypeScriptApi {
  configurePlugin(pluginId: string, configuration: unknown): void;
}

/**
 * Keeps the plugin's list equal to `notebooks()` (the notebooks whose RNN Lab kernel is running),
 * re-read on each of `changes`.
 */
export function quietBuiltInTypeScript(notebooks: () => readonly vscode.NotebookDocument[], changes: readonly vscode.Event<unknown>[]): vscode.Disposable {
  let api: Promise<TypeScriptApi | undefined> | undefined;
  let sent = '[]';
  const update = async (): Promise<void> => {
    const paths = [...new Set(notebooks().map((nb) => nb.uri.path))].sort();
    const key = JSON.stringify(paths);
    if (key === sent) return;
    api ??= typeScriptApi();
    const ts = await api;
    if (!ts) return;
    sent = key;
    ts.configurePlugin(TSSERVER_PLUGIN, { notebooks: paths });
    // The diagnostics it already reported on those cells stay until it checks them again.
    await vscode.commands.executeCommand('typescript.reloadProjects').then(undefined, () => undefined);
  };
  const subscriptions = changes.map((event) => event(() => void update()));
  void update();
  return vscode.Disposable.from(...subscriptions);
}

async function typeScriptApi(): Promise<TypeScriptApi | undefined> {
  const extension = vscode.extensions.getExtension<{ getAPI?(version: 0): TypeScriptApi | undefined }>(TYPESCRIPT_EXTENSION);
  if (!extension) return undefined; // disabled: nothing to quiet
  try {
    const exports = extension.isActive ? extension.exports : await extension.activate();
    return exports?.getAPI?.(0);
  } catch {
    return undefined;
  }
}
