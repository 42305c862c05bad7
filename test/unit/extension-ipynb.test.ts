import { describe, expect, it } from 'vitest';
import { notebookTitle, parseIpynb } from '../../extension/ipynb';

const sample = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'rnn-lab', display_name: 'RNN Lab (TypeScript)', language: 'typescript' } },
  cells: [
    { cell_type: 'markdown', metadata: {}, source: ['# Vanishing gradients\n', 'RNN vs LSTM'] },
    {
      cell_type: 'code',
      execution_count: 2,
      metadata: {},
      source: ['const x = 1;\n', 'x'],
      outputs: [
        { output_type: 'stream', name: 'stdout', text: ['hello\n', 'world\n'] },
        { output_type: 'execute_result', execution_count: 2, metadata: {}, data: { 'text/plain': ['1'], 'application/vnd.rnn-lab.table+json': { kind: 'table', columns: ['a'], rows: [[1]] } } },
        { output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['Error: boom', '  at cell 2'] },
        { output_type: 'weird' },
      ],
    },
    { cell_type: 'raw', metadata: {}, source: 'raw text' },
  ],
});

describe('reading sample notebooks', () => {
  it('reads cells, sources, outputs and the top-level fields', () => {
    const nb = parseIpynb(sample);
    expect(nb.topLevel.metadata?.kernelspec?.name).toBe('rnn-lab');
    expect(nb.topLevel).not.toHaveProperty('cells');
    expect(nb.cells.map((c) => c.kind)).toEqual(['markdown', 'code', 'raw']);
    const code = nb.cells[1];
    expect(code.source).toBe('const x = 1;\nx');
    expect(code.executionCount).toBe(2);
    expect(code.outputs).toEqual([
      { type: 'stream', name: 'stdout', text: 'hello\nworld\n' },
      { type: 'result', data: { 'text/plain': '1', 'application/vnd.rnn-lab.table+json': { kind: 'table', columns: ['a'], rows: [[1]] } } },
      { type: 'error', error: { name: 'Error', message: 'boom', stack: 'Error: boom\n  at cell 2' } },
    ]);
    expect(notebookTitle(nb, 'vanishing.ipynb')).toBe('Vanishing gradients');
  });

  it('titles a notebook without headings by its file name, and rejects non-notebooks', () => {
    expect(notebookTitle(parseIpynb('{"cells": []}'), 'copy-task.ipynb')).toBe('copy-task');
    expect(() => parseIpynb('{"nbformat": 4}')).toThrow(/cells/);
  });
});
