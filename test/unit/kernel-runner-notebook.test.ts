// The runner's notebook side (kernel/runner/notebook.ts) on input and outputs it must not
// write as they are: every notebook it writes validates against nbformat 4.5's schema.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { finishNotebook, NotebookFormatError, OutputCollector, parseNotebook, type NotebookCell, type NotebookOutput } from '../../kernel/runner/notebook';

let validate: ValidateFunction;

beforeAll(() => {
  const schema = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/notebooks/nbformat/nbformat.v4.5.schema.json'), 'utf8')) as object;
  validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
});

/** Parses `value` as the runner does and writes it back with no cell run. */
function roundTrip(value: unknown): { written: unknown; repairs: string[] } {
  const repairs: string[] = [];
  const notebook = parseNotebook(JSON.stringify(value), 'in.ipynb', (what) => repairs.push(what));
  const cells = notebook.cells.map((cell): NotebookCell => (cell.cell_type === 'code' ? { ...cell, execution_count: null, outputs: [] } : cell));
  return { written: finishNotebook(notebook, cells), repairs };
}

describe('parseNotebook and finishNotebook', () => {
  it('repair what the schema rejects, and say what they repaired', () => {
    const { written, repairs } = roundTrip({
      nbformat: 4,
      nbformat_minor: -1,
      metadata: { kernelspec: { name: 'x' }, language_info: { name: 3 }, orig_nbformat: 'four', authors: 'me' },
      cells: [
        { cell_type: 'markdown', id: 'a', source: 'md', metadata: { collapsed: 'yes' }, outputs: [], execution_count: 3, attachments: 'none' },
        { cell_type: 'code', id: 'a', source: 'x', metadata: { execution: { start: 1 }, name: '' } },
        { cell_type: 'raw', id: 'x'.repeat(65), source: ['r'], metadata: { format: 7 } },
        { cell_type: 'code', id: 7, source: 'y', metadata: null },
      ],
    });
    expect(validate(written), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(repairs).toEqual([
      'nbformat_minor is -1, not a minor version number; the notebook is written as nbformat 4.5',
      'notebook metadata "kernelspec" is {"name":"x"}, which nbformat does not allow; it is left out',
      'notebook metadata "language_info" is {"name":3}, which nbformat does not allow; it is left out',
      'notebook metadata "orig_nbformat" is "four", which nbformat does not allow; it is left out',
      'notebook metadata "authors" is "me", which nbformat does not allow; it is left out',
      'cell 1: "attachments" is not a map of MIME bundles; it is left out',
      'cell 2: metadata "name" is "", which nbformat does not allow; it is left out',
      'cell 2: metadata "execution" is {"start":1}, which nbformat does not allow; it is left out',
      expect.stringMatching(/^cell 2: id "a" repeats the id of cell 1; it is written with id "[\w-]{8}"$/),
      'cell 3: metadata "format" is 7, which nbformat does not allow; it is left out',
      expect.stringMatching(/^cell 3: id "x{56}\.\.\. is not a valid cell id; it is written with id "[\w-]{8}"$/),
      'cell 4: metadata is null, not an object; it is left out',
      expect.stringMatching(/^cell 4: id 7 is not a valid cell id; it is written with id "[\w-]{8}"$/),
    ]);
    // A markdown cell keeps the fields markdown cells have (its metadata is free-form but for
    // name, tags and jupyter), and a valid kernelspec is put in.
    expect((written as { cells: object[] }).cells[0]).toEqual({ id: 'a', cell_type: 'markdown', metadata: { collapsed: 'yes' }, source: 'md' });
    expect((written as { metadata: { kernelspec: object } }).metadata.kernelspec).toMatchObject({ name: 'rnn-lab' });
  });

  it('says nothing for a plain notebook older than 4.5 (no ids) and gives its cells ids', () => {
    const { written, repairs } = roundTrip({ nbformat: 4, nbformat_minor: 2, metadata: {}, cells: [{ cell_type: 'code', source: '1', metadata: {} }] });
    expect(repairs).toEqual([]);
    expect(validate(written)).toBe(true);
    expect((written as { nbformat_minor: number }).nbformat_minor).toBe(5);
  });

  it('still refuses what it cannot repair', () => {
    expect(() => parseNotebook('{"nbformat":4,"cells":[{"cell_type":"code"}]}', 'in.ipynb')).toThrow(NotebookFormatError);
  });
});

describe('OutputCollector', () => {
  it('writes bundles the schema accepts whatever the MIME types carry', () => {
    const outputs: NotebookOutput[] = [];
    const collector = new OutputCollector();
    collector.add(outputs, { type: 'display', data: { 'text/plain': 'a\nb', 'text/json': { not: 'a JSON MIME type' }, 'application/vnd.x+json': { ok: true }, 'text/html': ['<b>', 'x</b>'] } }, 1);
    collector.add(outputs, { type: 'result', data: { 'text/plain': 3 as unknown as string } }, 1);
    collector.add(outputs, { type: 'error', error: { name: 'E', message: 'm', stack: 'E: m\n  at cell 1:1' } }, 1);
    const notebook = finishNotebook({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }, [{ id: 'c', cell_type: 'code', metadata: {}, source: '', execution_count: 1, outputs }]);
    expect(validate(notebook), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(outputs[0]).toMatchObject({ data: { 'text/plain': ['a\n', 'b'], 'text/json': '{"not":"a JSON MIME type"}', 'application/vnd.x+json': { ok: true } } });
  });
});
