// The training dashboard webview: follows one job live (loss, ‖∂L/∂h_t‖ per time step and its
// evolution over training, the probe sequence's hidden states, progress) and can stop it.
// Talks to the extension only through postMessage (see messages.ts).

import type { JobStatus } from '../kernel/protocol';
import { gradNormEvolutionSpec, gradNormSeriesNames, gradNormSpec, lossSpec, probePlaceholder, probeSpec, progressFraction, progressText } from './dashboardSpecs';
import { JobHistoryStore, type JobHistory } from './jobHistory';
import type { DashboardInbound, DashboardOutbound } from './messages';
import { PlotView, type PlotSpec } from './plotView';
import { byId, connectToExtension } from './page';
import { currentTheme, watchTheme, type PlotTheme } from './theme';

const vscode = connectToExtension<DashboardOutbound>();

const REDRAW_MS = 250;

const store = new JobHistoryStore();
let focused: string | undefined;
let theme: PlotTheme = currentTheme();

const jobSelect = byId<HTMLSelectElement>('job');
const statusBadge = byId<HTMLSpanElement>('status');
const progressBar = byId<HTMLProgressElement>('progress');
const progressLabel = byId<HTMLSpanElement>('progress-text');
const stopButton = byId<HTMLButtonElement>('stop');
const message = byId<HTMLDivElement>('message');
const empty = byId<HTMLDivElement>('empty');
const charts = byId<HTMLDivElement>('charts');
const gradLayer = byId<HTMLSelectElement>('grad-layer');
const probeLayer = byId<HTMLSelectElement>('probe-layer');
const lossLog = byId<HTMLInputElement>('loss-log');
/** The person's choice of the loss axis; undefined: automatic (log once the loss spans decades). */
let lossLogChoice: boolean | undefined;
/** Jobs whose Stop was clicked: the button stays disabled until they report the end. */
const stopsAsked = new Set<string>();

const plots = {
  loss: new PlotView(byId('loss-plot'), 300),
  gradNorm: new PlotView(byId('gradnorm-plot'), 300),
  gradEvolution: new PlotView(byId('gradevo-plot'), 320),
  probe: new PlotView(byId('probe-plot'), 320),
};
/** The spec each plot last drew, to skip redraws when nothing changed. */
const drawnSpecs = new Map<PlotView, string>();

function draw(plot: PlotView, spec: PlotSpec | undefined, placeholder: string): void {
  const box = plot.element.parentElement;
  box?.classList.toggle('waiting', !spec);
  box?.setAttribute('data-placeholder', placeholder);
  if (!spec) return;
  const key = JSON.stringify(spec) + theme.kind + theme.foreground;
  if (drawnSpecs.get(plot) === key) return;
  drawnSpecs.set(plot, key);
  void plot.draw(spec, theme);
}

function setOptions(select: HTMLSelectElement, names: string[]): void {
  const current = select.value;
  if ([...select.options].map((o) => o.value).join('\n') === names.join('\n')) return;
  select.replaceChildren(...names.map((n) => new Option(n, n)));
  if (names.includes(current)) select.value = current;
  select.hidden = names.length < 2;
}

const RUNNING: JobStatus[] = ['running', 'paused'];

function renderHeader(h: JobHistory | undefined): void {
  const jobs = store.all();
  // Several jobs may train the same model: the job id tells them apart.
  const label = (j: JobHistory): string => (j.job.model ? `${j.job.model} · ${j.job.id} (${j.job.status})` : `${j.job.id} (${j.job.status})`);
  const options = jobs.map((j) => `${j.job.id}\u0000${label(j)}`);
  if ([...jobSelect.options].map((o) => `${o.value}\u0000${o.text}`).join('\n') !== options.join('\n')) {
    jobSelect.replaceChildren(...jobs.map((j) => new Option(label(j), j.job.id)));
  }
  if (focused) jobSelect.value = focused;
  jobSelect.hidden = jobs.length < 2;
  empty.hidden = jobs.length > 0;
  charts.hidden = jobs.length === 0;
  if (!h) return;
  statusBadge.textContent = h.job.status;
  statusBadge.className = `status ${h.job.status}`;
  progressBar.value = progressFraction(h);
  progressLabel.textContent = progressText(h);
  // Only a running job can be stopped: the button is not shown for finished ones.
  stopButton.hidden = !RUNNING.includes(h.job.status);
  stopButton.disabled = stopsAsked.has(h.job.id);
  message.textContent = h.job.message ?? '';
}

function render(): void {
  const h = focused ? store.get(focused) : undefined;
  renderHeader(h);
  if (!h) return;
  const loss = h.loss.length ? lossSpec(h, lossLogChoice) : undefined;
  lossLog.checked = loss?.logY ?? false;
  draw(plots.loss, loss, 'Waiting for the first loss…');
  draw(plots.gradNorm, gradNormSpec(h), 'No gradient norms per time step yet.');
  const names = gradNormSeriesNames(h);
  setOptions(gradLayer, names);
  draw(plots.gradEvolution, names.length ? gradNormEvolutionSpec(h, gradLayer.value || names[0]) : undefined, 'No gradient norms per time step yet.');
  setOptions(probeLayer, h.probe?.hidden.map((x) => x.name) ?? []);
  draw(plots.probe, probeSpec(h, probeLayer.value || undefined), probePlaceholder(h));
}

let redrawTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleRender(): void {
  redrawTimer ??= setTimeout(() => {
    redrawTimer = undefined;
    render();
  }, REDRAW_MS);
}

window.addEventListener('message', (event: MessageEvent<DashboardInbound>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'reset':
      store.replaceAll(msg.jobs);
      focused = msg.focus ?? store.latest()?.job.id;
      drawnSpecs.clear();
      render();
      break;
    case 'event': {
      const isNew = !store.has(msg.event.job.id);
      store.apply(msg.event);
      // A new job takes the view when the one shown has finished.
      const shown = focused ? store.get(focused) : undefined;
      if (!focused || (isNew && (!shown || !RUNNING.includes(shown.job.status)))) focused = msg.event.job.id;
      scheduleRender();
      break;
    }
    case 'focus':
      focused = msg.jobId;
      render();
      break;
  }
});

jobSelect.addEventListener('change', () => {
  focused = jobSelect.value;
  render();
});
gradLayer.addEventListener('change', render);
lossLog.addEventListener('change', () => {
  lossLogChoice = lossLog.checked;
  render();
});
probeLayer.addEventListener('change', render);
stopButton.addEventListener('click', () => {
  if (!focused) return;
  stopsAsked.add(focused);
  stopButton.disabled = true;
  vscode.postMessage({ type: 'stop', jobId: focused });
});
watchTheme((next) => {
  theme = next;
  render();
});

render();
vscode.postMessage({ type: 'ready' });
