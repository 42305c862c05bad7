// Messages to a webview, held back until its script says it is ready (a message posted before
// that is lost). When the view (re)loads, a snapshot of the current state can replace the held
// messages, since it already contains what they said.

import * as vscode from 'vscode';

export class WebviewChannel<In, Out extends { type: string }> implements vscode.Disposable {
  private ready = false;
  private buffer: In[] = [];
  private postedCount = 0;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly webview: vscode.Webview,
    onMessage: (message: Out) => void,
    /** Messages that bring a freshly loaded view up to date; when given, they replace the buffer. */
    private readonly snapshot?: () => In[],
  ) {
    this.subscription = webview.onDidReceiveMessage((message: Out) => {
      if (message.type === 'ready') this.onReady();
      else onMessage(message);
    });
  }

  /** Messages actually handed to the webview. */
  get posted(): number {
    return this.postedCount;
  }

  post(message: In): void {
    if (!this.ready) {
      this.buffer.push(message);
      return;
    }
    this.send(message);
  }

  dispose(): void {
    this.subscription.dispose();
    this.buffer = [];
  }

  private onReady(): void {
    const held = this.snapshot ? this.snapshot() : this.buffer;
    this.buffer = [];
    this.ready = true;
    for (const message of held) this.send(message);
  }

  private send(message: In): void {
    this.postedCount++;
    void this.webview.postMessage(message);
  }
}
