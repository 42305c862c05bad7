// Text that both sides write about a training run: the cell's status line (kernel/train) and the
// dashboard's header (webview). Pure, so a browser bundle may import it.

/** "4.6 ms/step", "13.4 ms/step", "250 ms/step". */
export function formatMsPerStep(ms: number): string {
  return `${ms < 10 ? ms.toPrecision(2) : ms.toFixed(ms < 100 ? 1 : 0)} ms/step`;
}
