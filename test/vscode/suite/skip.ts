/// <reference types="mocha" />
// Tests written against the contract before the extension has the feature skip with a reason.
// RNN_LAB_STRICT=1 turns every such skip into a failure (for when the extension is complete).

const reasons = new Map<string, string>();

/** Skips the running test (or, in suiteSetup, the whole suite) and remembers why. */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  if (process.env.RNN_LAB_STRICT === '1') throw new Error(`not implemented (strict mode): ${reason}`);
  const runnable = ctx.test as (Mocha.Runnable & { type?: string }) | undefined;
  if (runnable?.type === 'hook') {
    // Skipped in a hook, Mocha marks the suite's remaining tests pending: note it on the suite.
    if (runnable.parent) reasons.set(runnable.parent.fullTitle(), reason);
  } else if (runnable) {
    reasons.set(runnable.fullTitle(), reason);
  }
  ctx.skip();
}

/** The recorded reason for a skipped test, looking up its enclosing suites too. */
export function skipReason(test: Mocha.Test): string | undefined {
  for (let node: Mocha.Suite | Mocha.Test | undefined = test; node; node = node.parent) {
    const reason = reasons.get(node.fullTitle());
    if (reason) return reason;
  }
  return undefined;
}
