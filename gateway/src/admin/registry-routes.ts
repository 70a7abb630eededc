// Self-registration over HTTP: POST /registry (201 {id, ttlMs}, idempotent per URL), PUT /registry/:id
// (heartbeat; 404 tells the backend to register again) and DELETE /registry/:id (drain, then remove).
import { RegistryError } from '../discovery/registration.js';
import type { AdminPlugin } from './admin-app.js';
import { sendAdminError } from './admin-errors.js';

interface IdParams {
  id: string;
}

export const registryRoutes: AdminPlugin = async (app, context) => {
  const { registry, requireToken } = context;

  // Store failures (etcd down) and refusals become JSON errors; nothing has changed in either case.
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof RegistryError) return sendAdminError(reply, error.status, error.code, error.message, error.field);
    throw error;
  });

  app.post('/registry', { preHandler: requireToken }, async (request, reply) => {
    const { id, ttlMs, created } = await registry.register(request.body, request.ip);
    reply.code(created ? 201 : 200);
    return { id, ttlMs };
  });

  app.put<{ Params: IdParams }>('/registry/:id', { preHandler: requireToken }, async (request, reply) => {
    if (await registry.heartbeat(request.params.id)) return { id: request.params.id, ttlMs: registry.ttlMs };
    return sendAdminError(reply, 404, 'not_registered', `${request.params.id} is not registered (expired or never was); register again with POST /registry`);
  });

  app.delete<{ Params: IdParams }>('/registry/:id', { preHandler: requireToken }, async (request, reply) => {
    const result = await registry.deregister(request.params.id, request.ip);
    if (!result) return sendAdminError(reply, 404, 'not_registered', `${request.params.id} is not a registered backend`);
    reply.code(202);
    return { id: result.id, state: 'draining', inFlight: result.inFlight };
  });
};
