// 'node:assert/strict' in the web worker extension host's suite bundle (scripts/build.mjs aliases
// it here): the few assertions the shared suite code uses, with Node's meaning.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

const failWith = (message: string | undefined, otherwise: string): never => {
  throw new AssertionError(message ?? otherwise);
};

export function ok(value: unknown, message?: string): asserts value {
  if (!value) failWith(message, `expected a truthy value, got ${String(value)}`);
}

export function equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  if (!Object.is(actual, expected)) failWith(message, `${String(actual)} !== ${String(expected)}`);
}

export function notEqual(actual: unknown, expected: unknown, message?: string): void {
  if (Object.is(actual, expected)) failWith(message, `${String(actual)} === ${String(expected)}`);
}

/** Structural equality of JSON-like values (what the suite compares). */
export function deepEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) failWith(message, `${a} is not deeply equal to ${b}`);
}

export function match(text: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(text)) failWith(message, `${JSON.stringify(text)} does not match ${pattern}`);
}


export function fail(message?: string): never {
  throw new AssertionError(message ?? 'Failed');
}
