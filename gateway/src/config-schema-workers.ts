// Configuration of the process model: how many traffic workers serve the listeners (gateway/src/workers/).
// Spread into the schema in config-schema.ts.
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** One process, as before workers existed: no primary, no IPC on any path. */
export const DEFAULT_WORKERS = 1;
/** More workers than this is a typo, not a machine. */
export const MAX_WORKERS = 256;

/**
 * How the workers share a listening port: "roundRobin" (node:cluster's default: the primary accepts and hands each
 * connection to the next worker) or "reusePort" (each worker binds its own socket with SO_REUSEPORT and the
 * kernel spreads connections by hash; Node 22.12+, and fixed ports: with port 0 each worker would get its own).
 */
export const WORKERS_LISTEN = ['roundRobin', 'reusePort'] as const;
export type WorkersListen = (typeof WORKERS_LISTEN)[number];
export const DEFAULT_WORKERS_LISTEN: WorkersListen = 'roundRobin';

/** listen({ reusePort }) came in Node 22.12 (and 23.1); older versions ignore the option silently. */
export function nodeHasReusePort(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12);
}

const NOT_A_COUNT = `is not a whole number from 1 to ${MAX_WORKERS} or "auto"`;

export const workersSections = {
  // A whole number, or "auto" (one per core); from the environment a number arrives as text.
  workers: z
    .preprocess(
      (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
      z.union([z.number().int(NOT_A_COUNT).min(1, NOT_A_COUNT).max(MAX_WORKERS, NOT_A_COUNT), z.literal('auto')], { errorMap: () => ({ message: NOT_A_COUNT }) }),
    )
    .default(DEFAULT_WORKERS),
  workersListen: z
    .enum(WORKERS_LISTEN, { errorMap: () => ({ message: `is not one of ${WORKERS_LISTEN.join(', ')}` }) })
    .refine((mode) => mode !== 'reusePort' || nodeHasReusePort(), { message: `needs Node 22.12 or later (this is Node ${process.versions.node})` })
    .default(DEFAULT_WORKERS_LISTEN),
};

/** reusePort binds each worker's own socket: the ports must be fixed, or every worker would listen on another. */
export function checkWorkers(config: { workersListen: WorkersListen; listen: { port: number }; tls: { enabled: boolean; port: number }; http2: { h2cPort?: number | undefined } }, ctx: z.RefinementCtx): void {
  if (config.workersListen !== 'reusePort') return;
  const zero = [['listen', 'port', config.listen.port], ...(config.tls.enabled ? [['tls', 'port', config.tls.port]] : []), ['http2', 'h2cPort', config.http2.h2cPort]] as const;
  for (const [section, key, port] of zero) {
    if (port === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['workersListen'], message: `needs a fixed ${section}.${key} (it is 0: each worker would listen on a port of its own)` });
  }
}

/** The number of traffic processes a config asks for: "auto" is one per core the OS gives this process. */
export function workerCount(workers: number | 'auto'): number {
  return workers === 'auto' ? availableParallelism() : workers;
}
