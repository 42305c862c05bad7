// New RNN Lab notebooks and the samples shipped with the extension, opened as untitled notebooks
// with the RNN Lab kernelspec and the RNN Lab kernel selected.

import * as vscode from 'vscode';
import type { CellOutput } from '../kernel/protocol';
import { errorOutput, toVscodeItems } from './cellOutputs';
import { CELL_LANGUAGE, CONTROLLER_ID, EXTENSION_ID, NOTEBOOK_TYPE } from './constants';
import { notebookTitle, parseIpynb, type PlainCell } from './ipynb';
import { newNotebookMetadata, withRnnLabKernelspec } from './notebookMetadata';
import { displayMetadata, mimeBundleToItems, resultMetadata } from './outputItems';

const FIRST_MARKDOWN = `# RNN Lab notebook

Cells are TypeScript and run on the RNN Lab kernel. The engine is imported from \`'rnn-lab'\`,
with PyTorch's names: \`RNN\`, \`LSTM\`, \`GRU\`, \`Linear\`, optimizers and losses.
The value of a cell's last expression is shown below it.`;

const FIRST_CELL = `import { LSTM, manualSeed } from 'rnn-lab';

manualSeed(0);
const lstm = new LSTM(8, 16);
lstm`;

/** VS Code's ipynb support keeps notebook fields flat unless this (old) setting says otherwise. */
function usesCustomMetadataLayout(): boolean {
  return vscode.workspace.getConfiguration('jupyter').get<boolean>('experimental.dropCustomMetadata', true) === false;
}

/** Makes RNN Lab the kernel of the active notebook editor. */
async function selectRnnLabKernel(): Promise<void> {
  try {
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
  } catch (error) {
    console.warn('[rnn-lab] could not select the RNN Lab kernel:', error);
  }
}

async function openWithKernel(data: vscode.NotebookData): Promise<vscode.NotebookEditor> {
  const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
  const editor = await vscode.window.showNotebookDocument(doc);
  await selectRnnLabKernel(); // acts on the active editor, which is this one now
  return editor;
}

export async function newNotebook(): Promise<vscode.NotebookEditor> {
  const data = new vscode.NotebookData([
    new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, FIRST_MARKDOWN, 'markdown'),
    new vscode.NotebookCellData(vscode.NotebookCellKind.Code, FIRST_CELL, CELL_LANGUAGE),
  ]);
  data.metadata = newNotebookMetadata(usesCustomMetadataLayout());
  return openWithKernel(data);
}

function toCellOutput(output: CellOutput, executionCount: number | undefined): vscode.NotebookCellOutput | undefined {
  switch (output.type) {
    case 'stream':
      return new vscode.NotebookCellOutput(
        [output.name === 'stderr' ? vscode.NotebookCellOutputItem.stderr(output.text) : vscode.NotebookCellOutputItem.stdout(output.text)],
        { outputType: 'stream' },
      );
    case 'display':
      return new vscode.NotebookCellOutput(toVscodeItems(mimeBundleToItems(output.data)), { ...displayMetadata() });
    case 'result':
      return new vscode.NotebookCellOutput(toVscodeItems(mimeBundleToItems(output.data)), { ...resultMetadata(executionCount) });
    case 'error':
      return errorOutput(output.error);
    case 'update':
      return undefined;
  }
}

function toCellData(cell: PlainCell): vscode.NotebookCellData {
  if (cell.kind === 'markdown') return new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, cell.source, 'markdown');
  const data = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell.source, cell.kind === 'raw' ? 'raw' : CELL_LANGUAGE);
  data.outputs = cell.outputs.map((o) => toCellOutput(o, cell.executionCount)).filter((o): o is vscode.NotebookCellOutput => o !== undefined);
  if (cell.executionCount !== undefined) data.executionSummary = { executionOrder: cell.executionCount };
  return data;
}

export interface Sample {
  uri: vscode.Uri;
  title: string;
  fileName: string;
}

/** The notebooks in the extension's samples/ folder. */
export async function listSamples(extensionUri: vscode.Uri): Promise<Sample[]> {
  const folder = vscode.Uri.joinPath(extensionUri, 'samples');
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(folder);
  } catch {
    return [];
  }
  const samples: Sample[] = [];
  for (const [fileName, type] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    if (type !== vscode.FileType.File || !fileName.endsWith('.ipynb')) continue;
    const uri = vscode.Uri.joinPath(folder, fileName);
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      samples.push({ uri, fileName, title: notebookTitle(parseIpynb(text, fileName), fileName) });
    } catch {
      samples.push({ uri, fileName, title: fileName });
    }
  }
  return samples;
}

/** An untitled URI named after the sample ("copy-task.ipynb", then "copy-task-2.ipynb", …). */
function untitledUriFor(fileName: string): vscode.Uri {
  const open = new Set(vscode.workspace.notebookDocuments.map((d) => d.uri.toString()));
  const stem = fileName.replace(/\.ipynb$/, '');
  for (let i = 1; ; i++) {
    const uri = vscode.Uri.from({ scheme: 'untitled', path: i === 1 ? `${stem}.ipynb` : `${stem}-${i}.ipynb` });
    if (!open.has(uri.toString())) return uri;
  }
}

/**
 * Opens a copy of the sample as an untitled notebook named like the sample, so the installed file
 * stays as shipped and Save proposes the sample's name.
 */
export async function openSample(sample: Sample): Promise<vscode.NotebookEditor> {
  const nb = parseIpynb(new TextDecoder().decode(await vscode.workspace.fs.readFile(sample.uri)), sample.fileName);
  const cells = nb.cells.map(toCellData);
  const topLevel = usesCustomMetadataLayout() ? { custom: { ...nb.topLevel, cells: [] } } : { ...nb.topLevel };
  const metadata = withRnnLabKernelspec(topLevel) ?? topLevel;
  try {
    const doc = await vscode.workspace.openNotebookDocument(untitledUriFor(sample.fileName));
    const edit = new vscode.WorkspaceEdit();
    edit.set(doc.uri, [
      vscode.NotebookEdit.replaceCells(new vscode.NotebookRange(0, doc.cellCount), cells),
      vscode.NotebookEdit.updateNotebookMetadata({ ...doc.metadata, ...metadata }),
    ]);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the edit was not applied');
    await vscode.window.showNotebookDocument(doc);
    await selectRnnLabKernel();
    return vscode.window.activeNotebookEditor ?? vscode.window.showNotebookDocument(doc);
  } catch (error) {
    console.warn('[rnn-lab] could not open the sample under its own name, opening it as Untitled:', error);
    const data = new vscode.NotebookData(cells);
    data.metadata = metadata;
    return openWithKernel(data);
  }
}
