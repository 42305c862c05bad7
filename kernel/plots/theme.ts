// The VS Code theme as plot colours, computed from what the host gives: VS Code puts its theme
// into every webview (notebook outputs, panels) as CSS variables (--vscode-editor-foreground,
// --vscode-charts-blue, ...) and a body class (vscode-light, vscode-dark, vscode-high-contrast,
// vscode-high-contrast-light). Pure: webview/theme.ts reads them from the page.

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface PlotTheme {
  kind: ThemeKind;
  /** Text and axis lines. */
  foreground: string;
  /** Plot and paper background ('transparent' lets the editor show through). */
  background: string;
  /** Grid lines. */
  grid: string;
  fontFamily: string;
  fontSize: number;
  /** Colours for successive series. */
  colorway: string[];
}

/** Reads one CSS variable; `fallback` when the host did not set it. */
export type CssVariableReader = (name: string) => string;

function themeKindFromClasses(classes: string): ThemeKind {
  if (classes.includes('vscode-high-contrast-light')) return 'high-contrast-light';
  if (classes.includes('vscode-high-contrast')) return 'high-contrast';
  if (classes.includes('vscode-dark')) return 'dark';
  return 'light';
}

const FALLBACK: Record<ThemeKind, { fg: string; bg: string; grid: string }> = {
  light: { fg: '#3b3b3b', bg: '#ffffff', grid: 'rgba(0,0,0,0.1)' },
  dark: { fg: '#cccccc', bg: '#1f1f1f', grid: 'rgba(255,255,255,0.12)' },
  'high-contrast': { fg: '#ffffff', bg: '#000000', grid: 'rgba(255,255,255,0.45)' },
  'high-contrast-light': { fg: '#292929', bg: '#ffffff', grid: 'rgba(0,0,0,0.45)' },
};

const CHART_VARIABLES = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-red', '--vscode-charts-purple', '--vscode-charts-yellow'];
/** VS Code's chart colours (the values of CHART_VARIABLES in its default themes), for series in order. */
export const CHART_COLORS: readonly string[] = ['#3794ff', '#d18616', '#388a34', '#f14c4c', '#b180d7', '#cca700'];

/** The theme from the body's classes and CSS variables. Pure given its inputs (unit-tested). */
export function themeFrom(bodyClasses: string, read: CssVariableReader): PlotTheme {
  const kind = themeKindFromClasses(bodyClasses);
  const fb = FALLBACK[kind];
  const v = (name: string, fallback: string): string => read(name).trim() || fallback;
  const highContrast = kind === 'high-contrast' || kind === 'high-contrast-light';
  const fontSize = Number.parseFloat(read('--vscode-font-size')) || 13;
  return {
    kind,
    foreground: v('--vscode-editor-foreground', v('--vscode-foreground', fb.fg)),
    background: v('--vscode-editor-background', fb.bg),
    grid: highContrast ? v('--vscode-contrastBorder', fb.grid) : v('--vscode-charts-lines', fb.grid),
    fontFamily: v('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: Math.max(10, Math.min(16, fontSize - 1)),
    colorway: CHART_VARIABLES.map((name, i) => v(name, CHART_COLORS[i])),
  };
}
