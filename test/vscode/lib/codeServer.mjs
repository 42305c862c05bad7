// Starts and stops a code-server (VS Code 1.100 server + web workbench) for the test drivers.
// See shared/vscode-web.md. Everything it creates lives under one temp folder, removed by stop().
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const codeServerDir = process.env.RNN_LAB_CODE_SERVER_DIR ?? join(repoRoot, '.cache/code-server');
const entry = join(codeServerDir, 'node_modules/code-server/out/node/entry.js');

/** A port the kernel just handed out on loopback; closed again so code-server can take it. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Notebook folders copied into every test workspace (missing ones are skipped). */
const notebookSources = ['samples', 'test/fixtures/notebooks', 'test/vscode/fixtures'];

/**
 * A fresh workspace folder holding copies of the project's notebooks, so tests may edit and save
 * them freely. Layout: <ws>/samples/*.ipynb, <ws>/fixtures/*.ipynb (both fixture folders merged).
 */
export function makeWorkspace(root) {
  const ws = join(root, 'workspace');
  mkdirSync(ws, { recursive: true });
  for (const source of notebookSources) {
    const from = join(repoRoot, source);
    if (!existsSync(from)) continue;
    const to = join(ws, source === 'samples' ? 'samples' : 'fixtures');
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) {
      if (name.endsWith('.ipynb')) cpSync(join(from, name), join(to, name));
    }
  }
  return ws;
}

/** User settings that keep the workbench quiet and deterministic under automation. */
function writeUserSettings(userDataDir, { trust, extra = {} }) {
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'git.enabled': false,
    'notebook.confirmDeleteRunningCell': false,
    'files.hotExit': 'off',
    'window.restoreWindows': 'none',
    'security.workspace.trust.enabled': trust,
    // With trust on, the folder stays in Restricted Mode without a modal in the way.
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    ...extra,
  };
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

async function waitUntilServing(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} before serving`);
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status === 302 || res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000}s`);
}

/**
 * Starts code-server on a free loopback port with temp user-data, extensions and workspace.
 * options.trust: leave workspace trust on (default off: --disable-workspace-trust).
 * options.env: extra environment for the server, which its extension host inherits.
 * options.prepareExtensions(dir): called with the extensions dir before start (screenshots).
 * options.settings: more user settings (e.g. workbench.colorTheme).
 */
export async function startCodeServer(options = {}) {
  if (!existsSync(entry)) {
    throw new Error(`code-server is not installed in ${codeServerDir}: run scripts/install-code-server.sh`);
  }
  const trust = options.trust ?? false;
  const root = mkdtempSync(join(tmpdir(), 'rnn-lab-vscode-'));
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, { trust, extra: options.settings });
  options.prepareExtensions?.(extensionsDir);
  const workspace = makeWorkspace(root);
  const port = await freePort();

  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(trust ? [] : ['--disable-workspace-trust']),
    workspace,
  ];
  const serverLog = [];
  // detached: its own process group, so stop() ends the extension host and kernels it spawned too.
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // An extensions gallery without serviceUrl switches the Marketplace off: no lookups of
    // open-vsx.org (unreachable here, and no business of the tests).
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...options.env },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (text) => serverLog.push(text));
  }
  const base = `http://127.0.0.1:${port}`;
  const server = {
    port, base, root, workspace, userDataDir, extensionsDir, pid: child.pid,
    log: () => serverLog.join(''),
    /** vscode-remote URI of a path on this machine, as the web workbench wants it. */
    remote: (path) => `vscode-remote://127.0.0.1:${port}${path}`,
    stop: () => stopServer(child, root),
  };
  try {
    await waitUntilServing(`${base}/`, child, 60_000);
  } catch (err) {
    await server.stop();
    throw new Error(`${err.message}\n--- code-server output ---\n${serverLog.join('')}`);
  }
  return server;
}

/** SIGTERM to the process group we started, SIGKILL after 5 s, then remove the temp folder. */
async function stopServer(child, root) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    const signal = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    // Children that outlived the server (kernel processes) share its group.
    signal('SIGKILL');
  }
  rmSync(root, { recursive: true, force: true });
}
