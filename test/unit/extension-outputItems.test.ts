import { describe, expect, it } from 'vitest';
import { RnnLabMime } from '../../kernel/protocol';
import { displayMetadata, errorFromInfo, kernelDiedMessage, mimeBundleToItems, resultMetadata } from '../../extension/outputItems';

describe('kernel MIME bundles → notebook output items', () => {
  it('puts RNN Lab plots first and text/plain last, JSON as JSON', () => {
    const spec = { kind: 'loss', series: [{ name: 'train', x: [0, 1], y: [2, 1] }] };
    const items = mimeBundleToItems({ 'text/plain': 'LineChart(1 series)', [RnnLabMime.lines]: spec, 'text/html': '<b>x</b>' });
    expect(items.map((i) => i.mime)).toEqual([RnnLabMime.lines, 'text/html', 'text/plain']);
    expect(items[0]).toEqual({ mime: RnnLabMime.lines, kind: 'json', value: spec });
    expect(items[2]).toEqual({ mime: 'text/plain', kind: 'text', value: 'LineChart(1 series)' });
  });

  it('decodes base64 images to bytes and keeps SVG as text', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64');
    const items = mimeBundleToItems({ 'image/png': png, 'image/svg+xml': '<svg/>' });
    const byMime = Object.fromEntries(items.map((i) => [i.mime, i]));
    expect(byMime['image/png'].kind).toBe('bytes');
    expect(Array.from(byMime['image/png'].value as Uint8Array)).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(byMime['image/svg+xml']).toEqual({ mime: 'image/svg+xml', kind: 'text', value: '<svg/>' });
  });

  it('joins Jupyter multi-line text and skips undefined values', () => {
    const items = mimeBundleToItems({ 'text/plain': ['a\n', 'b'], 'text/markdown': undefined });
    expect(items).toEqual([{ mime: 'text/plain', kind: 'text', value: 'a\nb' }]);
  });

  it('builds errors whose stack names the error once', () => {
    const e = errorFromInfo({ name: 'TypeError', message: 'x is not a function', stack: 'TypeError: x is not a function\n    at cell 2:3' });
    expect(e.name).toBe('TypeError');
    expect(e.stack).toBe('TypeError: x is not a function\n    at cell 2:3');
    const bare = errorFromInfo({ name: 'Error', message: 'boom', stack: '' });
    expect(bare.stack).toBe('Error: boom');
    const noMessage = errorFromInfo({ name: 'RangeError', message: 'bad', stack: '    at cell 1:1' });
    expect(noMessage.stack).toBe('RangeError: bad\n    at cell 1:1');
  });

  it('tags outputs so the ipynb serializer saves them as display_data / execute_result', () => {
    expect(displayMetadata()).toEqual({ outputType: 'display_data', metadata: {} });
    expect(displayMetadata('d1')).toEqual({ outputType: 'display_data', metadata: {}, transient: { display_id: 'd1' } });
    expect(resultMetadata(3)).toEqual({ outputType: 'execute_result', metadata: {}, executionCount: 3 });
    expect(resultMetadata(undefined)).toMatchObject({ executionCount: null });
  });

  it('says how the kernel died and what it printed last', () => {
    const bySignal = kernelDiedMessage({ code: null, signal: 'SIGKILL' }, 'FATAL ERROR: heap out of memory\n');
    expect(bySignal.message).toContain('killed by SIGKILL');
    expect(bySignal.message).toContain('next cell you run starts a new kernel');
    expect(bySignal.stack).toContain('heap out of memory');
    expect(kernelDiedMessage({ code: 3, signal: null }, '').message).toContain('exited with code 3');
    expect(kernelDiedMessage({ code: 3, signal: null }, '  ').stack).toBe('');
  });
});
