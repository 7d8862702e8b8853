// How property-based tests run. In `npm test`: a fixed seed and few runs, so the suite is fast
// and a failure repeats. `npm run fuzz` sets FUZZ_RUNS higher and no seed (a random one), and
// fast-check prints the seed and path of any failure, to replay with FUZZ_SEED=… FUZZ_PATH=….
import type { Parameters } from 'fast-check';

export function fuzzParameters<T>(runsInSuite: number): Parameters<T> {
  const runs = Number(process.env.FUZZ_RUNS);
  const seed = process.env.FUZZ_SEED;
  const path = process.env.FUZZ_PATH;
  const fuzzing = Number.isInteger(runs) && runs > 0;
  const parameters: Parameters<T> = { numRuns: fuzzing ? runs : runsInSuite, verbose: 1 };
  if (seed !== undefined && seed !== '') parameters.seed = Number(seed);
  else if (!fuzzing) parameters.seed = 20261201;
  if (path !== undefined && path !== '') parameters.path = path;
  return parameters;
}

/** A test's time-out: longer when fuzzing for real. */
export function fuzzTimeoutMs(inSuiteMs: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(runs) && runs > 0 ? 30 * 60_000 : inSuiteMs;
}
