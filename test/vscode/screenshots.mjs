#!/usr/bin/env node
// Uses RNN Lab in a real VS Code the way a person does (shared/vscode-web.md, 3b) and saves
// screenshots to look at: the extension is installed into code-server's extensions folder (the
// repository with its dist/, linked as rnn-lab.rnn-lab-<version>), a notebook is opened with
// Ctrl+P, the RNN Lab kernel picked, "Notebook: Run All" run from F1, then the notebook with its
// plots, the RNN Lab activity-bar view and the training dashboard are captured.
//
//   node test/vscode/screenshots.mjs [--notebook samples/x.ipynb] [--timeout <seconds>]
//
// Default notebook: the first of samples/*.ipynb, else fixtures/hello-rnn-lab.ipynb.
// Output: .ci/artifacts/screenshots/*.png. Until the extension is built, it gets as far as
// opening the notebook in the workbench.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from './lib/browser.mjs';
import { repoRoot, startCodeServer } from './lib/codeServer.mjs';

const { values: opts } = parseArgs({
  options: {
    notebook: { type: 'string' },
    timeout: { type: 'string', default: '600' },
  },
});
const outDir = join(repoRoot, '.ci/artifacts/screenshots');
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

async function shoot(page, name) {
  const file = join(outDir, `${name}.png`);
  await page.screenshot({ path: file });
  say(`saved ${file}`);
  return file;
}

/** F1, type, pick the first matching entry. */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Picks an entry in the quick pick that is open now. */
async function pickQuickPickEntry(page, text, timeout = 15_000) {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
}

/** Waits until the notebook shows cell states and none is pending or running for 2 s. */
async function waitForExecution(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let quietSince = 0;
  while (Date.now() < deadline) {
    const { done, busy, failed } = await page.evaluate(() => ({
      done: document.querySelectorAll('.codicon-notebook-state-success, .codicon-notebook-state-error').length,
      failed: document.querySelectorAll('.codicon-notebook-state-error').length,
      busy: document.querySelectorAll('.codicon-notebook-state-executing, .codicon-notebook-state-pending').length,
    }));
    if (done > 0 && busy === 0) {
      quietSince ||= Date.now();
      if (Date.now() - quietSince > 2_000) return { done, failed };
    } else {
      quietSince = 0;
    }
    await sleep(250);
  }
  throw new Error(`the notebook did not finish running within ${timeoutMs / 1000}s`);
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

async function main() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const notebook = opts.notebook ?? defaultNotebook();
  if (!extensionBuilt) say('dist/extension.js is missing: the extension is not installed, only the notebook is opened');

  const server = await startCodeServer({ prepareExtensions: extensionBuilt ? installExtension : undefined });
  let browser;
  let page;
  try {
    say(`code-server pid ${server.pid} on ${server.base}`);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`${server.base}/?folder=${encodeURIComponent(server.workspace)}`);
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    await sleep(3_000); // let the extension host start and the welcome notifications settle

    // Ctrl+P and the notebook's file name, as a person opens it.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.type(basename(notebook));
    await pickQuickPickEntry(page, basename(notebook));
    // Playwright calls the notebook's list rows hidden (they are absolutely placed): wait for presence.
    await page.locator('.notebookOverlay .monaco-list-row').first().waitFor({ state: 'attached', timeout: 30_000 });
    await sleep(1_500);
    say(`opened ${notebook}`);
    await shoot(page, '01-notebook-opened');

    if (!extensionBuilt) return;

    await selectKernel(page);
    await runCommand(page, 'Notebook: Run All');
    const { done, failed } = await waitForExecution(page, Number(opts.timeout) * 1000);
    say(`ran: ${done} cell(s) visible with a result, ${failed} failed`);
    await waitForPlots(page);
    await shoot(page, '02-notebook-run');
    say(`rendered output text: ${(await renderedOutputText(page)).slice(0, 300)}`);
    // Further down the notebook: the later plots.
    await page.locator('.notebook-editor .monaco-list').first().hover();
    for (let i = 1; i <= 3; i++) {
      await page.mouse.wheel(0, 800);
      await sleep(1_000);
      await shoot(page, `03-notebook-scrolled-${i}`);
    }

    const container = manifest.contributes?.viewsContainers?.activitybar?.find((c) => c.id === 'rnnLab');
    if (container) {
      await page.locator(`.activitybar .action-item a[aria-label^="${container.title}"]`).first().click();
      await sleep(2_000);
      await shoot(page, '04-rnn-lab-view');
    } else {
      say('package.json has no activity-bar container rnnLab yet: no view screenshot');
    }

    const dashboard = commandTitle('rnnLab.showDashboard');
    if (dashboard) {
      await runCommand(page, dashboard);
      await sleep(3_000);
      await shoot(page, '05-dashboard');
    } else {
      say('package.json has no command rnnLab.showDashboard yet: no dashboard screenshot');
    }
  } catch (err) {
    if (page) await shoot(page, 'failure').catch(() => {});
    throw err;
  } finally {
    await browser?.close().catch(() => {});
    await server.stop();
  }
}

const timer = setTimeout(() => {
  console.error(`screenshots: timed out after ${Number(opts.timeout) + 120}s`);
  process.exit(1);
}, (Number(opts.timeout) + 120) * 1000);
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
