// Configuration of the process model: how many traffic workers serve the listeners (gateway/src/workers/).
// Spread into the schema in config-schema.ts.
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** One process, as before workers existed: no primary, no IPC on any path. */
export const DEFAULT_WORKERS = 1;
/** More workers than this is a typo, not a machine. */
export const MAX_WORKERS = 256;

const NOT_A_COUNT = `is not a whole number from 1 to ${MAX_WORKERS} or "auto"`;

export const workersSections = {
  // A whole number, or "auto" (one per core); from the environment a number arrives as text.
  workers: z
    .preprocess(
      (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
      z.union([z.number().int(NOT_A_COUNT).min(1, NOT_A_COUNT).max(MAX_WORKERS, NOT_A_COUNT), z.literal('auto')], { errorMap: () => ({ message: NOT_A_COUNT }) }),
    )
    .default(DEFAULT_WORKERS),
};

/** The number of traffic processes a config asks for: "auto" is one per core the OS gives this process. */
export function workerCount(workers: number | 'auto'): number {
  return workers === 'auto' ? availableParallelism() : workers;
}
