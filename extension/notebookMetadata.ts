// Reading and writing the Jupyter kernelspec in a VS Code notebook's metadata. Pure functions.
//
// VS Code's ipynb support (the built-in vscode.ipynb extension) keeps the file's top-level fields
// (nbformat, nbformat_minor, metadata) in NotebookDocument.metadata. Older versions, or the setting
// `jupyter.experimental.dropCustomMetadata: false`, nest them one level down in `metadata.custom`.
// Both layouts are read; a write keeps the layout it found.

import { KERNELSPEC, LANGUAGE_INFO } from './constants';

export interface Kernelspec {
  name: string;
  display_name: string;
  language?: string;
}

/** The Jupyter notebook-level fields that VS Code keeps in NotebookDocument.metadata. */
export interface IpynbTopLevel {
  nbformat?: number;
  nbformat_minor?: number;
  metadata?: { kernelspec?: Partial<Kernelspec>; language_info?: Record<string, unknown>; [key: string]: unknown };
  [key: string]: unknown;
}

export type DocumentMetadata = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when the document keeps the ipynb fields under `custom` (the older layout). */
export function usesCustomLayout(documentMetadata: DocumentMetadata | undefined): boolean {
  return isRecord(documentMetadata?.custom);
}

/** The ipynb top-level fields, whichever layout the document uses. */
export function ipynbTopLevel(documentMetadata: DocumentMetadata | undefined): IpynbTopLevel {
  if (!documentMetadata) return {};
  const top = usesCustomLayout(documentMetadata) ? documentMetadata.custom : documentMetadata;
  return isRecord(top) ? (top as IpynbTopLevel) : {};
}

export function kernelspecOf(documentMetadata: DocumentMetadata | undefined): Partial<Kernelspec> | undefined {
  const ks = ipynbTopLevel(documentMetadata).metadata?.kernelspec;
  return isRecord(ks) ? ks : undefined;
}

/** Whether the notebook says it belongs to RNN Lab (its kernelspec names our kernel). */
export function isRnnLabNotebook(documentMetadata: DocumentMetadata | undefined): boolean {
  return kernelspecOf(documentMetadata)?.name === KERNELSPEC.name;
}

/**
 * The document metadata with RNN Lab's kernelspec and language_info written in, or undefined when
 * they are already there (so selecting the kernel on an RNN Lab notebook does not dirty it).
 */
export function withRnnLabKernelspec(documentMetadata: DocumentMetadata | undefined): DocumentMetadata | undefined {
  const current = ipynbTopLevel(documentMetadata);
  const ks = current.metadata?.kernelspec;
  const li = current.metadata?.language_info;
  if (
    ks?.name === KERNELSPEC.name &&
    ks.display_name === KERNELSPEC.display_name &&
    ks.language === KERNELSPEC.language &&
    li?.name === LANGUAGE_INFO.name
  ) {
    return undefined;
  }
  const top: IpynbTopLevel = {
    ...current,
    metadata: { ...current.metadata, kernelspec: { ...KERNELSPEC }, language_info: { ...LANGUAGE_INFO } },
  };
  const base = documentMetadata ?? {};
  return usesCustomLayout(base) ? { ...base, custom: top } : { ...base, ...top };
}

/** Metadata for a new RNN Lab notebook, in the layout VS Code's ipynb support expects. */
export function newNotebookMetadata(customLayout: boolean): DocumentMetadata {
  const top: IpynbTopLevel = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { ...KERNELSPEC }, language_info: { ...LANGUAGE_INFO } },
  };
  return customLayout ? { custom: { ...top, cells: [] } } : { ...top };
}
