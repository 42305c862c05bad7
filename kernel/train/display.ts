// The live loss curve a cell shows while its job trains: one display, replaced in place (by
// display id) at a bounded rate, built from the job's history. The runtime supplies the sink
// (its display API); nothing here knows about notebooks.

import { RnnLabMime, type LineChartSpec, type LineSeries, type MimeBundle } from '../protocol';
import type { Disposable, TrainingJob } from './job';
import { keepEvenly } from '../plots/decimate';
import { formatMsPerStep } from '../plots/format';
import { withStaticPlot } from '../plots/svg';

export interface DisplaySink {
  /** Shows a new output that later updates with the same id replace. */
  display(data: MimeBundle, displayId: string): void;
  update(data: MimeBundle, displayId: string): void;
}

/**
 * Points per series in a live chart; longer histories keep every k-th point, evenly spaced, as the
 * dashboard's do (the renderer smooths over points: the curve means the same along the whole run).
 */
const MAX_POINTS = 2000;

function series(name: string, points: readonly [number, number][], extra: Partial<LineSeries> = {}): LineSeries {
  const d = keepEvenly(points, MAX_POINTS);
  return { name, x: d.map(([x]) => x), y: d.map(([, y]) => y), ...extra };
}

/** One line of text for the job: what text/plain shows and what a console prints. */
export function jobStatusLine(job: TrainingJob): string {
  const s = job.summary();
  const parts = [`${s.id} ${s.model}: ${s.status}`, `step ${s.step}/${s.totalSteps}`, `epoch ${s.epoch}`];
  if (s.loss !== null) parts.push(`loss ${s.loss.toPrecision(4)}`);
  if (s.valLoss !== null) parts.push(`val ${s.valLoss.toPrecision(4)}`);
  if (s.msPerStep !== undefined && (s.status === 'running' || s.status === 'paused')) parts.push(formatMsPerStep(s.msPerStep));
  return parts.join(', ') + (s.message && s.status !== 'running' ? ` (${s.message})` : '');
}

/** The job's loss curve (train per step, validation per epoch) as a MIME bundle. */
export function lossCurveBundle(job: TrainingJob): MimeBundle {
  const h = job.history;
  const spec: LineChartSpec = {
    kind: 'loss',
    title: `${job.name} (${job.status})`,
    xLabel: 'step',
    yLabel: 'loss',
    smoothing: 0.6,
    series: [series('train', h.loss)],
    job: { id: job.id, uid: job.uid },
  };
  if (h.valLoss.length > 0) spec.series.push(series('validation', h.valLoss, { dash: true, mode: 'lines+markers' }));
  const bundle: MimeBundle = { [RnnLabMime.lines]: spec, 'text/plain': jobStatusLine(job) };
  // The static SVG (for GitHub and viewers without RNN Lab) only once the curve is final: the
  // live updates before it are drawn by the interactive renderer.
  return job.finished ? withStaticPlot(bundle) : bundle;
}

/**
 * Shows the job's loss curve and keeps it current: at most every `intervalMs`, and once more
 * when the job ends. Dispose to stop updating (the display stays).
 */
export function showLiveLossCurve(job: TrainingJob, sink: DisplaySink, options: { intervalMs?: number; displayId?: string } = {}): Disposable {
  const interval = options.intervalMs ?? 250;
  // The uid, not the id: a restarted kernel's job-1 must not update an old cell's curve.
  const displayId = options.displayId ?? `rnn-lab-loss-${job.uid}`;
  sink.display(lossCurveBundle(job), displayId);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  const push = (): void => {
    timer = null;
    last = Date.now();
    sink.update(lossCurveBundle(job), displayId);
  };
  const subscription = job.onEvent(() => {
    if (job.finished) {
      if (timer !== null) clearTimeout(timer);
      push();
      return;
    }
    if (timer !== null) return;
    timer = setTimeout(push, Math.max(0, interval - (Date.now() - last)));
  });
  return {
    dispose: () => {
      subscription.dispose();
      if (timer !== null) clearTimeout(timer);
    },
  };
}
