// The current VS Code theme of a webview page as plot colours (the page's side of
// kernel/plots/theme.ts, which turns classes and CSS variables into a PlotTheme).
import { themeFrom, type PlotTheme } from '../kernel/plots/theme';

export { CHART_COLORS, themeFrom, type PlotTheme, type ThemeKind, type CssVariableReader } from '../kernel/plots/theme';

/** The current theme of this webview. */
export function currentTheme(doc: Document = document): PlotTheme {
  const style = getComputedStyle(doc.documentElement);
  const bodyStyle = getComputedStyle(doc.body);
  return themeFrom(doc.body.className, (name) => bodyStyle.getPropertyValue(name) || style.getPropertyValue(name));
}

/** Calls `onChange` when VS Code switches theme (it rewrites the body class and style). */
export function watchTheme(onChange: (theme: PlotTheme) => void, doc: Document = document): () => void {
  let last = JSON.stringify(currentTheme(doc));
  const observer = new MutationObserver(() => {
    const theme = currentTheme(doc);
    const key = JSON.stringify(theme);
    if (key === last) return;
    last = key;
    onChange(theme);
  });
  observer.observe(doc.body, { attributes: true, attributeFilter: ['class', 'style'] });
  observer.observe(doc.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}
