// The dashboard's charts as plot specs (the same spec types the kernel sends to notebooks), built
// from a job's history. Pure, so the charts' content is unit-tested without a browser.

import type { HeatmapSpec, LineChartSpec } from '../kernel/protocol';
import { formatMsPerStep } from '../kernel/plots/format';
import type { JobHistory } from './jobHistory';

/**
 * The loss curves. The section's heading already says "Loss", so the chart has no title. `logY`
 * undefined: a log axis once the losses span two decades or more (else the tail is a flat line).
 */
export function lossSpec(h: JobHistory, logY?: boolean): LineChartSpec {
  const series: LineChartSpec['series'] = [
    { name: 'train', x: h.loss.map((p) => p[0]), y: h.loss.map((p) => p[1]) },
  ];
  if (h.valLoss.length) {
    series.push({ name: 'validation', x: h.valLoss.map((p) => p[0]), y: h.valLoss.map((p) => p[1]), dash: true, mode: 'lines+markers' });
  }
  return { kind: 'loss', xLabel: 'training step', yLabel: 'loss', smoothing: 0.6, logY: logY ?? lossSpansDecades(h), series };
}

/** True when the positive losses span two decades or more. */
export function lossSpansDecades(h: JobHistory, decades = 2): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const points of [h.loss, h.valLoss]) {
    for (const [, v] of points) {
      if (!(v > 0) || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return hi > lo && Math.log10(hi / lo) >= decades;
}

/** What the probe heatmap's place says while there is none. */
export function probePlaceholder(h: JobHistory): string {
  const how = 'fit(model, data, { probe: { x } }) shows the hidden states of the sequence x here.';
  return h.job.status === 'running' || h.job.status === 'paused' ? `No probe sequence yet. ${how}` : `This job had no probe sequence. ${how}`;
}

/** ‖∂L/∂h_t‖ against t at the latest reported step, one line per layer/direction. */
export function gradNormSpec(h: JobHistory): LineChartSpec | undefined {
  const latest = h.lastGradNorm ?? h.gradNormPerStep[h.gradNormPerStep.length - 1];
  if (!latest) return undefined;
  return {
    kind: 'gradnorm',
    title: `‖∂L/∂h_t‖ at step ${latest.step}`,
    xLabel: 'time step t',
    yLabel: '‖∂L/∂h_t‖',
    logY: true,
    series: latest.series.map((s) => ({ name: s.name, x: s.norms.map((_, t) => t), y: s.norms })),
  };
}

/** Names of the layers/directions that have gradient norms, in the kernel's order. */
export function gradNormSeriesNames(h: JobHistory): string[] {
  const names: string[] = [];
  for (const snap of h.gradNormPerStep) for (const s of snap.series) if (!names.includes(s.name)) names.push(s.name);
  return names;
}

/**
 * How ‖∂L/∂h_t‖ of one layer evolves over training: rows are training steps, columns time steps,
 * values log10 (norms span orders of magnitude when gradients vanish or explode).
 */
export function gradNormEvolutionSpec(h: JobHistory, seriesName: string): HeatmapSpec | undefined {
  const rows: { step: number; norms: number[] }[] = [];
  for (const snap of h.gradNormPerStep) {
    const s = snap.series.find((x) => x.name === seriesName);
    if (s) rows.push({ step: snap.step, norms: s.norms });
  }
  if (!rows.length) return undefined;
  const width = Math.max(...rows.map((r) => r.norms.length));
  const z = rows.map((r) => Array.from({ length: width }, (_, t) => log10OrNaN(r.norms[t])));
  return {
    kind: 'heatmap',
    title: `log₁₀ ‖∂L/∂h_t‖ over training (${seriesName})`,
    z,
    xLabels: Array.from({ length: width }, (_, t) => String(t)),
    yLabels: rows.map((r) => String(r.step)),
    xLabel: 'time step t',
    yLabel: 'training step',
    scale: 'sequential',
  };
}

function log10OrNaN(v: number | undefined): number {
  return v !== undefined && v > 0 && Number.isFinite(v) ? Math.log10(v) : Number.NaN;
}

/** The probe sequence's hidden states (units × time) for one layer/direction. */
export function probeSpec(h: JobHistory, layerName?: string): HeatmapSpec | undefined {
  const probe = h.probe;
  if (!probe || !probe.hidden.length) return undefined;
  const layer = probe.hidden.find((x) => x.name === layerName) ?? probe.hidden[0];
  const width = layer.z[0]?.length ?? 0;
  return {
    kind: 'heatmap',
    title: `Hidden state h_t of the probe sequence (${layer.name}, step ${probe.step})`,
    z: layer.z,
    xLabels: probe.tokens && probe.tokens.length === width ? probe.tokens : Array.from({ length: width }, (_, t) => String(t)),
    yLabels: layer.z.map((_, i) => String(i)),
    xLabel: probe.tokens ? 'input token' : 'time step t',
    yLabel: 'unit',
    zmin: -1,
    zmax: 1,
    scale: 'diverging',
  };
}

/**
 * "step 120 / 1000 · epoch 3 · loss 0.412 · val 0.455 · 13.4 ms/step (recent steps)". The speed
 * only while the job runs: a finished job's message gives the whole run's median instead, and the
 * two figures side by side would disagree.
 */
export function progressText(h: JobHistory): string {
  const j = h.job;
  const parts = [`step ${j.step} / ${j.totalSteps}`, `epoch ${j.epoch}`];
  if (j.loss !== null) parts.push(`loss ${j.loss.toPrecision(4)}`);
  if (j.valLoss !== null) parts.push(`val ${j.valLoss.toPrecision(4)}`);
  if (j.msPerStep !== undefined && (j.status === 'running' || j.status === 'paused')) parts.push(`${formatMsPerStep(j.msPerStep)} (recent steps)`);
  return parts.join(' · ');
}

export function progressFraction(h: JobHistory): number {
  return h.job.totalSteps > 0 ? Math.min(1, h.job.step / h.job.totalSteps) : 0;
}
