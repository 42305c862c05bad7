// The parameter view of the model inspector: the selected parameter as a heatmap and a histogram.
// The extension sends the parameter again whenever its model changes (a cell ran, a training job
// reported progress or ended), so the plots follow the values as the tree does; when the parameter
// is gone (its kernel restarted, its model replaced) the plots give way to the reason.

import { formatNumber, formatShape } from './format';
import type { ParameterInbound, ParameterOutbound, ParameterData } from './messages';
import { parameterHeatmapSpec, parameterHistogramSpec } from './parameterSpecs';
import { PlotView } from './plotView';
import { byId, connectToExtension } from './page';
import { currentTheme, watchTheme, type PlotTheme } from './theme';

const vscode = connectToExtension<ParameterOutbound>();

const title = byId<HTMLElement>('title');
const stats = byId<HTMLElement>('stats');
const message = byId<HTMLDivElement>('message');
const heatmap = new PlotView(byId('heatmap-plot'), 420);
const histogramPlot = new PlotView(byId('histogram-plot'), 320);
const boxes = [heatmap, histogramPlot].map((p) => p.element.parentElement).filter((e): e is HTMLElement => e !== null);
let theme: PlotTheme = currentTheme();
let shown: ParameterData | undefined;
/** When the values shown were read. */
let readAt = '';

function render(): void {
  for (const box of boxes) box.classList.toggle('waiting', !shown);
  if (!shown) return;
  const { model, parameter: p, shape, values, gates } = shown;
  const name = `${model}.${p.name}`;
  title.textContent = `${name} ${formatShape(shape)}`;
  stats.textContent = `mean ${formatNumber(p.mean)} · std ${formatNumber(p.std)} · min ${formatNumber(p.min)} · max ${formatNumber(p.max)} · ‖grad‖ ${formatNumber(p.gradNorm)}`;
  message.textContent = `Read at ${readAt}; read again after each cell of the notebook and during training.`;
  void heatmap.draw(parameterHeatmapSpec(name, shape, values, gates), theme);
  void histogramPlot.draw(parameterHistogramSpec(name, values), theme);
}

window.addEventListener('message', (event: MessageEvent<ParameterInbound>) => {
  const msg = event.data;
  if (msg.type === 'parameter') {
    shown = msg.data;
    readAt = new Date().toLocaleTimeString();
    render();
  } else if (msg.type === 'error') {
    // Old values under a message saying they are gone would read as current: they go.
    shown = undefined;
    stats.textContent = '';
    render();
    message.textContent = msg.message;
  }
});
watchTheme((next) => {
  theme = next;
  render();
});
vscode.postMessage({ type: 'ready' });
