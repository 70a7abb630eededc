// GET /healthz (the gateway process answers) and GET /readyz (it has a backend to send traffic to): open reads
// for orchestrators, so a gateway with an empty or all-down pool is taken out of a higher load balancer.
import type { AdminPlugin } from './admin-app.js';

export const healthRoutes: AdminPlugin = async (app, context) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const members = context.loadBalancer.list();
    const available = members.filter((member) => member.available).length;
    if (!context.loadBalancer.hasAvailable) reply.code(503);
    return { ready: context.loadBalancer.hasAvailable, available, backends: members.length };
  });
};
