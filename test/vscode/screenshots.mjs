#!/usr/bin/env node
// Uses RNN Lab in a real VS Code the way a person does (shared/vscode-web.md, 3b) and saves
// screenshots to look at: the extension is installed into code-server's extensions folder (the
// repository with its dist/, linked as rnn-lab.rnn-lab-<version>), a notebook is opened with
// Ctrl+P, the RNN Lab kernel picked, "Notebook: Run All" run from F1. Captured, in this order:
//   01-02-03  the sample notebook: opened, run, then its outputs further down (inputs collapsed),
//             and a heatmap cell's hover
//   04        the training dashboard after the sample's training jobs
//   05-06     fixtures/live-training.ipynb training: the notebook with its live loss output and
//             the dashboard beside it (the cell that started the job has ended: no spinner, no
//             "Stop Execution", checked), the loss curve's own Stop button; the dashboard alone
//             while the job runs, and scrolled down
//   07        the job stopped with its output's Stop button: the curve and the dashboard say so
//   08        the RNN Lab sidebar: the model expanded to its layers and parameters
//   09        a parameter's heatmap and histogram (clicked in the sidebar; it opens in the
//             dashboard's group), then the same group maximized with the LSTM's weight_ih (its
//             gate blocks i, f, g, o marked; two columns, whole-number ticks)
//   10-11     two notebooks side by side, each with its own kernel: the status bar names the
//             kernel of the notebook in view and the sidebar lists that kernel's models, first
//             with live-training in view, then with fixtures/hello-rnn-lab.ipynb (no models:
//             the Models view's welcome text)
//   12        fixtures/stop-and-export.ipynb: a loop stopped with Interrupt Kernel ("Interrupted"
//             once)
//   13        Export Model to ONNX on a model the exporter does not know: the dialog says why
//             and what a cell can do, before any file is asked for
//   14        fixtures/hostile-cells.ipynb: Object.prototype.then set, a toMimeBundle() returning
//             null, a thrown Proxy whose traps throw; the kernel answers, says what it put back
//
// Closing a notebook's tab ends its kernel (one kernel per notebook), so the panels are shown
// alone by maximizing their editor group, not by closing the notebook beside them.
// With --web, RNN Lab runs in code-server's web worker extension host instead (the setting
// remote.extensionKind, as run-web.mjs --web), its kernel in a Web Worker, and a shorter sequence
// is captured (web-*.png): samples/vanishing-gradients.ipynb opened, run and its outputs, then
// "Developer: Show Running Extensions", which must list RNN Lab as running in the web worker.
// --isolated (with --web): the workbench behind the cross-origin isolating proxy
// (lib/isolatingProxy.mjs), so fit() trains in Web Workers of its own (web-isolated-*.png).
//   node test/vscode/screenshots.mjs [--notebook samples/x.ipynb] [--theme both|dark|light] [--web [--isolated]] [--out <dir>] [--timeout <seconds>]
//
// Default notebook: the first of samples/*.ipynb, else fixtures/hello-rnn-lab.ipynb. Default theme
// both: the whole sequence runs in Default Dark Modern (<name>-dark.png), then again in Default
// Light Modern (<name>-light.png), each with a code-server of its own. Output: <dir>/*.png, default
// .ci/artifacts/screenshots (emptied first). Until the extension is built, it gets as far as
// opening the notebook in the workbench.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bounded } from './lib/bounded.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { repoRoot, startCodeServer } from './lib/codeServer.mjs';
import { startIsolatingProxy } from './lib/isolatingProxy.mjs';

