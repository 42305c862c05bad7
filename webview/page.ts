// What every webview page script starts with: its elements by id, and the way to the extension.

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

/** The page's element with this id; a missing one is a bug in the page's HTML (extension/*.ts). */
export function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`${document.title}: #${id} missing`);
  return e as T;
}

/** Posts messages to the extension (VS Code allows one acquireVsCodeApi() call per page). */
export function connectToExtension<Out>(): { postMessage(message: Out): void } {
  return acquireVsCodeApi();
}
