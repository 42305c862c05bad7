// The package.json contributions agree with the code and with the extension's contract as the
// VS Code suite states it (test/vscode/suite/contract.ts: ids, commands, views, MIME types).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RnnLabMime } from '../../kernel/protocol';
import { Commands, DASHBOARD_VIEW_TYPE, Settings, Views } from '../../extension/constants';

interface Manifest {
  name: string;
  publisher: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; description?: string } };
  scripts: Record<string, string>;
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { type: string; default: unknown }> };
    notebookRenderer: { id: string; entrypoint: string; mimeTypes: string[] }[];
    walkthroughs: { steps: { media: { markdown?: string } }[] }[];
    viewsWelcome: { view: string; contents: string }[];
  };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const c = manifest.contributes;

describe('package.json contributions', () => {
  it('has the extension id of the contract', () => {
    expect(`${manifest.publisher}.${manifest.name}`).toBe('rnn-lab.rnn-lab');
  });

  it('contributes every command the code registers, and only those', () => {
    expect(c.commands.map((x) => x.command).sort()).toEqual(Object.values(Commands).sort());
    for (const menu of Object.values(c.menus)) for (const entry of menu) expect(Object.values(Commands)).toContain(entry.command);
  });

  it("offers both model exports in the models view's context menu, for model items", () => {
    const onModels = c.menus['view/item/context'].filter((e) => e.when === 'view == rnnLab.models && viewItem == rnnLab.model');
    const contextMenu = onModels.filter((e) => (e as { group?: string }).group !== 'inline').map((e) => e.command);
    expect(contextMenu).toEqual([Commands.exportOnnx, Commands.exportSafetensors, Commands.exportTorch]);
    expect(c.commands.find((x) => x.command === Commands.exportTorch)?.title).toBe('Export Training to PyTorch…');
    expect(c.commands.find((x) => x.command === Commands.exportOnnx)?.title).toBe('Export Model to ONNX');
  });

  it('has the view container, the two views and the dashboard setting', () => {
    expect(c.viewsContainers.activitybar[0].id).toBe(Views.container);
    expect(existsSync(c.viewsContainers.activitybar[0].icon)).toBe(true);
    expect(c.views[Views.container].map((v) => v.id)).toEqual([Views.models, Views.jobs]);
    expect(c.configuration.properties[`${Settings.section}.${Settings.openDashboardOnTrainingStart}`]).toMatchObject({ type: 'boolean', default: true });
    expect(DASHBOARD_VIEW_TYPE).toBe('rnnLab.dashboard');
  });

  it('writes welcome texts without Markdown code spans (a view shows their backticks as they are)', () => {
    expect(c.viewsWelcome.filter((w) => w.contents.includes('`')).map((w) => w.contents)).toEqual([]);
  });

  it('renders every RNN Lab MIME type with the bundled renderer, which takes messages (live displays of finished cells)', () => {
    expect(c.notebookRenderer).toHaveLength(1);
    expect(c.notebookRenderer[0]).toMatchObject({ id: 'rnn-lab-renderer', entrypoint: './dist/renderer.js', requiresMessaging: 'optional' });
    expect([...c.notebookRenderer[0].mimeTypes].sort()).toEqual(Object.values(RnnLabMime).sort());
  });

  it('activates only for notebooks (commands and views activate implicitly)', () => {
    expect(manifest.activationEvents).toEqual(['onNotebook:jupyter-notebook']);
  });

  it('is limited in untrusted workspaces, and says why', () => {
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect(manifest.capabilities.untrustedWorkspaces.description).toMatch(/kernel/);
  });

  it('ships the walkthrough pages it names', () => {
    for (const step of c.walkthroughs[0].steps) if (step.media.markdown) expect(existsSync(step.media.markdown)).toBe(true);
  });

  it('packages with vsce, dependencies bundled by esbuild', () => {
    expect(manifest.scripts.package).toMatch(/^npm run build && vsce package/);
  });
});

describe('.vscodeignore', () => {
  const allowed = readFileSync('.vscodeignore', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1));

  it('is an allow-list that keeps every bundle the installed extension loads', () => {
    expect(readFileSync('.vscodeignore', 'utf8').split('\n')).toContain('**');
    const build = readFileSync('scripts/build.mjs', 'utf8');
    const outputs = [...build.matchAll(/'(dist\/[\w/.-]+\.js)'/g)].map((m) => m[1]);
    const needed = outputs.filter((out) => !/dist\/(test|bench|cli)/.test(out));
    expect(needed.length).toBeGreaterThan(5);
    for (const out of needed) expect(allowed, `${out} is left out of the .vsix`).toContain(out);
    expect(allowed).toContain('dist/main.js');
  });

  it("ships TypeScript's compiler for the kernel (cells are compiled at run time), and no native binary", () => {
    expect(allowed).toContain('node_modules/typescript/lib/typescript.js');
    expect(allowed).toContain('node_modules/typescript/package.json');
    expect(allowed.filter((p) => /esbuild|\.node$/.test(p))).toEqual([]);
  });
});
