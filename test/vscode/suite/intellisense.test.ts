/// <reference types="mocha" />
// IntelliSense that knows the kernel, in a real VS Code: the kernel's language server type-checks
// the notebook's cells as one program in cell order against 'rnn-lab' and the cells' globals, and
// VS Code shows its diagnostics, completions (public members, with documentation), signature help
// and hovers on the cells. What VS Code's built-in TypeScript adds on the same cells is logged.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './contract';
import { closeAllEditors, extensionWithKernel, openScratchNotebook, runCells, selectRnnLabKernel, waitFor } from './helpers';

const SOURCE = 'rnn-lab';
const say = (line: string): void => console.log(`[rnn-lab-test]     ${line}`);

const CELLS = [
  "import { LSTM, fit, tensor } from 'rnn-lab';\nconst model = new LSTM(2, 8);\nconst ds = { x: tensor([[[1, 2]]]), y: tensor([1]) };",
  'model.hiddenSize;\nconst s: string = 5;',
  "import { randn } from 'rnn-lab';\nawait new Promise((resolve) => setTimeout(resolve, 1));\ndisplay(plotLoss([3, 2, 1]));",
  'model.',
  'fit(model, ds, { ',
  'new LSTM(2, ',
];

/** The end of a cell's text. */
function endOf(cell: vscode.NotebookCell): vscode.Position {
  const doc = cell.document;
  return doc.lineAt(doc.lineCount - 1).range.end;
}

function positionOf(cell: vscode.NotebookCell, text: string): vscode.Position {
  const offset = cell.document.getText().indexOf(text);
  assert.ok(offset >= 0, `'${text}' in cell ${cell.index + 1}`);
  return cell.document.positionAt(offset);
}

const labelOf = (item: vscode.CompletionItem): string => (typeof item.label === 'string' ? item.label : item.label.label);
const text = (value: vscode.MarkdownString | vscode.MarkedString | string | undefined): string =>
  value === undefined ? '' : typeof value === 'string' ? value : 'value' in value ? value.value : '';

