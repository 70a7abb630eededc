// The pool as an operator sees and steers it: GET /pool explains every backend (open read); drain, enable and
// weight changes need the admin token and name the client address as the actor in the log and audit trail.
import { z } from 'zod';
import type { AdminPlugin } from './admin-app.js';
import { sendAdminError, sendInvalidBody } from './admin-errors.js';
import { describePool } from './pool-view.js';

interface IdParams {
  id: string;
}

const weightBody = z.object(
  { weight: z.number({ required_error: 'is required', invalid_type_error: 'is not a number' }).int('is not an integer').min(1, 'is not between 1 and 1000').max(1000, 'is not between 1 and 1000') },
  { invalid_type_error: 'is not a JSON object', required_error: 'is required' },
).strict();

export const poolRoutes: AdminPlugin = async (app, context) => {
  const { pools, registry, requireToken } = context;
  const balancerOf = (id: string) => pools.find(id)?.pool.loadBalancer;

  app.get('/pool', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return describePool(context);
  });

  app.post<{ Params: IdParams }>('/pool/:id/drain', { preHandler: requireToken }, async (request, reply) => {
    const loadBalancer = balancerOf(request.params.id);
    if (!loadBalancer) return notInPool(reply, request.params.id);
    const member = loadBalancer.setDraining(request.params.id, true, `drained by ${request.ip}`, request.ip)!;
    return { id: member.id, state: member.state, inFlight: member.inFlight };
  });

  app.post<{ Params: IdParams }>('/pool/:id/enable', { preHandler: requireToken }, async (request, reply) => {
    const { id } = request.params;
    const loadBalancer = balancerOf(id);
    if (!loadBalancer) return notInPool(reply, id);
    if (registry.isDeregistering(id)) return sendAdminError(reply, 409, 'deregistering', `${id} is being deregistered and leaves the pool once drained; it can register again`);
    const member = loadBalancer.setDraining(id, false, `enabled by ${request.ip}`, request.ip)!;
    return { id: member.id, state: member.state };
  });

  app.put<{ Params: IdParams }>('/pool/:id/weight', { preHandler: requireToken }, async (request, reply) => {
    const { id } = request.params;
    const parsed = weightBody.safeParse(request.body);
    if (!parsed.success) return sendInvalidBody(reply, parsed.error, 'invalid_weight', 'weight');
    const loadBalancer = balancerOf(id);
    if (!loadBalancer) return notInPool(reply, id);
    const member = loadBalancer.setWeight(id, parsed.data.weight, `weight set by ${request.ip}`, request.ip)!;
    return { id: member.id, weight: member.weight };
  });
};

function notInPool(reply: Parameters<typeof sendAdminError>[0], id: string) {
  return sendAdminError(reply, 404, 'not_in_pool', `no backend with id ${JSON.stringify(id)} is in the pool (see GET /pool)`);
}
