// A rolling restart: each worker in turn is replaced by a new one, which must be listening before the old one
// drains, so the listeners always have a worker taking new connections. New workers load the code on disk:
// this is how a new build of the traffic path goes live without downtime.
import type { Logger } from '../observability/logger.js';
import type { WorkerHandle } from './worker-handle.js';

export interface RestartSteps {
  /** The workers serving now (the ones to replace). */
  current(): WorkerHandle[];
  fork(): WorkerHandle;
  /** Drains a worker and resolves once it exited. */
  retire(handle: WorkerHandle): Promise<void>;
  /** True once shutdown started: the restart stops where it is. */
  stopped(): boolean;
}

export async function rollingRestart(steps: RestartSteps, log: Logger): Promise<void> {
  const old = steps.current();
  for (const [index, handle] of old.entries()) {
    if (steps.stopped()) return;
    const next = steps.fork();
    try {
      await next.listening;
    } catch (error) {
      // The old worker keeps serving: a build that cannot start must not take the listeners down.
      log.error({ err: error, worker: next.pid }, `rolling restart stopped: the new worker did not start, worker ${handle.pid} keeps serving`);
      return;
    }
    await steps.retire(handle);
    log.info({ worker: next.pid, replaced: handle.pid }, `rolling restart: worker ${next.pid} replaced ${handle.pid} (${index + 1}/${old.length})`);
  }
  log.info({ workers: old.length }, 'rolling restart done');
}
