// Two kernel threads for a test: the helper thread starts on first use and takes tens of
// milliseconds to come up (and a moment to resume after a pause for a busy machine).

import { expect } from 'vitest';
import { wasmKernels } from '../../kernel/engine/wasm/instance';
import { setNumThreads, teamFor, type Team } from '../../kernel/engine/wasm/team';

/** Sets two kernel threads and waits until the helper is up; fails the test when it never is. */
export async function twoKernelThreads(): Promise<Team> {
  setNumThreads(2);
  const w = wasmKernels()!;
  for (let i = 0; i < 500 && !teamFor(w); i++) await new Promise((r) => setTimeout(r, 10));
  const team = teamFor(w);
  expect(team).not.toBeNull();
  return team!;
}
