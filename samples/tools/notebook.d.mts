// Types of notebook.mjs for the tests that compare the committed samples with their sources.

export interface SourceCell {
  id: string;
  cell_type: 'code' | 'markdown';
  metadata: Record<string, unknown>;
  source: string[];
  execution_count?: null;
  outputs?: [];
}

export interface SourceNotebook {
  nbformat: 4;
  nbformat_minor: 5;
  metadata: { kernelspec: typeof KERNELSPEC; language_info: typeof LANGUAGE_INFO };
  cells: SourceCell[];
}

export const KERNELSPEC: { name: string; display_name: string; language: string };
export const LANGUAGE_INFO: { name: string; file_extension: string; mimetype: string };
export function parseSource(text: string, name: string): SourceCell[];
export function buildNotebook(name: string): SourceNotebook;
/** Names of the sources in samples/tools/src (without .md). */
export function sourceNames(): string[];
