/**
 * Property tests run with a fixed fast-check seed, so that a run in CI is the run on a laptop, and a failure names
 * the seed (and the path of the shrunk counterexample) that replays it. Override with FC_SEED=<n> to explore other
 * inputs: `FC_SEED=$RANDOM npx jest test/...`.
 */
import * as fc from 'fast-check';

/** The seed every property test starts from, unless FC_SEED is set. */
export const PROPERTY_SEED = Number(process.env.FC_SEED ?? 20261207);

/**
 * FC_END_ON_FAILURE=1 reports the first counterexample without shrinking it. `npm run mutation` sets it: it needs to know
 * only whether a property fails on a mutant, and shrinking a mutant's counterexample can take far longer than the runs.
 * Which inputs are tried does not change, so neither does whether the property fails.
 */
const END_ON_FAILURE = process.env.FC_END_ON_FAILURE === '1';

/**
 * FC_RUNS_FACTOR=<f> scales each property's number of runs by f (rounded up). With the fixed seed the runs are a
 * prefix of the full runs, so a property that fails with fewer runs fails with all of them: `npm run mutation` uses it
 * for a module whose properties would otherwise take minutes per mutant, and its score is then a lower bound.
 */
const RUNS_FACTOR = Number(process.env.FC_RUNS_FACTOR ?? 1);

function withDefaults<Ts>(params: fc.Parameters<Ts>, seed: number): fc.Parameters<Ts> {
  const numRuns = params.numRuns ?? fc.readConfigureGlobal()?.numRuns ?? 100;
  const runs = RUNS_FACTOR === 1 ? {} : { numRuns: Math.max(1, Math.ceil(numRuns * RUNS_FACTOR)) };
  return { ...params, seed, ...runs, ...(END_ON_FAILURE ? { endOnFailure: true } : {}) };
}

/** `fc.assert` with the fixed seed (params may override numRuns etc., and the seed itself where a test needs its own). */
export function assertProperty<Ts>(property: fc.IProperty<Ts>, params: fc.Parameters<Ts> = {}): void {
  const seed = params.seed ?? PROPERTY_SEED;
  try {
    fc.assert(property, withDefaults(params, seed));
  } catch (error) {
    throw withSeed(error, seed);
  }
}

/** The same for asynchronous properties. */
export async function assertAsyncProperty<Ts>(property: fc.IAsyncProperty<Ts>, params: fc.Parameters<Ts> = {}): Promise<void> {
  const seed = params.seed ?? PROPERTY_SEED;
  try {
    await fc.assert(property, withDefaults(params, seed));
  } catch (error) {
    throw withSeed(error, seed);
  }
}

function withSeed(error: unknown, seed: number): unknown {
  if (error instanceof Error) {
    error.message = `property failed with fast-check seed ${seed} (replay: FC_SEED=${seed}; fast-check's report below names the path)\n${error.message}`;
  }
  return error;
}
