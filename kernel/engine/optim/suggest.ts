// "Did you mean …?" for option names: PyTorch's snake_case spelled in camelCase first
// (weight_decay → weightDecay), else the valid name nearest in edit distance.

/** batch_size → batchSize, weight_decay → weightDecay (other names unchanged). */
export function snakeToCamel(name: string): string {
  return name.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Optimal string alignment distance (Levenshtein plus swapping two neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Compared without case and underscores: BatchSize, batch_size and batchsize are one name. */
function normalized(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/**
 * The valid name `given` was most likely meant to be, or null when none is close: its camelCase
 * spelling, else the shortest name it begins (every → everySteps), else the nearest in edit
 * distance if at most half the name's letters differ.
 */
export function nearestName(given: string, valid: readonly string[]): string | null {
  const camel = snakeToCamel(given);
  if (valid.includes(camel)) return camel;
  const g = normalized(given);
  const extended = g.length >= 3 ? valid.filter((name) => normalized(name).startsWith(g)) : [];
  if (extended.length > 0) return extended.reduce((a, b) => (b.length < a.length ? b : a));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const name of valid) {
    const distance = editDistance(g, normalized(name));
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return bestDistance <= Math.max(2, Math.ceil(g.length / 2)) ? best : null;
}

/** " (did you mean 'x'?)", or '' when no valid name is close. */
export function didYouMean(given: string, valid: readonly string[]): string {
  const near = nearestName(given, valid);
  return near === null ? '' : ` (did you mean '${near}'?)`;
}
