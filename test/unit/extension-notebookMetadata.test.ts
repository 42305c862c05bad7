import { describe, expect, it } from 'vitest';
import { ipynbTopLevel, isRnnLabNotebook, kernelspecOf, newNotebookMetadata, withRnnLabKernelspec } from '../../extension/notebookMetadata';

const pythonFlat = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' }, authors: ['a'] },
  indentAmount: ' ',
};

describe('notebook metadata (ipynb kernelspec)', () => {
  it('recognises RNN Lab notebooks in the flat and the older custom layout', () => {
    const flat = newNotebookMetadata(false);
    const custom = newNotebookMetadata(true);
    expect(isRnnLabNotebook(flat)).toBe(true);
    expect(isRnnLabNotebook(custom)).toBe(true);
    expect(kernelspecOf(custom)).toEqual({ name: 'rnn-lab', display_name: 'RNN Lab (TypeScript)', language: 'typescript' });
    expect(isRnnLabNotebook(pythonFlat)).toBe(false);
    expect(isRnnLabNotebook(undefined)).toBe(false);
    expect(isRnnLabNotebook({ metadata: { kernelspec: 'rnn-lab' } })).toBe(false);
  });

  it('writes the kernelspec and language_info, keeping everything else', () => {
    const next = withRnnLabKernelspec(pythonFlat);
    expect(next).toBeDefined();
    expect(isRnnLabNotebook(next)).toBe(true);
    const top = ipynbTopLevel(next);
    expect(top.metadata?.language_info).toMatchObject({ name: 'typescript' });
    expect(top.metadata?.authors).toEqual(['a']);
    expect(top.nbformat).toBe(4);
    expect(next?.indentAmount).toBe(' ');
    // the input is not mutated
    expect(pythonFlat.metadata.kernelspec.name).toBe('python3');
  });

  it('keeps the custom layout when the document uses it', () => {
    const doc = { custom: { nbformat: 4, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } } }, other: 1 };
    const next = withRnnLabKernelspec(doc) as { custom: { metadata: { kernelspec: { name: string } } }; other: number; metadata?: unknown };
    expect(next.custom.metadata.kernelspec.name).toBe('rnn-lab');
    expect(next.other).toBe(1);
    expect(next.metadata).toBeUndefined();
  });

  it('returns undefined when the kernelspec is already RNN Lab (no needless edit)', () => {
    expect(withRnnLabKernelspec(newNotebookMetadata(false))).toBeUndefined();
    expect(withRnnLabKernelspec(newNotebookMetadata(true))).toBeUndefined();
  });

  it('handles a notebook without metadata', () => {
    const next = withRnnLabKernelspec(undefined);
    expect(isRnnLabNotebook(next)).toBe(true);
  });
});
