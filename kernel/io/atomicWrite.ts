// Writing a file so that a crash at any moment leaves either the old file or the new one:
// write a temporary file beside it, fsync it, rename it over the target, fsync the directory.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

export function writeFileAtomic(path: string, content: Uint8Array | string): void {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  mkdirSync(dirname(path), { recursive: true });
  // pid and thread: two workers (or two kernels) writing the same file never share a temp file.
  const tmp = `${path}.tmp-${process.pid}-${threadId}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  syncDirectory(dirname(path));
}

/** Makes the rename durable (not possible on every OS; the rename is atomic regardless). */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // Windows cannot open directories
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on directories
  } finally {
    closeSync(fd);
  }
}
