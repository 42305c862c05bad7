// The parameter view of the model inspector: the selected parameter as a heatmap and a histogram.

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
let theme: PlotTheme = currentTheme();
let shown: ParameterData | undefined;

function render(): void {
  if (!shown) return;
  const { model, parameter: p, shape, values } = shown;
  const name = `${model}.${p.name}`;
  title.textContent = `${name} ${formatShape(shape)}`;
  stats.textContent = `mean ${formatNumber(p.mean)} · std ${formatNumber(p.std)} · min ${formatNumber(p.min)} · max ${formatNumber(p.max)} · ‖grad‖ ${formatNumber(p.gradNorm)}`;
  message.textContent = '';
  void heatmap.draw(parameterHeatmapSpec(name, shape, values), theme);
  void histogramPlot.draw(parameterHistogramSpec(name, values), theme);
}

window.addEventListener('message', (event: MessageEvent<ParameterInbound>) => {
  const msg = event.data;
  if (msg.type === 'parameter') {
    shown = msg.data;
    render();
  } else if (msg.type === 'error') {
    message.textContent = msg.message;
  }
});
watchTheme((next) => {
  theme = next;
  render();
});
vscode.postMessage({ type: 'ready' });
