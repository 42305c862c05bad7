// A kernel per notebook: the pure pieces. Which notebook the views follow and a command means,
// whether Restart Kernel asks first and what, where the dashboard and the parameter view open, what
// the status bar says, and the kernel's cheap "how many variables" answer.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { followedNotebook, notebookUriOf } from '../../extension/activeNotebook';
import { Settings } from '../../extension/constants';
import { panelColumn, type EditorGroupInfo } from '../../extension/panelPlacement';
import { restartQuestion, type RestartFacts } from '../../extension/restartQuestion';
import { otherKernelsLine, statusLook } from '../../extension/statusLook';
import { scopeSummary } from '../../kernel/runtime/inspector';
import { NotebookScope } from '../../kernel/runtime/scope';

describe('the notebook the views follow', () => {
  const open = new Set(['a', 'b', 'c']);
  const isOpen = (nb: string): boolean => open.has(nb);

  it('is the active notebook editor’s when there is one', () => {
    expect(followedNotebook('a', 'b', isOpen, ['a', 'b'])).toBe('b');
    expect(followedNotebook(undefined, 'c', isOpen, [])).toBe('c');
  });

  it('stays while the focus is in a webview, the sidebar or a text editor (no active notebook)', () => {
    expect(followedNotebook('a', undefined, isOpen, ['b'])).toBe('a');
  });

  it('moves to a notebook still in view when the followed one closed, else none', () => {
    expect(followedNotebook('z', undefined, isOpen, ['z', 'b'])).toBe('b');
    expect(followedNotebook('z', undefined, isOpen, [])).toBeUndefined();
  });
});

describe('the notebook a command is for', () => {
  const uri = (s: string) => ({ scheme: 'file', path: s, toString: () => `file://${s}` });

  it('reads a Uri, a notebook, an editor and the notebook toolbar’s context', () => {
    expect(notebookUriOf(uri('/w/a.ipynb'))).toBe('file:///w/a.ipynb');
    expect(notebookUriOf({ uri: uri('/w/b.ipynb'), getCells: () => [] })).toBe('file:///w/b.ipynb');
    expect(notebookUriOf({ notebook: { uri: uri('/w/c.ipynb') } })).toBe('file:///w/c.ipynb');
    expect(notebookUriOf({ notebookEditor: { notebookUri: uri('/w/d.ipynb') }, ui: true })).toBe('file:///w/d.ipynb');
  });

  it('is the followed notebook (undefined here) for anything else', () => {
    for (const argument of [undefined, null, 'job-1', 3, {}, { kind: 'model', model: 'net' }]) expect(notebookUriOf(argument)).toBeUndefined();
  });
});

describe('Restart Kernel asks first', () => {
  const facts = (over: Partial<RestartFacts>): RestartFacts => ({ notebook: 'char-rnn', confirm: true, running: true, variables: 0, runningJobs: 0, busy: false, ...over });

  it('when it would throw away variables, naming the notebook and the counts', () => {
    const q = restartQuestion(facts({ variables: 7 }));
    expect(q?.message).toBe('Restart the RNN Lab kernel of char-rnn? Its variables (7) and running training jobs (0) will be lost.');
    expect(q?.detail).toMatch(/Other notebooks keep their kernels/);
    expect(q?.detail).toMatch(/Don't Ask Again.*rnnLab\.kernel\.confirmRestart/);
  });

  it('when a training job runs, or a cell', () => {
    expect(restartQuestion(facts({ runningJobs: 2 }))?.message).toMatch(/variables \(0\) and running training jobs \(2\)/);
    expect(restartQuestion(facts({ busy: true }))?.detail).toMatch(/cell running now stops too/);
  });

  it('when the kernel could not say how many variables it has (a cell spins): it asks without a count', () => {
    const q = restartQuestion(facts({ variables: undefined, busy: true }));
    expect(q?.message).toBe('Restart the RNN Lab kernel of char-rnn? Its variables and running training jobs (0) will be lost.');
    expect(q?.detail).toMatch(/could not say/);
  });

  it('not when there is nothing to lose, the kernel is not running, or the setting is off', () => {
    expect(restartQuestion(facts({}))).toBeUndefined();
    expect(restartQuestion(facts({ running: false, variables: 3 }))).toBeUndefined();
    expect(restartQuestion(facts({ confirm: false, variables: 3, runningJobs: 1, busy: true }))).toBeUndefined();
  });

  it('is a setting of the extension, on by default', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, { type: string; default: unknown }> } } };
    expect(manifest.contributes.configuration.properties[`${Settings.section}.${Settings.confirmRestart}`]).toMatchObject({ type: 'boolean', default: true });
  });
});

