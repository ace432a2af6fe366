/**
 * How much longer the property tests run: PROPERTY_RUNS_FACTOR times their
 * usual number of runs (default 1; `npm run test:long` sets 10). The usual
 * counts keep `npm test` within minutes; a rare failure (one in a thousand
 * runs) needs the long runs to show, and fast-check prints the seed and path
 * that reproduce it.
 */
export const RUNS_FACTOR = readRunsFactor(process.env.PROPERTY_RUNS_FACTOR);

/** The number of runs for a property whose usual count is `usual`. */
export function runs(usual: number): number {
  return Math.ceil(usual * RUNS_FACTOR);
}

/** A time limit that grows with the runs (the property's usual limit × the factor, never less). */
export function scaledTimeout(usualMs: number): number {
  return Math.ceil(usualMs * Math.max(1, RUNS_FACTOR));
}

/** PROPERTY_RUNS_FACTOR as a number; unset or blank is 1. */
export function readRunsFactor(text: string | undefined): number {
  if (text === undefined || text.trim() === "") return 1;
  const factor = Number(text);
  // A typo must not silently run the short suite (or none of it).
  if (!Number.isFinite(factor) || factor <= 0 || factor > 1000)
    throw new Error(
      `PROPERTY_RUNS_FACTOR must be a number above 0 and at most 1000, not ${JSON.stringify(text)}`,
    );
  return factor;
}
