// HTML documents for RNN Lab's webviews, under a strict Content-Security-Policy: no remote loads,
// scripts only with the page's nonce, everything else only from the extension's dist/ folder.
// Pure (no 'vscode' import) so the policy is unit-tested.

/** 18 random bytes in base64 (Web Crypto: the Node extension host and the web worker one both have it). */
export function makeNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))));
}

export interface WebviewDocumentOptions {
  /** webview.cspSource: the origin VS Code serves localResourceRoots from. */
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri of the page's script in dist/. */
  scriptUri: string;
  title: string;
  body: string;
  css: string;
}

/**
 * Styles allow 'unsafe-inline': plotly sets style attributes on the SVG it builds and adds its own
 * stylesheet at run time. Scripts, which is what the policy must keep out, need the nonce.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function webviewDocument(o: WebviewDocumentOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.cspSource, o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>
<style>${o.css}</style>
</head>
<body>
${o.body}
<script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}

/** Styles shared by the dashboard and the parameter view; colours from VS Code's theme variables. */
export const BASE_CSS = `
[hidden] { display: none !important; }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 8px 16px; }
header { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-bottom: 8px; }
h2 { font-size: 1em; font-weight: 600; margin: 12px 0 4px; display: flex; gap: 8px; align-items: center; }
select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px 4px; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: 1px solid var(--vscode-button-border, var(--vscode-contrastBorder, transparent)); padding: 4px 12px; cursor: pointer; }
button:hover:not(:disabled) { background: var(--vscode-button-hoverBackground); }
button:disabled { opacity: 0.5; cursor: default; }
progress { width: 180px; accent-color: var(--vscode-progressBar-background); }
.status { padding: 1px 8px; border-radius: 8px; border: 1px solid var(--vscode-contrastBorder, transparent); background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.status.failed { background: var(--vscode-inputValidation-errorBackground, #5a1d1d); }
#message { color: var(--vscode-descriptionForeground); min-height: 1em; }
.muted { color: var(--vscode-descriptionForeground); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 8px 24px; }
.plot-box.waiting > .rnn-lab-plot { display: none; }
.plot-box.waiting::after { content: attr(data-placeholder); color: var(--vscode-descriptionForeground); display: block; padding: 24px 0; }
code { font-family: var(--vscode-editor-font-family); }
label.control { font-weight: normal; color: var(--vscode-descriptionForeground); display: inline-flex; gap: 4px; align-items: center; margin-left: auto; }
label.control input { margin: 0; accent-color: var(--vscode-checkbox-background); }
`;
