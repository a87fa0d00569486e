/**
 * Property tests run with a fixed fast-check seed, so that a run in CI is the run on a laptop, and a failure names
 * the seed (and the path of the shrunk counterexample) that replays it. Override with FC_SEED=<n> to explore other
 * inputs: `FC_SEED=$RANDOM npx jest test/...`.
 */
import * as fc from 'fast-check';

/** The seed every property test starts from, unless FC_SEED is set. */
export const PROPERTY_SEED = Number(process.env.FC_SEED ?? 20261207);

/** `fc.assert` with the fixed seed (params may override numRuns etc., and the seed itself where a test needs its own). */
export function assertProperty<Ts>(property: fc.IProperty<Ts>, params: fc.Parameters<Ts> = {}): void {
  const seed = params.seed ?? PROPERTY_SEED;
  try {
    fc.assert(property, { ...params, seed });
  } catch (error) {
    throw withSeed(error, seed);
  }
}

/** The same for asynchronous properties. */
export async function assertAsyncProperty<Ts>(property: fc.IAsyncProperty<Ts>, params: fc.Parameters<Ts> = {}): Promise<void> {
  const seed = params.seed ?? PROPERTY_SEED;
  try {
    await fc.assert(property, { ...params, seed });
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
