/// <reference types="mocha" />
// Entry of the extension-host suite in the web worker extension host (run-web.mjs --web): as
// suite/index.ts, but that host has no process and no file system of its own, so the driver's
// settings come from a file it writes into the test workspace (.rnn-lab-test.json) and the results
// go back the same way (.rnn-lab-test-results.json), both through vscode.workspace.fs. Mocha is
// its browser build (web/mocha.ts), node:assert a small stand-in (web/assert.ts).
import Mocha from 'mocha';
import * as vscode from 'vscode';
import files from '../suite/files.json';
import { LineReporter, reporterResults, type SuiteResults } from '../suite/reporter';

/** What run-web.mjs --web writes into the workspace before the workbench opens. */
interface RunSettings {
  mode: string;
  grep?: string;
  ci: boolean;
  /** The workbench is behind the cross-origin isolating proxy (web.test.ts checks that it is isolated then). */
  isolated: boolean;
}

const loaders: Record<string, () => Promise<unknown>> = {
  'web.test': () => import('../suite/web.test'),
};

const say = (line: string): void => console.log(`[rnn-lab-test] ${line}`);

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test workspace folder is not open');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function run(): Promise<void> {
  const settings = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile('.rnn-lab-test.json')))) as RunSettings;
  const mode = settings.mode as keyof typeof files;
  const mocha = new Mocha({
    ui: 'tdd',
    timeout: 900_000,
    color: false,
    reporter: LineReporter,
    ...(settings.grep ? { grep: settings.grep } : {}),
    forbidOnly: true,
    forbidPending: settings.ci,
  });
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'rnn-lab-web-suite', mocha);

  const loadErrors: SuiteResults['loadErrors'] = [];
  const wanted = Array.isArray(files[mode]) ? (files[mode] as string[]) : undefined;
  if (!wanted) loadErrors.push({ file: `mode ${String(mode)}`, error: `files.json has no mode ${String(mode)}` });
  for (const file of wanted ?? []) {
    try {
      const load = loaders[file];
      if (!load) throw new Error(`web/index.ts has no loader for ${file} (listed in files.json)`);
      await load();
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      loadErrors.push({ file, error });
      say(`✖ suite file ${file} failed to load\n${error.replace(/^/gm, '      ')}`);
    }
  }
  const registered = mocha.suite.total();
  say(`mode ${String(mode)}: ${wanted?.length ?? 0} suite files, ${registered} tests registered in the web worker extension host`);

  let failures = 0;
  try {
    failures = await new Promise<number>((resolve) => mocha.run(resolve));
  } finally {
    const results: SuiteResults = { ...reporterResults(), mode: String(mode), ci: settings.ci, registered, files: wanted ?? [], loadErrors };
    await vscode.workspace.fs.writeFile(workspaceFile('.rnn-lab-test-results.json'), new TextEncoder().encode(JSON.stringify(results, null, 2)));
  }
  if (loadErrors.length > 0) throw new Error(`${loadErrors.length} suite file(s) failed to load: ${loadErrors.map((e) => e.file).join(', ')}`);
  if (registered === 0) throw new Error('no test was registered');
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
