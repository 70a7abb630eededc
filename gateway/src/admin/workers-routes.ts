// The traffic workers of a multi-process gateway (workers > 1): GET /workers shows each one's pid and load;
// POST /workers/restart (admin token, audited; the same as SIGUSR2) replaces them one at a time.
// A single-process gateway answers 409: it has no workers to replace.
import type { AdminPlugin } from './admin-app.js';
import { sendAdminError } from './admin-errors.js';

/** One traffic worker as GET /workers shows it. */
export interface WorkerView {
  /** cluster's worker id: a replacement gets a new one. */
  id: number;
  pid: number;
  /** listening, or starting / draining during a restart. */
  state: string;
  startedAt: string;
  /** From the worker's last load report (about once a second). */
  inFlight: number;
  served: number;
}

export interface WorkerControl {
  list(): WorkerView[];
  /** Starts a rolling restart; false when one is already running. */
  restart(actor: string): boolean;
}

export const workersRoutes: AdminPlugin = async (app, { workers, audit, requireToken }) => {
  app.get('/workers', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { workers: workers?.list() ?? [] };
  });

  app.post('/workers/restart', { preHandler: requireToken }, async (request, reply) => {
    if (workers === undefined) return sendAdminError(reply, 409, 'single_process', 'this gateway runs one process (workers: 1): there are no workers to restart');
    const count = workers.list().length;
    if (!workers.restart(request.ip)) return sendAdminError(reply, 409, 'restart_running', 'a rolling restart is already running; see GET /workers');
    audit.write({ event: 'workers-restart', actor: request.ip, reason: `rolling restart asked by ${request.ip}` });
    return reply.code(202).send({ restarting: true, workers: count });
  });
};
