#!/usr/bin/env node
// Builds and executes the sample notebooks from their sources in samples/tools/src/<name>.md.
//
// A source is Markdown: each fenced ```ts block becomes a TypeScript code cell, the text between
// blocks a markdown cell (a line `<!-- cell -->` splits text into two markdown cells). Writing
// the samples this way keeps them reviewable as plain text; the .ipynb is what people open.
//
//   node samples/tools/notebook.mjs build <name>…     samples/<name>.ipynb without outputs
//   node samples/tools/notebook.mjs run <name>…       build, execute with `rnn-lab run` into a
//                                                     temporary file (+ HTML report), and only
//                                                     when every cell ran replace samples/<name>.ipynb
//   (no names: every source)
//
// Run from anywhere; `npm run build` must have produced dist/ first for `run`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const samplesDir = path.resolve(here, '..');
const repo = path.resolve(samplesDir, '..');
const srcDir = path.join(here, 'src');
const reportDir = path.join(tmpdir(), 'rnn-lab-samples');

export const KERNELSPEC = { name: 'rnn-lab', display_name: 'RNN Lab (TypeScript)', language: 'typescript' };
export const LANGUAGE_INFO = { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' };

/** nbformat multiline string: lines keeping their '\n', the last one without. */
function multiline(text) {
  return text.split(/(?<=\n)/);
}

/** Markdown source → nbformat cells (without outputs). */
export function parseSource(text, name) {
  const cells = [];
  let prose = [];
  const flushProse = () => {
    const body = prose.join('\n').trim();
    prose = [];
    if (!body) return;
    for (const part of body.split(/^<!-- cell -->$/m)) {
      const md = part.trim();
      if (md) cells.push({ cell_type: 'markdown', source: md });
    }
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```ts\s*$/.test(line)) {
      flushProse();
      const code = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) code.push(lines[i]);
      if (i >= lines.length) throw new Error(`${name}: a \`\`\`ts block is not closed`);
      cells.push({ cell_type: 'code', source: code.join('\n').trimEnd() });
    } else {
      prose.push(line);
    }
  }
  flushProse();
  // Ids from the cell's position and kind, so that editing a cell leaves the others' ids alone.
  return cells.map((cell, i) => {
    const id = createHash('sha1').update(`${name}:${i}:${cell.cell_type}`).digest('hex').slice(0, 8);
    const base = { id, cell_type: cell.cell_type, metadata: {}, source: multiline(cell.source) };
    return cell.cell_type === 'code' ? { ...base, execution_count: null, outputs: [] } : base;
  });
}

export function buildNotebook(name) {
  const text = readFileSync(path.join(srcDir, `${name}.md`), 'utf8');
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: KERNELSPEC, language_info: LANGUAGE_INFO },
    cells: parseSource(text, name),
  };
}

function write(file, notebook) {
  writeFileSync(file, `${JSON.stringify(notebook, null, 1)}\n`);
}

export function sourceNames() {
  return readdirSync(srcDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.slice(0, -3))
    .sort();
}

function run(name) {
  // Executed from a folder of its own, so that the report is titled <name>.ipynb and nothing
  // temporary lands in samples/. (The samples read no files relative to themselves.)
  const runDir = path.join(reportDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const input = path.join(runDir, `${name}.ipynb`);
  const executed = path.join(reportDir, `${name}.executed.ipynb`);
  const html = path.join(reportDir, `${name}.html`);
  write(input, buildNotebook(name));
  rmSync(executed, { force: true });
  const started = Date.now();
  try {
    execFileSync(process.execPath, [path.join(repo, 'bin/rnn-lab.js'), 'run', input, '--out', executed, '--html', html], { stdio: 'inherit' });
  } catch {
    console.error(`${name}: a cell failed; samples/${name}.ipynb is unchanged. Report: ${html}`);
    return false;
  }
  const notebook = JSON.parse(readFileSync(executed, 'utf8'));
  // Keep the source's metadata (the runner may add its own defaults).
  notebook.metadata = { ...notebook.metadata, kernelspec: KERNELSPEC, language_info: LANGUAGE_INFO };
  write(path.join(samplesDir, `${name}.ipynb`), notebook);
  console.log(`${name}: ran in ${((Date.now() - started) / 1000).toFixed(1)} s; wrote samples/${name}.ipynb and ${html}`);
  return true;
}

function main(argv) {
  const [command, ...names] = argv;
  const targets = names.length > 0 ? names : sourceNames();
  if (command === 'build') {
    for (const name of targets) write(path.join(samplesDir, `${name}.ipynb`), buildNotebook(name));
    return 0;
  }
  if (command === 'run') {
    let ok = true;
    for (const name of targets) ok = run(name) && ok;
    return ok ? 0 : 1;
  }
  console.error('usage: node samples/tools/notebook.mjs build|run [name…]');
  return 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