describe('where the dashboard and the parameter view open', () => {
  const group = (viewColumn: number, over: Partial<EditorGroupInfo> = {}): EditorGroupInfo => ({ viewColumn, hasRnnLabPanel: false, showsNotebook: false, ...over });

  it('in the group that already holds an RNN Lab panel, whichever group has the focus', () => {
    expect(panelColumn([group(1, { showsNotebook: true }), group(2, { hasRnnLabPanel: true })], 1)).toBe(2);
    // The case: the dashboard beside the notebook had the focus, and the parameter view opened a third column.
    expect(panelColumn([group(1, { showsNotebook: true }), group(2, { hasRnnLabPanel: true }), group(3)], 1)).toBe(2);
  });

  it('else in a side group right of the notebook that shows no notebook, else a new column', () => {
    expect(panelColumn([group(1, { showsNotebook: true })], 1)).toBe(2);
    expect(panelColumn([group(1), group(2, { showsNotebook: true }), group(3)], 2)).toBe(3);
    expect(panelColumn([group(1), group(2, { showsNotebook: true })], 2)).toBe(1);
    // Two notebooks side by side stay in view.
    expect(panelColumn([group(1, { showsNotebook: true }), group(2, { showsNotebook: true })], 1)).toBe(3);
  });

  it('beside the active group when no notebook is in view and no panel is open', () => {
    expect(panelColumn([group(1)], undefined)).toBe('beside');
    expect(panelColumn([group(1), group(2, { hasRnnLabPanel: true })], undefined)).toBe(2);
  });
});

describe('the status bar names the kernel', () => {
  it('"RNN Lab: <notebook> · state"', () => {
    expect(statusLook('idle', 'char-rnn').text).toBe('$(circle-large-outline) RNN Lab: char-rnn · idle');
    expect(statusLook('busy', 'char-rnn').text).toBe('$(sync~spin) RNN Lab: char-rnn · busy');
    expect(statusLook('training', 'char-rnn')).toMatchObject({ text: '$(pulse) RNN Lab: char-rnn · training', command: 'rnnLab.showDashboard' });
    expect(statusLook('dead', 'char-rnn')).toMatchObject({ text: '$(error) RNN Lab: char-rnn · dead, restart', command: 'rnnLab.restartKernel', error: true });
    expect(statusLook('stopped', 'char-rnn').text).toBe('$(circle-outline) RNN Lab: char-rnn');
    expect(statusLook('stopped').text).toBe('$(circle-outline) RNN Lab');
  });

  it('and lists the other notebooks’ started kernels in its tooltip', () => {
    expect(otherKernelsLine([])).toBe('');
    expect(otherKernelsLine([{ name: 'a', state: 'stopped' }])).toBe('');
    expect(otherKernelsLine([{ name: 'a', state: 'idle' }, { name: 'b', state: 'training' }, { name: 'c', state: 'stopped' }])).toBe(
      "Other notebooks' kernels: a (idle), b (training)",
    );
  });
});

describe("the kernel's scope summary (rnnLab/scopeSummary)", () => {
  it('counts the names cells declared, not the builtins, and lists the first 20', () => {
    const scope = new NotebookScope({ display: () => undefined });
    expect(scopeSummary(scope)).toEqual({ variables: 0, names: [] });
    const names = Array.from({ length: 25 }, (_, i) => `v${i}`);
    scope.declare(names.map((name) => ({ name, kind: 'let' as const })));
    const summary = scopeSummary(scope);
    expect(summary.variables).toBe(25);
    expect(summary.names).toEqual(names.slice(0, 20));
    scope.reset();
    expect(scopeSummary(scope).variables).toBe(0);
  });
});
