// Runs the headless runner (bin/rnn-lab.js) as a child process for the runner's tests.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const rnnLabBin = path.resolve(__dirname, '../../bin/rnn-lab.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `rnn-lab …args` in `cwd`: its exit code and output (a failing exit is a result, not a throw). */
export async function runRnnLab(cwd: string, args: readonly string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [rnnLabBin, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
