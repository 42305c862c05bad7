// Which notebook the views follow, and which notebook a command means. Pure (no 'vscode'), so it is
// unit-tested.
//
// The inspector, the dashboard and the status bar show the kernel of the notebook last active in
// the editor: VS Code reports no active notebook editor while the focus is in a webview (the
// dashboard), the sidebar or a text editor, and the views then keep the notebook they showed,
// until it closes (then one still in view, else none).

/**
 * The notebook to follow after a change: the active one when there is one, else the one followed
 * so far while it is still open, else the first one still in view.
 */
export function followedNotebook<T>(previous: T | undefined, active: T | undefined, isOpen: (notebook: T) => boolean, visible: readonly T[]): T | undefined {
  if (active !== undefined) return active;
  if (previous !== undefined && isOpen(previous)) return previous;
  return visible.find(isOpen);
}

interface UriLike {
  scheme: string;
  path: string;
  toString(): string;
}

function isUriLike(value: unknown): value is UriLike {
  return typeof value === 'object' && value !== null && typeof (value as UriLike).scheme === 'string' && typeof (value as UriLike).path === 'string';
}

/**
 * The notebook a command was invoked for, as its URI string, from the argument VS Code passes:
 * a Uri (a script, a test), a NotebookDocument or NotebookEditor (`{ uri }` / `{ notebook }`), or
 * the notebook toolbar's context (`{ notebookEditor: { notebookUri } }`). Undefined: the command
 * means the notebook the views follow.
 */
export function notebookUriOf(argument: unknown): string | undefined {
  if (isUriLike(argument)) return argument.toString();
  if (typeof argument !== 'object' || argument === null) return undefined;
  const a = argument as { uri?: unknown; notebook?: { uri?: unknown }; notebookEditor?: { notebookUri?: unknown; notebook?: { uri?: unknown } } };
  for (const candidate of [a.notebookEditor?.notebookUri, a.notebookEditor?.notebook?.uri, a.notebook?.uri, a.uri]) {
    if (isUriLike(candidate)) return candidate.toString();
  }
  return undefined;
}
