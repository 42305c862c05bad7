// Writing a file so that a crash at any moment leaves either the old file or the new one:
// write a temporary file beside it (`<target>.tmp-<pid>-<thread>`), fsync it, rename it over the
// target, fsync the directory.
//
// No temporary file may outlive its write. Three ways one could:
// - an interrupted cell: the kernel ends its JavaScript with V8's TerminateExecution, which runs
//   no catch or finally. It is asked for while a long native call runs (writing 50 MB, fsync) and
//   lands at the next JavaScript after it: between the write and the rename. So this thread
//   remembers the temporary file it is writing; whatever is still remembered when the thread next
//   runs an event-loop turn, or calls writeFileAtomic again, was abandoned (writes are
//   synchronous: nothing of this thread is half-way through one then) and is removed;
// - a killed process (a crashed or killed kernel): the next write of the same target removes the
//   temporary files of that target whose process is gone (process.kill(pid, 0) → ESRCH), and
//   removeStaleTempFilesIn(dir) does so for a whole folder (e.g. at kernel start);
// - a failed write: removed at once, and the error names the target.
// Only names of the exact form `<target>.tmp-<pid>-<thread>` beside the target are touched.

import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';

/** A temporary file this thread is writing, and its descriptor while open. */
interface PendingWrite {
  path: string;
  fd: number | null;
}

/** Temporary files this thread created and has not renamed yet. */
const pending = new Map<string, PendingWrite>();
/** The folder this thread has open to fsync it, while it does (a termination can land before its close). */
let openFolder: PendingWrite | null = null;
let sweepScheduled = false;

/** `<target>.tmp-<pid>-<thread>`: pid and thread, so two workers or two kernels never share one. */
export function tempPathFor(path: string, pid = process.pid, thread = threadId): string {
  return `${path}.tmp-${pid}-${thread}`;
}

export function writeFileAtomic(path: string, content: Uint8Array | string): void {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const target = resolve(path);
  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw cannotSave(target, error, `creating the folder ${dir}`);
  }
  removeAbandonedTempFiles();
  removeStaleTempFiles(target);
  const tmp = tempPathFor(target);
  const write: PendingWrite = { path: tmp, fd: null };
  pending.set(tmp, write);
  scheduleSweep();
  try {
    write.fd = openSync(tmp, 'w');
    let written = 0;
    while (written < bytes.length) written += writeSync(write.fd, bytes, written, bytes.length - written);
    fsyncSync(write.fd);
    closeSync(write.fd);
    write.fd = null;
    renameSync(tmp, target);
  } catch (error) {
    discard(write);
    throw cannotSave(target, error, `writing ${target}`);
  } finally {
    pending.delete(tmp);
  }
  syncDirectory(dir);
}

/** Closes the file if still open and removes it. */
function discard(write: PendingWrite): void {
  if (write.fd !== null) closeIfStillOurs(write.fd, write.path);
  write.fd = null;
  rmSync(write.path, { force: true });
}

/**
 * Closes `fd` if it still is the temporary file. After a termination it may have been closed
 * already (the termination landed just after the close) and its number reused by another file,
 * which must not be closed: the inode tells. A leaked descriptor would keep the removed file's
 * blocks (tens of MB) allocated until the kernel exits.
 */
function closeIfStillOurs(fd: number, path: string): void {
  try {
    const open = fstatSync(fd);
    const named = statSync(path);
    if (open.ino === named.ino && open.dev === named.dev) closeSync(fd);
  } catch {
    // closed already, or the file is gone: nothing of ours to close
  }
}

/**
 * Removes the temporary files this thread abandoned (a write ended by TerminateExecution). Safe at
 * any time on this thread outside writeFileAtomic; the runtime may call it after an interrupt.
 */
export function removeAbandonedTempFiles(): void {
  for (const write of pending.values()) discard(write);
  pending.clear();
  if (openFolder?.fd != null) closeIfStillOurs(openFolder.fd, openFolder.path);
  openFolder = null;
}

/** After an interrupt the event loop turns again: the abandoned file goes then, not at the next save. */
function scheduleSweep(): void {
  if (sweepScheduled || typeof setImmediate !== 'function') return;
  sweepScheduled = true;
  setImmediate(() => {
    sweepScheduled = false;
    removeAbandonedTempFiles();
  }).unref();
}

/** Whether the process `pid` is gone: signal 0 checks without sending anything. */
export function processIsGone(pid: number): boolean {
  if (!(Number.isSafeInteger(pid) && pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, someone else's
  }
}

/**
 * Whether a temporary file of (pid, thread) is stale: its process is gone, or it is this thread's
 * own (this thread is not inside a write when it asks). Another live thread's file is left alone.
 */
function isStale(pid: number, thread: number): boolean {
  if (pid === process.pid) return thread === threadId;
  return processIsGone(pid);
}

const TEMP_SUFFIX = /^\.tmp-(\d+)-(\d+)$/;

/** Removes stale `<target>.tmp-<pid>-<thread>` files beside `target`; returns their paths. */
export function removeStaleTempFiles(target: string): string[] {
  const dir = dirname(target);
  const base = basename(target);
  return removeMatching(dir, (name) => (name.startsWith(base) ? TEMP_SUFFIX.exec(name.slice(base.length)) : null));
}

/** Removes every stale `<name>.tmp-<pid>-<thread>` file in `dir` (not below it); returns their paths. */
export function removeStaleTempFilesIn(dir: string): string[] {
  return removeMatching(dir, (name) => /^.+(\.tmp-(\d+)-(\d+))$/.exec(name)?.slice(1) ?? null);
}

/** `match` gives [suffix, pid, thread] for a temporary file's name, else null. */
function removeMatching(dir: string, match: (name: string) => readonly string[] | null): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // a folder that cannot be listed holds nothing we could remove either
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = match(name);
    if (m === null || !isStale(Number(m[1]), Number(m[2]))) continue;
    const path = join(dir, name);
    try {
      rmSync(path, { force: true });
      removed.push(path);
    } catch {
      // not ours to remove (permissions): leave it
    }
  }
  return removed;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EISDIR: 'a folder is in the way',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENOENT: 'no such file or folder',
};

/** "Cannot save model.safetensors: permission denied writing /abs/model.safetensors (EACCES: open '…')". */
function cannotSave(target: string, error: unknown, doing: string): Error {
  const e = error as NodeJS.ErrnoException;
  const reason = (e.code !== undefined ? REASONS[e.code] : undefined) ?? 'failed';
  const wrapped = new Error(`Cannot save ${basename(target)}: ${reason} ${doing} (${e.message})`, { cause: error }) as NodeJS.ErrnoException;
  if (e.code !== undefined) wrapped.code = e.code;
  return wrapped;
}

/** Makes the rename durable (not possible on every OS; the rename is atomic regardless). */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // Windows cannot open directories
  }
  // Remembered until closed: a TerminateExecution after the fsync runs no finally, and the
  // next event-loop turn (or save) closes what is left open (removeAbandonedTempFiles).
  openFolder = { path: dir, fd };
  scheduleSweep();
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on directories
  } finally {
    closeSync(fd);
    openFolder = null;
  }
}
