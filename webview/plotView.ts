// One plotly chart in a div. The first draw creates the plot, later draws (new data, new theme)
// go through Plotly.react, which updates the same SVG in place: no flicker, zoom kept.

import * as Plotly from 'plotly.js-dist';
import { PLOTLY_CONFIG, toPlotlyFigure, type PlotSpec } from '../kernel/plots/figures';
import type { PlotTheme } from './theme';

export type { PlotSpec };

const CONFIG: Partial<Plotly.Config> = { ...PLOTLY_CONFIG, modeBarButtonsToRemove: [...PLOTLY_CONFIG.modeBarButtonsToRemove] };

export class PlotView {
  readonly element: HTMLDivElement;
  private drawn = false;
  private drawing: Promise<unknown> = Promise.resolve();

  constructor(
    parent: HTMLElement,
    private readonly height = 320,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'rnn-lab-plot';
    this.element.style.width = '100%';
    this.element.style.height = `${height}px`;
    parent.appendChild(this.element);
  }

  /** Draws the spec; calls are serialized so a slow draw is never overtaken by an older one. */
  draw(spec: PlotSpec, theme: PlotTheme): Promise<unknown> {
    this.drawing = this.drawing.then(async () => {
      const figure = toPlotlyFigure(spec, theme);
      // plots.ts types the subset of plotly's trace attributes it uses, loosely (strings where
      // plotly's schema has unions); the figures themselves are plain plotly JSON.
      const data = figure.data as Plotly.Data[];
      const layout: Partial<Plotly.Layout> = { ...figure.layout, autosize: true, height: this.height };
      if (!this.drawn) {
        this.drawn = true;
        await Plotly.newPlot(this.element, data, layout, CONFIG);
      } else {
        await Plotly.react(this.element, data, layout, CONFIG);
      }
    }).catch((error: unknown) => {
      this.element.textContent = `Could not draw the plot: ${error instanceof Error ? error.message : String(error)}`;
    });
    return this.drawing;
  }

  dispose(): void {
    if (this.drawn) Plotly.purge(this.element);
    this.element.remove();
  }
}
