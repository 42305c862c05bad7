// One cell in the kernel, raced against the runner's timeout and its abort signal. On timeout the
// kernel is interrupted as the extension does it (SIGINT, which stops even a synchronous loop) and
// given a grace period to end the cell; a kernel that does not is killed.
import type { ExecuteResult } from '../protocol';
import { KernelDiedError, type KernelProcess } from './kernelProcess';

export type CellOutcome =
  | { kind: 'finished'; result: ExecuteResult }
  /** result null: the kernel did not stop the cell within the grace period and was killed. */
  | { kind: 'timed-out'; result: ExecuteResult | null }
  | { kind: 'aborted'; reason: string }
  | { kind: 'died'; error: KernelDiedError }
  /** The kernel answered the request with an error instead of a result (it could not run or report the cell). */
  | { kind: 'rejected'; message: string };

export interface CellLimits {
  /** No limit when undefined. */
  timeoutSeconds: number | undefined;
  graceMs: number;
  /** Resolves with a reason (a signal name) when the run must end now. */
  aborted: Promise<string>;
}

export async function executeCell(
  kernel: KernelProcess,
  code: string,
  params: { executionId: string; cellLabel: string; cwd: string },
  limits: CellLimits,
): Promise<CellOutcome> {
  const execution: Promise<CellOutcome> = kernel.execute(code, params).then(
    (result) => ({ kind: 'finished', result }),
    (error: unknown) => {
      if (error instanceof KernelDiedError) return { kind: 'died', error };
      return { kind: 'rejected', message: describeRejection(error) };
    },
  );
  // The execution first: when both are settled, what the cell did wins.
  const aborted = limits.aborted.then((reason): CellOutcome => ({ kind: 'aborted', reason }));
  if (limits.timeoutSeconds === undefined) return Promise.race([execution, aborted]);
  const first = await raceWithDelay([execution, aborted], limits.timeoutSeconds * 1000);
  if (first !== 'elapsed') return first;
  kernel.interrupt();
  const second = await raceWithDelay([execution, aborted], limits.graceMs);
  if (second === 'elapsed') {
    await kernel.kill(`${params.cellLabel} did not stop within ${(limits.graceMs / 1000).toFixed(0)} s of an interrupt`);
    return { kind: 'timed-out', result: null };
  }
  return second.kind === 'finished' ? { kind: 'timed-out', result: second.result } : second;
}

/** The message of a rejection, whatever was thrown (reading it must not throw in turn). */
export function describeRejection(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'an error that cannot be described';
  }
}

/** The first of `promises` to settle, or 'elapsed' after `ms`. */
export async function raceWithDelay<T>(promises: Promise<T>[], ms: number): Promise<T | 'elapsed'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<'elapsed'>((resolve) => (timer = setTimeout(() => resolve('elapsed'), ms)));
  try {
    return await Promise.race([...promises, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
