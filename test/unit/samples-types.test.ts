// Every sample notebook type-checks without errors through the kernel's language service (what
// IntelliSense shows a person who opens it): cells as one program in cell order, against
// 'rnn-lab''s published declarations and the cells' globals. npm run build writes dist/types first.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver/node';
import { NotebookTypeChecking } from '../../kernel/runtime/languageService/index';
import { typeEnvironment } from '../../kernel/runtime/languageService/environment';

const SAMPLES = path.resolve(__dirname, '../../samples');
const ERROR = 1;

interface Ipynb {
  metadata: unknown;
  cells: { cell_type: string; source: string | string[] }[];
}

/** "code cell 4:12:5 Property 'x' does not exist …" for each error of the notebook's code cells. */
function typeErrors(file: string, nb: Ipynb = JSON.parse(readFileSync(file, 'utf8')) as Ipynb): string[] {
  const notebookUri = pathToFileURL(file).href;
  const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
  const texts = new Map(code.map((text, i) => [`vscode-notebook-cell:${notebookUri.slice('file:'.length)}#cell${i}`, text]));
  const checking = new NotebookTypeChecking({ text: (uri) => texts.get(uri), publishDiagnostics: () => undefined, defaultFolder: () => SAMPLES });
  // As VS Code's ipynb support syncs it: the notebook's metadata under `metadata`.
  checking.setNotebook(notebookUri, [...texts.keys()], { metadata: nb.metadata });
  return [...texts.keys()].flatMap((uri, i) =>
    checking
      .diagnostics(uri)
      .filter((d: Diagnostic) => d.severity === ERROR)
      .map((d) => `code cell ${i + 1}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`),
  );
}

describe('the sample notebooks type-check', () => {
  it('finds dist/types (npm run build writes them), and the check finds an error when there is one', () => {
    expect(typeEnvironment(), 'dist/types/rnn-lab.d.ts and lib.d.ts: run npm run build').not.toBeNull();
    const kernelspec = { name: 'rnn-lab', display_name: 'RNN Lab (TypeScript)', language: 'typescript' };
    const bad: Ipynb = { metadata: { kernelspec }, cells: [{ cell_type: 'code', source: "import { LSTM } from 'rnn-lab';\nconst n: number = new LSTM(2, 3).hiddenSize;" }, { cell_type: 'code', source: 'const s: string = n;' }] };
    expect(typeErrors(path.join(SAMPLES, 'not-a-sample.ipynb'), bad)).toEqual(["code cell 2:1:7 Type 'number' is not assignable to type 'string'."]);
  });
  for (const name of readdirSync(SAMPLES).filter((n) => n.endsWith('.ipynb')).sort()) {
    it(`${name} has no type errors`, () => {
      expect(typeErrors(path.join(SAMPLES, name))).toEqual([]);
    });
  }
});
