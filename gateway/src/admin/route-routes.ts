// The route table as an operator sees and steers it: GET /routes lists every route, its match and where it
// sends traffic; PUT /routes/:name/split moves a split's weights at once (blue-green switch, canary ramp),
// audited as route-split with the actor and the weights before and after. Requests already in flight finish
// on the pool they started on: the split is read once per request, when the request arrives.
import { z } from 'zod';
import type { Route } from '../routes/route-table.js';
import type { AdminPlugin } from './admin-app.js';
import { sendAdminError, sendInvalidBody } from './admin-errors.js';

const splitBody = z
  .object(
    {
      split: z
        .array(
          z.object({
            pool: z.string({ required_error: 'is required', invalid_type_error: 'is not a string' }),
            weight: z.number({ required_error: 'is required', invalid_type_error: 'is not a number' }).int('is not an integer').min(0, 'is not between 0 and 10000').max(10_000, 'is not between 0 and 10000'),
          }).strict(),
          { required_error: 'is required', invalid_type_error: 'is not a list of {pool, weight}' },
        )
        .min(1, 'is empty'),
    },
    { invalid_type_error: 'is not a JSON object', required_error: 'is required' },
  )
  .strict();

/** What GET /routes says about one route. */
export function describeRoute(route: Route<unknown>) {
  return {
    name: route.name,
    match: route.match,
    ...(route.single ? { pool: route.single.pool } : { split: route.split!.weights, sticky: route.sticky ?? null }),
    stripPrefix: route.stripPrefix,
    ...(route.rateLimit ? { rateLimit: route.rateLimit } : {}),
  };
}

export const routeRoutes: AdminPlugin = async (app, context) => {
  const { routes, audit, requireToken } = context;

  app.get('/routes', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { routes: routes().routes.map(describeRoute) };
  });

  app.put<{ Params: { name: string } }>('/routes/:name/split', { preHandler: requireToken }, async (request, reply) => {
    const parsed = splitBody.safeParse(request.body);
    if (!parsed.success) return sendInvalidBody(reply, parsed.error, 'invalid_split', 'split: [{pool, weight}]');
    const route = routes().get(request.params.name);
    if (!route) return sendAdminError(reply, 404, 'no_such_route', `no route named ${JSON.stringify(request.params.name)} (see GET /routes)`);
    if (!route.split) return sendAdminError(reply, 409, 'not_a_split', `route ${route.name} sends to pool ${route.single!.pool} alone; only a route with a split in its config can be switched`);
    const before = route.split.weights;
    const known = new Set(before.map((side) => side.pool));
    const unknown = parsed.data.split.find((side) => !known.has(side.pool));
    if (unknown) return sendAdminError(reply, 400, 'invalid_split', `split: pool "${unknown.pool}" is not one of this route's pools (${[...known].join(', ')})`, 'split');
    const weights = new Map(parsed.data.split.map((side) => [side.pool, side.weight]));
    if (before.every((side) => (weights.get(side.pool) ?? side.weight) === 0)) return sendAdminError(reply, 400, 'invalid_split', 'split: the weights would sum to 0; at least one pool must take traffic', 'split');
    route.split.setWeights(weights);
    const after = route.split.weights;
    audit.write({ event: 'route-split', route: route.name, actor: request.ip, reason: `split set by ${request.ip}`, from: formatSplit(before), to: formatSplit(after) });
    request.log.info({ route: route.name, from: before, to: after, actor: request.ip }, `route ${route.name} split: ${formatSplit(before)} → ${formatSplit(after)}`);
    return describeRoute(route);
  });
};

function formatSplit(sides: readonly { pool: string; weight: number }[]): string {
  return sides.map((side) => `${side.pool}=${side.weight}`).join(' ');
}
