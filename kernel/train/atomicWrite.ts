// Writing a file so that a crash at any moment leaves either the old file or the new one:
// write a temporary file beside it, fsync it, rename it over the target, fsync the directory.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  // pid and thread: two workers (or two kernels) writing the same checkpoint never share a temp file.
  const tmp = `${path}.tmp-${process.pid}-${threadId}`;
  let fd = openSync(tmp, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  // The rename itself is durable only once the directory is synced (not possible on every OS).
  try {
    fd = openSync(dirname(path), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  }
}
