// One nbformat module for the extension's sample reader and the headless runner: outputs written
// by the runner read back as the kernel sent them; the readers refuse the same broken files.
import { describe, expect, it } from 'vitest';
import type { CellOutput } from '../../kernel/protocol';
import { fromNbformatOutput, readNotebook, NotebookFormatError } from '../../kernel/nbformat';
import { keepEvenly } from '../../kernel/plots/decimate';
import { OutputCollector, type NotebookOutput } from '../../kernel/runner/notebook';
import { parseIpynb } from '../../extension/ipynb';

describe('nbformat outputs', () => {
  it('reads back what the runner writes', () => {
    const sent: CellOutput[] = [
      { type: 'stream', name: 'stdout', text: 'a\nb\n' },
      { type: 'display', data: { 'text/plain': 'line 1\nline 2', 'application/vnd.rnn-lab.table+json': { kind: 'table', columns: ['x'], rows: [[1]] } } },
      { type: 'result', data: { 'text/plain': '42' } },
      { type: 'error', error: { name: 'Error', message: 'boom', stack: 'Error: boom\n  at cell 1' } },
    ];
    const written: NotebookOutput[] = [];
    const collector = new OutputCollector();
    for (const output of sent) collector.add(written, output, 3);
    const file = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: 'x', metadata: {}, execution_count: 3, outputs: written }] });
    expect(written.map(fromNbformatOutput)).toEqual(sent);
    expect(parseIpynb(file).cells[0]!.outputs).toEqual(sent);
  });

  it('refuses the same broken files in the runner and the extension', () => {
    for (const text of ['{', '[]', '{"nbformat": 4}', '{"nbformat": 4, "cells": [{"cell_type": "code"}]}', '{"nbformat": 3, "cells": []}']) {
      expect(() => readNotebook(text, 'x.ipynb')).toThrow(NotebookFormatError);
      expect(() => parseIpynb(text)).toThrow(NotebookFormatError);
    }
    // The samples' reader takes a file without a version as nbformat 4; the runner does not.
    expect(() => readNotebook('{"cells": []}', 'x.ipynb')).toThrow(/nbformat is undefined/);
    expect(parseIpynb('{"cells": []}').cells).toEqual([]);
  });
});

describe('even decimation of a whole series', () => {
  it('keeps every k-th point, at most max of them, the same stride throughout', () => {
    expect(keepEvenly([0, 1, 2, 3, 4], 10)).toEqual([0, 1, 2, 3, 4]);
    const kept = keepEvenly(Array.from({ length: 10_001 }, (_, i) => i), 2000);
    expect(kept.length).toBeLessThanOrEqual(2000);
    expect(new Set(kept.slice(1).map((v, i) => v - kept[i]!))).toEqual(new Set([6]));
  });
});
