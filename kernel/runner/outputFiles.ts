// The files the runner will write, checked before the first cell runs: a run of an hour must not
// end with "cannot write report.html". Creates the folder (as writing would) and tries a file there.
import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** A file the runner was asked to write and cannot: names the option and the path. */
export class OutputPathError extends Error {
  constructor(option: string, file: string, problem: string) {
    super(`${option} ${file}: ${problem}`);
    this.name = 'OutputPathError';
  }
}

/** Throws OutputPathError when a file of `targets` (option → path) cannot be written. */
export function checkWritable(targets: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [option, file] of Object.entries(targets)) {
    if (file === undefined) continue;
    const resolved = path.resolve(file);
    const other = seen.get(resolved);
    if (other !== undefined) throw new OutputPathError(option, file, `is also the file of ${other}`);
    seen.set(resolved, option);
    checkOne(option, file, resolved);
  }
}

function checkOne(option: string, file: string, resolved: string): void {
  if (isDirectory(resolved)) throw new OutputPathError(option, file, 'is a directory');
  const folder = path.dirname(resolved);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new OutputPathError(option, file, `cannot create its folder ${folder} (${reason(error)})`);
  }
  // What writeFileAtomic does: a temporary file beside the target, renamed over it.
  const probe = `${resolved}.tmp-check-${process.pid}`;
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    throw new OutputPathError(option, file, `cannot write in ${folder} (${reason(error)})`);
  }
  rmSync(probe, { force: true });
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false; // missing, or under something that is not a folder: the folder check says which
  }
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? e.message;
}
