// The committed sample notebooks: valid nbformat 4.5 with the RNN Lab kernelspec, built from their
// sources in samples/tools/src, executed top to bottom without errors, and their outputs showing
// what their prose says (test/samples/claims.ts). Re-executing them is `npm run test:samples`.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import { buildNotebook, KERNELSPEC, sourceNames } from '../../samples/tools/notebook.mjs';
import { CLAIMS } from '../samples/claims';
import { errors, readNotebook, text } from '../samples/outputs';

const root = path.resolve(__dirname, '../..');
const samplesDir = path.join(root, 'samples');
const committed = readdirSync(samplesDir).filter((f) => f.endsWith('.ipynb') && !f.startsWith('.')).map((f) => f.slice(0, -6)).sort();
const schema = JSON.parse(readFileSync(path.join(root, 'test/fixtures/notebooks/nbformat/nbformat.v4.5.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('sample notebooks', () => {
  it('has a committed notebook and claims for every source', () => {
    expect(committed).toEqual(sourceNames());
    expect(Object.keys(CLAIMS).sort()).toEqual(committed);
  });

  describe.each(committed)('%s', (name) => {
    const nb = readNotebook(path.join(samplesDir, `${name}.ipynb`));

    it('is valid nbformat 4.5 with the RNN Lab kernelspec and TypeScript cells', () => {
      expect(validate(nb), JSON.stringify(validate.errors, null, 1)).toBe(true);
      expect(nb.metadata.kernelspec).toEqual(KERNELSPEC);
      expect((nb.metadata.language_info as { name: string }).name).toBe('typescript');
    });

    it('has the cells of samples/tools/src/' + name + '.md (rebuild and re-run with samples/tools/notebook.mjs)', () => {
      const built = buildNotebook(name).cells.map((c) => ({ id: c.id, type: c.cell_type, source: c.source.join('') }));
      expect(nb.cells.map((c) => ({ id: c.id, type: c.cell_type, source: text(c.source) }))).toEqual(built);
    });

    it('was executed top to bottom without errors', () => {
      const code = nb.cells.filter((c) => c.cell_type === 'code');
      expect(code.map((c) => c.execution_count)).toEqual(code.map((_, i) => i + 1));
      expect(errors(nb)).toEqual([]);
    });

    it('shows what its prose claims', () => {
      CLAIMS[name]!(nb);
    });
  });
});