const { values: opts } = parseArgs({
  options: {
    notebook: { type: 'string' },
    theme: { type: 'string', default: 'both' },
    out: { type: 'string' },
    timeout: { type: 'string', default: '600' },
    web: { type: 'boolean', default: false },
    isolated: { type: 'boolean', default: false },
  },
});
const outDir = opts.out ? resolve(opts.out) : join(repoRoot, '.ci/artifacts/screenshots');
const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern' };
if (!THEMES[opts.theme] && opts.theme !== 'both') throw new Error(`--theme must be both, ${Object.keys(THEMES).join(' or ')}`);
/** The runs: with both, the whole sequence once in each theme (set when code-server starts). */
const runThemes = opts.theme === 'both' ? ['dark', 'light'] : [opts.theme];
/** The fixture whose long training job is watched on the dashboard, stopped, then inspected. */
const LIVE_NOTEBOOK = 'fixtures/live-training.ipynb';
const LIVE_MODEL = 'adder';
/** A second notebook, opened beside the live one: its own kernel, no models. */
const HELLO_NOTEBOOK = 'fixtures/hello-rnn-lab.ipynb';
/** A loop to interrupt and a model the ONNX exporter does not know. */
const STOP_NOTEBOOK = 'fixtures/stop-and-export.ipynb';
const HOSTILE_NOTEBOOK = 'fixtures/hostile-cells.ipynb';
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const extensionBuilt = existsSync(join(repoRoot, 'dist/extension.js'));
const started = Date.now();
const say = (line) => console.log(`screenshots: [${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function defaultNotebook() {
  const samples = existsSync(join(repoRoot, 'samples'))
    ? readdirSync(join(repoRoot, 'samples')).filter((n) => n.endsWith('.ipynb')).sort()
    : [];
  return samples.length ? `samples/${samples[0]}` : 'fixtures/hello-rnn-lab.ipynb';
}

/** Title of a contributed command as the command palette shows it ("Category: Title"). */
function commandTitle(id) {
  const command = (manifest.contributes?.commands ?? []).find((c) => c.command === id);
  if (!command) return undefined;
  return command.category ? `${command.category}: ${command.title}` : command.title;
}

/** Links the repository into the extensions folder as an installed extension. */
function installExtension(extensionsDir) {
  const folder = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  symlinkSync(repoRoot, folder, 'dir');
}

/** The theme of the run in progress; with --theme both, screenshot names end in it. */
let runTheme = 'dark';

async function shoot(page, name) {
  const shown = opts.isolated ? name.replace(/^web-/, 'web-isolated-') : name;
  const file = join(outDir, `${shown}${opts.theme === 'both' ? `-${runTheme}` : ''}.png`);
  await page.screenshot({ path: file });
  say(`saved ${file}`);
  return file;
}

/** Opens the command palette: F1, or the command center when a webview keeps F1 to itself. */
async function openPalette(page) {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('F1');
  if (await input.waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false)) return input;
  await page.locator('.command-center .command-center-center').first().click();
  await page.mouse.move(0, 500); // no tooltip of the command center in the screenshots
  await input.waitFor({ state: 'visible', timeout: 5_000 });
  return input;
}

/** F1, type, pick the first matching entry; retried, since focus moves as editors and webviews open. */
async function runCommand(page, title) {
  for (let attempt = 1; ; attempt++) {
    try {
      const input = await openPalette(page);
      await input.fill(`>${title}`, { timeout: 5_000 });
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      await sleep(300);
      return;
    } catch (err) {
      if (attempt === 3) throw new Error(`could not run "${title}": ${err instanceof Error ? err.message : err}`);
      await page.keyboard.press('Escape');
      await sleep(1_000);
    }
  }
}

/** Picks an entry in the quick pick that is open now. */
async function pickQuickPickEntry(page, text, timeout = 15_000) {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
}

/**
 * Waits until the run is over: the notebook toolbar offers "Run All" again (not "Stop Execution"),
 * no cell is pending or executing, and RNN Lab's status bar item says the kernel is idle (or
 * training: a job may outlive its cell), all for 2 s. Cell states alone are not enough: the
 * notebook only draws the cells in view.
 */
async function waitForExecution(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let quietSince = 0;
  await sleep(1_000);
  while (Date.now() < deadline) {
    const quiet = await page.evaluate(() => {
      const shown = (e) => e.checkVisibility({ visibilityProperty: true, opacityProperty: true });
      const busyCells = [...document.querySelectorAll('.codicon-notebook-state-executing, .codicon-notebook-state-pending')].filter(shown).length;
      const labels = [...document.querySelectorAll('.notebook-toolbar-container .action-label')].map((e) => e.textContent ?? '');
      const stoppable = labels.some((l) => /Stop Execution|Interrupt/.test(l));
      const status = document.querySelector('.part.statusbar')?.textContent ?? '';
      return busyCells === 0 && !stoppable && /RNN Lab: .* · (idle|training)/.test(status);
    });
    if (quiet) {
      quietSince ||= Date.now();
      if (Date.now() - quietSince > 2_000) return;
    } else {
      quietSince = 0;
    }
    await sleep(250);
  }
  throw new Error(`the notebook did not finish running within ${timeoutMs / 1000}s`);
}

/** What VS Code shows as running now: cells with a spinner or pending, and the notebook toolbar's Stop. */
async function runningIndicators(page) {
  return page.evaluate(() => {
    // Only what is drawn: the notebook list keeps hidden row templates with these icons.
    const shown = (e) => e.checkVisibility({ visibilityProperty: true, opacityProperty: true });
    const icons = [...document.querySelectorAll('.codicon-notebook-state-executing, .codicon-notebook-state-pending')].filter(shown);
    const where = (e) => {
      const r = e.getBoundingClientRect();
      const row = e.closest('.monaco-list-row');
      return `${e.className} at (${Math.round(r.x)}, ${Math.round(r.y)}) in ${row?.getAttribute('aria-label') ?? '?'}: ${(row?.textContent ?? '').slice(0, 60)}`;
    };
    return {
      executingCells: icons.length,
      where: icons.map(where),
      stopInToolbar: [...document.querySelectorAll('.notebook-toolbar-container .action-label')].filter(shown).some((e) => /Stop Execution|Interrupt/.test(e.textContent ?? '')),
    };
  });
}

/** Fails unless VS Code shows nothing running, checked for 4 s (a short execution flashes). */
async function expectNothingRunning(page, when) {
  for (let i = 0; i < 16; i++) {
    const shown = await runningIndicators(page);
    if (shown.executingCells || shown.stopInToolbar) throw new Error(`VS Code shows a cell running ${when}: ${JSON.stringify(shown)}`);
    await sleep(250);
  }
}

/** Waits until RNN Lab's status bar item says the kernel trains (a fit() job outlives its cell). */
async function waitForTraining(page, timeoutMs) {
  await page.locator('.part.statusbar', { hasText: /RNN Lab: .* · training/ }).waitFor({ timeout: timeoutMs });
}

/** The text of RNN Lab's kernel status bar item. */
async function kernelStatusText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')].map((e) => e.textContent ?? '').find((t) => t.includes('RNN Lab')) ?? '');
}

/** Shows the active editor group alone (the others stay open behind it), or all groups again. */
const MAXIMIZE_GROUP = 'View: Toggle Maximize Editor Group';

/** Un-maximizes the editor groups until the tab `title` (in another group) shows again. */
async function showAllGroups(page, title) {
  const tab = page.locator('.tabs-container .tab', { hasText: title }).first();
  for (let attempt = 1; !(await tab.isVisible()); attempt++) {
    if (attempt > 3) throw new Error(`the tab ${title} does not show again after un-maximizing the editor group`);
    await runCommand(page, MAXIMIZE_GROUP);
    await sleep(1_000);
  }
}

/** Closes an editor tab by its close button (the commands act on whatever has the focus). */
async function closeTab(page, title) {
  const tab = page.locator('.tabs-container .tab', { hasText: title }).first();
  await tab.hover();
  await tab.locator('.codicon-close').click();
  await sleep(800);
}

/** The number of cells that failed, from their state icons (of the cells drawn). */
async function failedCells(page) {
  return page.evaluate(() => document.querySelectorAll('.codicon-notebook-state-error').length);
}

/** Scrolls the notebook by `dy` pixels with the mouse over its left margin (not over an editor). */
async function scrollNotebook(page, dy) {
  // The notebook shown: the notebooks of other tabs stay in the page, moved out of view.
  const view = page.viewportSize() ?? { width: 1600, height: 1000 };
  const lists = page.locator('.notebook-editor .monaco-list');
  let box = null;
  for (let i = 0; i < (await lists.count()) && !box; i++) {
    const b = await lists.nth(i).boundingBox();
    if (b && b.width > 0 && b.height > 0 && b.x >= 0 && b.y >= 0 && b.x + b.width <= view.width + 1 && b.y < view.height) box = b;
  }
  if (!box) throw new Error('no notebook list in view to scroll');
  await page.mouse.move(box.x + 12, box.y + box.height / 2);
  // One big wheel event moves the notebook only a little: VS Code takes it for a single notch.
  for (let moved = 0; moved < dy; moved += 100) {
    await page.mouse.wheel(0, 100);
    await sleep(30);
  }
  await page.mouse.move(150, 700); // the explorer's empty space: no hover tooltip in the picture
  await sleep(1_500);
}

/** Picks RNN Lab in the kernel picker; retried, since the controller registers as the extension activates. */
async function selectKernel(page) {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Notebook: Select Notebook Kernel');
    try {
      await pickQuickPickEntry(page, 'RNN Lab', 10_000);
      await sleep(1_000);
      return;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.keyboard.press('Escape');
      await sleep(2_000);
    }
  }
}

/** Number of drawn plotly plots in the notebook's output webviews. */
async function plotCount(page) {
  let count = 0;
  for (const frame of page.frames()) {
    count += await frame.evaluate(() => document.querySelectorAll('.js-plotly-plot .main-svg').length).catch(() => 0);
  }
  return count;
}

/** Waits until the number of drawn plots has not changed for 3 s (plotly draws after the output arrives). */
async function waitForPlots(page, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const count = await plotCount(page);
    if (count !== last) {
      last = count;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 3_000) {
      break;
    }
    await sleep(250);
  }
  say(`${last} plot(s) drawn in the visible outputs`);
}

/** Text of the rendered outputs (they live in the notebook's webview iframes). */
async function renderedOutputText(page) {
  const texts = [];
  for (const frame of page.frames()) {
    const text = await frame.evaluate(() => {
      const outputs = document.querySelectorAll('.output');
      return outputs.length ? [...outputs].map((o) => o.textContent ?? '').join(' | ') : '';
    }).catch(() => '');
    if (text) texts.push(text);
  }
  return texts.join(' | ');
}

/** The first frame (webviews are iframes in iframes) whose document has `selector`. */
async function frameWith(page, selector, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.evaluate((sel) => document.querySelector(sel) !== null, selector).catch(() => false)) return frame;
    }
    await sleep(250);
  }
  throw new Error(`no webview showed ${selector} within ${timeoutMs / 1000}s`);
}

/** Waits until `count` plots are drawn in the frame (or the timeout passes; then says how many). */
async function waitForFramePlots(frame, count, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let drawn = 0;
  while (Date.now() < deadline) {
    drawn = await frame.evaluate(() => document.querySelectorAll('.js-plotly-plot .main-svg').length).catch(() => 0);
    // plotly draws two SVGs per plot (the plot and its hover layer)
    if (drawn >= count * 2) break;
    await sleep(250);
  }
  await sleep(500);
  return Math.floor(drawn / 2);
}

/** Opens a notebook by its file name with Ctrl+P, as a person does. */
async function openNotebook(page, path) {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type(basename(path));
  await pickQuickPickEntry(page, basename(path));
  // Playwright calls the notebook's list rows hidden (they are absolutely placed): wait for presence.
  await page.locator('.notebookOverlay .monaco-list-row').first().waitFor({ state: 'attached', timeout: 30_000 });
  await sleep(1_500);
  say(`opened ${path}`);
}

/** The tree row of the RNN Lab models view with this label (at this depth). */
function modelsRow(page, label, level) {
  return page
    .locator('.pane:has(.pane-header[aria-label^="Models"]) .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) })
    .and(page.locator(`[aria-level="${level}"]`))
    .first();
}

/** Clicks a collapsed tree row to expand it (a second click would fold it again). */
async function expandRow(row) {
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  await sleep(800);
}

/** --web: a sample run by the kernel in a Web Worker, and where VS Code says the extension runs. */
async function runInWebWorker(page) {
  const sample = opts.notebook ?? 'samples/vanishing-gradients.ipynb';
  await openNotebook(page, sample);
  await selectKernel(page);
  await runCommand(page, 'Notebook: Run All');
  await waitForExecution(page, Number(opts.timeout) * 1000);
  const failed = await failedCells(page);
  say(`ran ${sample} in the web worker extension host; ${failed} failed cell(s) in view`);
  if (failed) throw new Error(`${failed} cell(s) of ${sample} failed in the web worker extension host`);
  await runCommand(page, 'View: Close Editors in Other Groups');
  await sleep(1_000);
  await waitForPlots(page);
  await shoot(page, 'web-01-notebook-run');
  await runCommand(page, 'Notebook: Collapse All Cell Inputs');
  await scrollNotebook(page, 700);
  say(`${await plotCount(page)} plot(s) drawn in the visible outputs`);
  await shoot(page, 'web-02-notebook-outputs');

  await runCommand(page, 'Developer: Show Running Extensions');
  const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: manifest.displayName ?? manifest.name }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await sleep(1_500);
  const text = (await row.textContent())?.replace(/\s+/g, ' ') ?? '';
  say(`Running Extensions, RNN Lab's row: ${text.slice(0, 300)}`);
  await shoot(page, 'web-03-running-extensions');
  // The editor groups extensions by host; RNN Lab's row sits under "Web Worker" (not "Remote").
  const host = await row.evaluate((r) => {
    const rows = [...r.parentElement.children].sort((a, b) => a.getBoundingClientRect().y - b.getBoundingClientRect().y);
    const above = rows.filter((x) => x.getBoundingClientRect().y <= r.getBoundingClientRect().y);
    return above.map((x) => x.textContent ?? '').reverse().find((t) => /web worker|remote|local/i.test(t) && t.length < 80) ?? '';
  });
  say(`its extension host: ${host || '(no host heading found)'}`);
  if (!/web worker/i.test(`${text} ${host}`)) throw new Error(`Show Running Extensions does not list RNN Lab as running in the web worker: ${text} / ${host}`);
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  // Only the screenshots of an earlier run go (the folder may be one the caller named).
  for (const name of readdirSync(outDir)) if (name.endsWith('.png')) rmSync(join(outDir, name));
  for (const theme of runThemes) {
    runTheme = theme;
    await run(theme);
  }
}

