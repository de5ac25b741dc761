// How many cases a property runs: a default suited to `make test` (200 for the pure core), or FAST_CHECK_RUNS when
// it is set (the full run: FAST_CHECK_RUNS=10000). FAST_CHECK_SEED replays a failure fast-check reported.
import fc from 'fast-check';

export const DEFAULT_RUNS = 200;

/** The cases to run: FAST_CHECK_RUNS when set, else defaultRuns; never more than cap (a real apiserver is slow). */
export function numRuns(defaultRuns = DEFAULT_RUNS, cap = Number.POSITIVE_INFINITY): number {
  const asked = process.env.FAST_CHECK_RUNS;
  if (asked === undefined || asked === '') return Math.min(defaultRuns, cap);
  const runs = Number(asked);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FAST_CHECK_RUNS must be a positive integer, not ${JSON.stringify(asked)}`);
  return Math.min(runs, cap);
}

/** Mocha's timeout for a suite of properties: generous per case, never under a minute. */
export function propertyTimeoutMs(msPerCase = 20, defaultRuns = DEFAULT_RUNS): number {
  return Math.max(60_000, numRuns(defaultRuns) * msPerCase);
}

function parameters<T>(defaultRuns: number): fc.Parameters<T> {
  const seed = process.env.FAST_CHECK_SEED;
  return { numRuns: numRuns(defaultRuns), ...(seed ? { seed: Number(seed) } : {}) };
}

/** fc.assert with the run count above. */
export function check<T>(property: fc.IProperty<T>, defaultRuns = DEFAULT_RUNS): void {
  fc.assert(property, parameters<T>(defaultRuns));
}

export async function checkAsync<T>(property: fc.IAsyncProperty<T>, defaultRuns = DEFAULT_RUNS, cap = Number.POSITIVE_INFINITY): Promise<void> {
  await fc.assert(property, { ...parameters<T>(defaultRuns), numRuns: numRuns(defaultRuns, cap) });
}
