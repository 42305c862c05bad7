// The notebook renderer for RNN Lab's outputs (application/vnd.rnn-lab.*+json). Plots go through
// toPlotlyFigure with the VS Code theme; an output that is updated (a live training display) is
// redrawn in place with Plotly.react, and every plot follows theme changes. A live display in a
// finished cell is updated by messages from the extension (liveDisplays.ts), and a job's live
// loss curve has a Stop button while the job runs.

import type { ActivationFunction, OutputItem, RendererApi } from 'vscode-notebook-renderer';
import { RnnLabMime, type LineChartSpec, type ModuleSummary, type TableSpec, type TensorSummary } from '../kernel/protocol';
import { PlotView, type PlotSpec } from './plotView';
import { renderModule, renderTable, renderTensor, TABLE_CSS } from './tables';
import { currentTheme, watchTheme, type PlotTheme } from './theme';
import { displayIdOf, LiveDisplays } from './liveDisplays';
import type { RendererInbound, RendererOutbound } from './messages';

const PLOT_MIMES: readonly string[] = [RnnLabMime.lines, RnnLabMime.heatmap, RnnLabMime.bars];

/** What the person chose in a loss chart's controls; kept across live updates of the output. */
interface LossControls {
  smoothing: number;
  logY: boolean;
}

interface RenderedOutput {
  element: HTMLElement;
  mime: string;
  plot?: PlotView;
  spec?: PlotSpec;
  controls?: LossControls;
  controlsBar?: HTMLElement;
}

let styleInstalled = false;
function installStyle(): void {
  if (styleInstalled) return;
  styleInstalled = true;
  const style = document.createElement('style');
  style.textContent = TABLE_CSS;
  document.head.appendChild(style);
}

/** The spec as drawn: the loss chart's controls override the kernel's choices. */
export function effectiveSpec(spec: PlotSpec, controls: LossControls | undefined): PlotSpec {
  if (!controls || spec.kind !== 'loss') return spec;
  return { ...spec, smoothing: controls.smoothing, logY: controls.logY };
}

function lossControls(output: RenderedOutput, spec: LineChartSpec, redraw: () => void, stop: HTMLButtonElement | undefined): HTMLElement {
  const controls: LossControls = output.controls ?? { smoothing: spec.smoothing ?? 0, logY: spec.logY ?? false };
  output.controls = controls;
  const bar = document.createElement('div');
  bar.className = 'rnn-lab-controls';

  const smoothLabel = document.createElement('label');
  const slider = document.createElement('input');
  slider.type = 'range';
  slider.min = '0';
  slider.max = '0.99';
  slider.step = '0.01';
  slider.value = String(controls.smoothing);
  const smoothValue = document.createElement('span');
  smoothValue.textContent = controls.smoothing.toFixed(2);
  slider.addEventListener('input', () => {
    controls.smoothing = Number(slider.value);
    smoothValue.textContent = controls.smoothing.toFixed(2);
    redraw();
  });
  smoothLabel.append('smoothing ', slider, ' ', smoothValue);

  const logLabel = document.createElement('label');
  const log = document.createElement('input');
  log.type = 'checkbox';
  log.checked = controls.logY;
  log.addEventListener('change', () => {
    controls.logY = log.checked;
    redraw();
  });
  logLabel.append(log, ' log scale');

  bar.append(smoothLabel, logLabel);
  if (stop) bar.append(stop);
  return bar;
}

function showError(element: HTMLElement, message: string): void {
  const div = document.createElement('div');
  div.className = 'rnn-lab-error';
  div.textContent = message;
  element.replaceChildren(div);
}

export const activate: ActivationFunction = (context) => {
  installStyle();
  const outputs = new Map<string, RenderedOutput>();
  const live = new LiveDisplays((message: RendererOutbound) => context.postMessage?.(message));
  let theme: PlotTheme = currentTheme();
  watchTheme((next) => {
    theme = next;
    for (const output of outputs.values()) {
      if (output.plot && output.spec) void output.plot.draw(effectiveSpec(output.spec, output.controls), theme);
    }
  });

  function dispose(id: string): void {
    const output = outputs.get(id);
    output?.plot?.dispose();
    outputs.delete(id);
    live.detach(id);
  }

  function renderPlot(id: string, output: RenderedOutput, spec: PlotSpec): Promise<unknown> {
    output.spec = spec;
    if (!output.plot) {
      output.element.replaceChildren();
      if (spec.kind === 'loss') {
        const stop = spec.job ? live.stopButton(id, spec.job) : undefined;
        output.controlsBar = lossControls(
          output,
          spec,
          () => {
            if (output.plot && output.spec) void output.plot.draw(effectiveSpec(output.spec, output.controls), theme);
          },
          stop,
        );
        output.element.appendChild(output.controlsBar);
      }
      output.plot = new PlotView(output.element, spec.kind === 'heatmap' ? heatmapHeight(spec.z.length) : 320);
    }
    return output.plot.draw(effectiveSpec(spec, output.controls), theme);
  }

  async function render(id: string, output: RenderedOutput, value: unknown): Promise<void> {
    const { element, mime } = output;
    if (PLOT_MIMES.includes(mime)) {
      await renderPlot(id, output, value as PlotSpec);
    } else if (mime === RnnLabMime.table) {
      element.replaceChildren(renderTable(value as TableSpec));
    } else if (mime === RnnLabMime.tensor) {
      element.replaceChildren(renderTensor(value as TensorSummary));
    } else if (mime === RnnLabMime.module) {
      element.replaceChildren(renderModule(value as ModuleSummary));
    } else {
      showError(element, `RNN Lab cannot show ${mime}`);
    }
  }

  // A live display of a finished cell: new data by message, drawn in every output showing it.
  context.onDidReceiveMessage?.(async (message: RendererInbound) => {
    const update = live.receive(message);
    if (!update) return;
    const drawing = live.outputsOf(update.displayId).map((id) => {
      const output = outputs.get(id);
      return output && output.mime === update.mime ? render(id, output, update.value) : undefined;
    });
    if (drawing.some((d) => d !== undefined)) {
      await Promise.all(drawing);
      live.drawn(update.displayId);
    }
  });

  const api: RendererApi = {
    async renderOutputItem(item: OutputItem, element: HTMLElement): Promise<void> {
      let output = outputs.get(item.id);
      // A new element or a different kind of output: start over.
      if (output && (output.element !== element || output.mime !== item.mime)) {
        dispose(item.id);
        output = undefined;
      }
      let value: unknown;
      try {
        value = item.json();
      } catch (error) {
        showError(element, `RNN Lab: this output is not valid JSON (${String(error)})`);
        return;
      }
      const isNew = !output;
      if (!output) {
        output = { element, mime: item.mime };
        outputs.set(item.id, output);
      }
      await render(item.id, output, value);
      // Drawn from the document, which may be older than what the extension last sent.
      const displayId = displayIdOf(item.metadata);
      if (isNew && displayId !== undefined) live.attach(item.id, displayId);
    },
    disposeOutputItem(id?: string): void {
      if (id === undefined) for (const key of [...outputs.keys()]) dispose(key);
      else dispose(id);
    },
  };
  return api;
};

/** Taller heatmaps for more units, within reason. */
function heatmapHeight(rows: number): number {
  return Math.max(220, Math.min(560, 120 + rows * 10));
}
