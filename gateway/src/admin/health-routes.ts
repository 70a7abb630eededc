// GET /healthz (the gateway process answers) and GET /readyz (it has a backend to send traffic to): open reads
// for orchestrators, so a gateway with an empty or all-down pool is taken out of a higher load balancer.
import type { AdminPlugin } from './admin-app.js';

export const healthRoutes: AdminPlugin = async (app, context) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  // Ready while any pool can take traffic; `pools` says which can, for an operator reading the answer.
  app.get('/readyz', async (_request, reply) => {
    const pools = context.pools.summaries();
    const available = context.pools.available;
    if (available === 0) reply.code(503);
    return { ready: available > 0, available, backends: pools.reduce((sum, pool) => sum + pool.backends, 0), pools };
  });
};