suite('intellisense: the kernel types the cells', () => {
  let cells: vscode.NotebookCell[] = [];

  suiteSetup(async function () {
    await extensionWithKernel();
    const editor = await openScratchNotebook('intellisense', CELLS);
    await selectRnnLabKernel(editor);
    cells = editor.notebook.getCells();
    // The language server is the kernel: it starts with the first cell run.
    await runCells(editor, [cells[0]!]);
    assert.equal(cells[0]!.executionSummary?.success, true, 'the first cell ran');
  });
  suiteTeardown(closeAllEditors);

  test("VS Code's built-in TypeScript on the same cells: quiet with our tsserver plugin, else logged", async function () {
    // It treats each cell as a file of its own; wait until it has loaded, then see what it adds.
    // With the plugin contributed (package.json typescriptServerPlugins, extension/tsserver-plugin/)
    // it must add nothing in these cells; without, what it adds is logged.
    const hoverOnModel = async () =>
      (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cells[1]!.document.uri, positionOf(cells[1]!, 'model').translate(0, 2)))
        .map((h) => h.contents.map(text).join('\n'))
        .filter((c) => !c.includes('const model: LSTM'));
    const others = await waitFor('the built-in TypeScript to load', async () => {
      const h = await hoverOnModel();
      return !h.some((c) => c.includes('(loading...)')) && h;
    }, 90_000).catch(() => ['(still loading after 90 s)']);
    say(`built-in hovers on model: ${JSON.stringify(others)}`);
    await new Promise((r) => setTimeout(r, 3000)); // its diagnostics follow its load
    const reported: string[] = [];
    for (const cell of cells) {
      const found = vscode.languages.getDiagnostics(cell.document.uri).filter((d) => d.source !== SOURCE);
      reported.push(...found.map((d) => `cell ${cell.index + 1}: ${d.source}(${d.code}) ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`));
    }
    say(reported.length ? `built-in diagnostics: ${reported.join(' | ')}` : 'no built-in diagnostics');
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes?: { typescriptServerPlugins?: unknown[] } } | undefined;
    if (manifest?.contributes?.typescriptServerPlugins?.length) {
      assert.deepEqual(others, [], 'the built-in TypeScript hovers in RNN Lab cells');
      assert.deepEqual(reported, [], 'the built-in TypeScript reports diagnostics in RNN Lab cells');
    }
  });

  test('diagnostics: type errors and unknown exports, at their cell and position; nothing that runs', async function () {
    const ours = (cell: vscode.NotebookCell) => vscode.languages.getDiagnostics(cell.document.uri).filter((d) => d.source === SOURCE);
    const error = await waitFor('the type error in cell 2', () => ours(cells[1]!).find((d) => /not assignable to type 'string'/.test(d.message)), 60_000);
    assert.deepEqual([error.range.start.line, error.range.start.character, error.range.end.character], [1, 6, 7]);
    assert.equal(error.severity, vscode.DiagnosticSeverity.Error);
    const unknownExport = await waitFor('randn flagged in cell 3', () => ours(cells[2]!).find((d) => /has no exported member.*'randn'/.test(d.message)), 30_000);
    assert.equal(unknownExport.range.start.line, 0);
    // Top-level await, the display helpers, the earlier cell's names: nothing else in cells 1–3.
    assert.deepEqual(ours(cells[0]!).map((d) => d.message), []);
    assert.deepEqual(ours(cells[1]!).map((d) => d.message), [error.message]);
    assert.deepEqual(ours(cells[2]!).map((d) => d.message), [unknownExport.message]);
    // What VS Code's built-in TypeScript reports on the same cells (for the record).
    for (const cell of cells) {
      const others = vscode.languages.getDiagnostics(cell.document.uri).filter((d) => d.source !== SOURCE);
      if (others.length) say(`cell ${cell.index + 1}, other sources: ${others.map((d) => `${d.source}(${d.code}) ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join(' | ')}`);
    }
  });

  test("completion after 'model.': public members, with documentation", async function () {
    const list = await waitFor(
      'completions after model.',
      async () => {
        const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', cells[3]!.document.uri, endOf(cells[3]!), '.', 60);
        return l.items.some((i) => labelOf(i) === 'forward') && l;
      },
      30_000,
    );
    const labels = list.items.map(labelOf);
    for (const name of ['forward', 'parameters', 'hiddenSize', 'instrument', 'trace', 'train', 'eval']) assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
    for (const name of ['forwardReference', 'checkLengths', 'run', 'directionWeights', 'initialState']) assert.ok(!labels.includes(name), `internal ${name} offered`);
    const forward = list.items.find((i) => labelOf(i) === 'forward')!;
    assert.match(text(forward.documentation), /Runs the layer over a sequence/);
    const dupes = labels.filter((l, i) => labels.indexOf(l) !== i);
    say(`${labels.length} items after 'model.'${dupes.length ? `, duplicates: ${[...new Set(dupes)].join(', ')}` : ''}`);
  });

  test("completion inside fit(net, ds, { : fit's options", async function () {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', cells[4]!.document.uri, endOf(cells[4]!), undefined, 10);
    const labels = list.items.map(labelOf);
    for (const option of ['epochs?', 'lr?', 'batchSize?', 'validation?', 'optimizer?']) assert.ok(labels.includes(option), `${option} in ${labels.slice(0, 40).join(', ')}`);
    say(`${labels.length} items inside fit's options; first: ${labels.slice(0, 8).join(', ')}`);
  });

  test('signature help for new LSTM(2, ', async function () {
    const help = await vscode.commands.executeCommand<vscode.SignatureHelp>('vscode.executeSignatureHelpProvider', cells[5]!.document.uri, endOf(cells[5]!), ',');
    assert.ok(help, 'no signature help');
    const signature = help.signatures[help.activeSignature]!;
    assert.equal(signature.label, 'LSTM(inputSize: number, hiddenSize: number, options?: RecurrentOptions): LSTM');
    assert.equal(help.activeParameter, 1);
  });

  test("hover: the earlier cell's declaration and the live value", async function () {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cells[1]!.document.uri, positionOf(cells[1]!, 'model').translate(0, 2));
    const contents = hovers.map((h) => h.contents.map(text).join('\n'));
    const ours = contents.find((c) => c.includes('const model: LSTM'));
    assert.ok(ours, `hovers: ${JSON.stringify(contents)}`);
    assert.match(ours, /model: LSTM · 384 parameters/);
    const others = contents.filter((c) => c !== ours);
    if (others.length) say(`other hovers on model: ${JSON.stringify(others)}`);
  });
});