async function run(theme) {
  const notebook = opts.notebook ?? defaultNotebook();
  if (!extensionBuilt) say('dist/extension.js is missing: the extension is not installed, only the notebook is opened');

  const server = await startCodeServer({
    prepareExtensions: extensionBuilt ? installExtension : undefined,
    settings: { 'workbench.colorTheme': THEMES[theme], ...(opts.web ? { 'remote.extensionKind': { [`${manifest.publisher}.${manifest.name}`]: ['web'] } } : {}) },
  });
  let browser;
  let page;
  let proxy;
  try {
    say(`code-server pid ${server.pid} on ${server.base}, theme ${THEMES[theme]}`);
    if (opts.isolated) {
      proxy = await startIsolatingProxy(server.base);
      say(`cross-origin isolating proxy on ${proxy.base}`);
    }
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`${proxy?.base ?? server.base}/?folder=${encodeURIComponent(server.workspace)}`);
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    await sleep(3_000); // let the extension host start and the welcome notifications settle

    if (opts.web) {
      if (opts.isolated) say(`the page is ${(await page.evaluate(() => globalThis.crossOriginIsolated)) ? '' : 'NOT '}cross-origin isolated`);
      if (!extensionBuilt) throw new Error('--web needs the built extension (npm run build)');
      await runInWebWorker(page);
      return;
    }
    await openNotebook(page, notebook);
    await shoot(page, '01-notebook-opened');
    if (!extensionBuilt) return;

    // --- the sample notebook, run
    await selectKernel(page);
    await runCommand(page, 'Notebook: Run All');
    await waitForExecution(page, Number(opts.timeout) * 1000);
    say(`ran; ${await failedCells(page)} failed cell(s) in view`);
    // Training opened the dashboard beside the notebook: close it, so the notebook has the width.
    await runCommand(page, 'View: Close Editors in Other Groups');
    await sleep(1_000);
    await waitForPlots(page);
    await shoot(page, '02-notebook-run');
    say(`rendered output text: ${(await renderedOutputText(page)).slice(0, 300)}`);
    // The outputs further down, with the code folded away as a reader of the results would.
    await runCommand(page, 'Notebook: Collapse All Cell Inputs');
    await sleep(1_000);
    for (let i = 1; i <= 3; i++) {
      await scrollNotebook(page, 1_000);
      await shoot(page, `03-notebook-outputs-${i}`);
    }
    // A heatmap cell under the mouse: the hover names it by its labels.
    const heatFrame = await frameWith(page, '.js-plotly-plot .heatmaplayer', 5_000).catch(() => null);
    if (heatFrame) {
      await scrollNotebook(page, 400);
      const drag = heatFrame.locator('.js-plotly-plot:has(.heatmaplayer) .nsewdrag').first();
      const box = await drag.boundingBox();
      if (box) {
        await drag.hover({ position: { x: box.width * 0.35, y: box.height * 0.3 } });
        await sleep(800);
        say(`heatmap hover: ${await heatFrame.evaluate(() => [...document.querySelectorAll('.hoverlayer .hovertext')].map((e) => e.textContent).join(' | '))}`);
        await shoot(page, '03-notebook-heatmap-hover');
      }
    }

    // --- the dashboard after the sample's training (it keeps every job's history), alone
    const dashboardTitle = commandTitle('rnnLab.showDashboard');
    await runCommand(page, dashboardTitle);
    await runCommand(page, MAXIMIZE_GROUP);
    const dashboard = await frameWith(page, '#loss-plot');
    say(`dashboard after the sample: ${await waitForFramePlots(dashboard, 1)} plot(s)`);
    await shoot(page, '04-dashboard-after-sample');
    await runCommand(page, MAXIMIZE_GROUP);
    await closeTab(page, 'RNN Lab: Training');

    // --- a long job, watched live (training opens the dashboard beside the notebook), then
    // stopped from the dashboard
    await openNotebook(page, LIVE_NOTEBOOK);
    await selectKernel(page);
    await runCommand(page, 'Notebook: Run All');
    await waitForTraining(page, 120_000);
    await sleep(6_000); // some thousand steps, gradient and probe snapshots
    await scrollNotebook(page, 1_200); // the cell that started the job, and its live curve
    await waitForPlots(page, 10_000);
    // The cell that started the job (without awaiting it) has ended: VS Code shows nothing running.
    say(`while the job trains: ${JSON.stringify(await runningIndicators(page))}`);
    await expectNothingRunning(page, 'while the job a finished cell started trains');
    await shoot(page, '05-live-training-notebook');
    say(`status bar while training: ${await kernelStatusText(page)}`);
    await runCommand(page, dashboardTitle);
    // Its group active (the dashboard opened beside the notebook without the focus), then alone.
    await page.locator('.tabs-container .tab', { hasText: 'RNN Lab: Training' }).first().click();
    await page.mouse.move(150, 700); // no tab tooltip in the pictures
    await runCommand(page, MAXIMIZE_GROUP);
    const live = await frameWith(page, '#stop:not([hidden])');
    say(`dashboard while training: ${await waitForFramePlots(live, 4)} plot(s)`);
    await shoot(page, '06-dashboard-training');
    // A narrow window stacks the charts: then the lower ones too.
    if (await live.evaluate(() => document.documentElement.scrollHeight > window.innerHeight + 40)) {
      await live.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await sleep(1_000);
      await shoot(page, '06-dashboard-training-scrolled');
      await live.evaluate(() => window.scrollTo(0, 0));
    }
    await showAllGroups(page, basename(LIVE_NOTEBOOK));
    // The job stopped with its own Stop, on the live curve in the cell's output.
    const output = await frameWith(page, '.rnn-lab-stop:not([hidden])');
    const curveTitle = () => output.evaluate(() => document.querySelector('.js-plotly-plot .gtitle')?.textContent ?? '');
    say(`live curve before Stop: ${await curveTitle()}`);
    // A DOM click: the output's webview lies under the notebook list, which Playwright sees as covering it.
    await output.locator('.rnn-lab-stop').dispatchEvent('click');
    await live.locator('#status', { hasText: 'stopped' }).waitFor({ timeout: 30_000 });
    await output.locator('.rnn-lab-stop').waitFor({ state: 'hidden', timeout: 30_000 });
    await sleep(3_000); // the curve's last update, then the document's copy of it
    say(`live curve after Stop: ${await curveTitle()}; the dashboard says ${await live.locator('#status').textContent()}`);
    say(`after the stop: ${JSON.stringify(await runningIndicators(page))}`);
    await shoot(page, '07-output-stopped');

    // --- the sidebar inspector: the model, its layers and parameters
    const container = manifest.contributes?.viewsContainers?.activitybar?.find((c) => c.id === 'rnnLab');
    await page.locator(`.activitybar .action-item a[aria-label^="${container.title}"]`).first().click();
    await sleep(1_500);
    await expandRow(modelsRow(page, LIVE_MODEL, 1));
    await expandRow(modelsRow(page, 'lstm', 2));
    await expandRow(modelsRow(page, 'head', 2));
    await shoot(page, '08-inspector-expanded');

    // --- one parameter as a heatmap and a histogram (it opens beside; then alone): the LSTM's
    // weights, with their gate blocks marked; weight_ih is (96, 2), two columns
    await modelsRow(page, 'weight_hh_l0', 3).click();
    const parameter = await frameWith(page, '#heatmap-plot');
    say(`parameter view: ${await waitForFramePlots(parameter, 2)} plot(s)`);
    await shoot(page, '09-parameter-beside');
    await modelsRow(page, 'weight_ih_l0', 3).click();
    await sleep(1_500);
    await page.locator('.tab', { hasText: `${LIVE_MODEL}.lstm.weight_ih_l0` }).first().click();
    await runCommand(page, MAXIMIZE_GROUP);
    await sleep(1_500);
    say(`weight_ih_l0 heatmap axes: ${await parameter.evaluate(() => [...document.querySelectorAll('#heatmap-plot .xtick text, #heatmap-plot .ytick text')].map((t) => t.textContent).join(' '))}`);
    await shoot(page, '09-parameter-heatmap');
    await runCommand(page, MAXIMIZE_GROUP);

    // --- two notebooks side by side, a kernel each: the views follow the one in view
    await closeTab(page, `${LIVE_MODEL}.lstm.weight_ih_l0`);
    await closeTab(page, 'RNN Lab: Training');
    await runCommand(page, 'View: New Editor Group to the Right');
    await openNotebook(page, HELLO_NOTEBOOK);
    await selectKernel(page);
    await runCommand(page, 'Notebook: Run All');
    await waitForExecution(page, 120_000);
    say(`status bar with ${HELLO_NOTEBOOK} in view: ${await kernelStatusText(page)}`);
    await page.locator('.tabs-container .tab', { hasText: basename(LIVE_NOTEBOOK) }).first().click();
    await page.mouse.move(150, 700);
    await sleep(2_000);
    await expandRow(modelsRow(page, LIVE_MODEL, 1));
    say(`status bar with ${LIVE_NOTEBOOK} in view: ${await kernelStatusText(page)}`);
    await shoot(page, '10-two-notebooks-live-training-in-view');
    await page.locator('.tabs-container .tab', { hasText: basename(HELLO_NOTEBOOK) }).first().click();
    await page.mouse.move(150, 700);
    await sleep(2_000);
    say(`status bar with ${HELLO_NOTEBOOK} in view again: ${await kernelStatusText(page)}`);
    await shoot(page, '11-two-notebooks-hello-in-view');

    // --- a loop stopped with Interrupt Kernel: "Interrupted" once
    await openNotebook(page, STOP_NOTEBOOK);
    await selectKernel(page);
    await runCommand(page, 'Notebook: Run All');
    await page.locator('.part.statusbar', { hasText: /RNN Lab: .* · busy/ }).waitFor({ timeout: 120_000 });
    await sleep(3_000);
    await runCommand(page, commandTitle('rnnLab.interruptKernel'));
    await waitForExecution(page, 60_000);
    say(`the stopped loop says: ${(await renderedOutputText(page)).match(/Interrupted[^|]*/)?.[0] ?? '(no Interrupted)'}`);
    await shoot(page, '12-loop-interrupted');

    // --- Export Model to ONNX on a model the exporter does not know: explained before any file dialog
    const plain = modelsRow(page, 'plain', 1);
    await plain.waitFor({ state: 'visible', timeout: 20_000 });
    await plain.click({ button: 'right' });
    // VS Code's context menu ignores a click right after it opened (the right click's own mouseup):
    // the item is hovered, then chosen with Enter.
    const exportItem = page.locator('.monaco-menu .action-label', { hasText: 'Export Model to ONNX' }).first();
    await exportItem.waitFor({ state: 'visible', timeout: 10_000 });
    await sleep(500);
    await exportItem.hover();
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    say(`export dialog: ${(await dialog.textContent())?.replace(/\s+/g, ' ').slice(0, 400)}`);
    await shoot(page, '13-onnx-export-explained');
    await page.keyboard.press('Escape');

    // --- a hostile notebook: polluted prototypes, an undescribable throw, a bundle that is not one
    await openNotebook(page, HOSTILE_NOTEBOOK);
    await selectKernel(page);
    await runCommand(page, 'Notebook: Run All');
    await waitForExecution(page, 120_000);
    say(`the hostile notebook says: ${(await renderedOutputText(page)).slice(0, 400)}`);
    await shoot(page, '14-hostile-cells');
  } catch (err) {
    if (page) await shoot(page, 'failure').catch(() => {});
    throw err;
  } finally {
    await bounded('screenshots: closing the browser', () => browser?.close());
    await bounded('screenshots: closing the isolating proxy', () => proxy?.close());
    await bounded('screenshots: stopping code-server', () => server.stop(), 30);
  }
}

const timeoutSeconds = (Number(opts.timeout) + 120) * runThemes.length;
const timer = setTimeout(() => {
  console.error(`screenshots: timed out after ${timeoutSeconds}s`);
  process.exit(1);
}, timeoutSeconds * 1000);
main().then(
  () => {
    clearTimeout(timer);
    say(`done; screenshots in ${outDir}`);
  },
  (err) => {
    clearTimeout(timer);
    console.error(`screenshots: ${err instanceof Error ? err.stack : err}`);
    process.exitCode = 1;
  },
);
