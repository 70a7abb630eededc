// The traffic route: every method and path goes to the next available backend through the chosen engine.
// Fastify's body parsing is switched off here: request bodies stream to the backend untouched.
import { METHODS } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoadBalancer } from '../load-balancer.js';
import { NO_AVAILABLE_BACKEND, sendError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ForwardOutcome, ProxyEngine } from './engine.js';
import { upstreamRequestHeaders } from './forwarded-headers.js';

export interface ProxyPluginOptions {
  loadBalancer: LoadBalancer;
  engine: ProxyEngine;
  /** One line per request when set; leave unset to switch access logging off (benchmarks). */
  accessLog: Logger | undefined;
}

export async function proxyPlugin(app: FastifyInstance, options: ProxyPluginOptions): Promise<void> {
  const { loadBalancer, engine, accessLog } = options;
  // Fastify knows the common methods only; a proxy forwards whatever Node's parser accepts.
  // CONNECT never reaches a route: Node hands it to the 'connect' event, which the gateway does not serve.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  await engine.register?.(app);

  const logAccess = (request: FastifyRequest, backend: string, startedAt: number, requestId: string, outcome: ForwardOutcome) => {
    accessLog!.info({
      method: request.method,
      path: request.url,
      status: outcome.status,
      backend,
      tries: 1,
      durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
      requestId,
      client: request.socket.remoteAddress,
      error: outcome.error?.code,
    }, 'request');
  };

  const handler = (request: FastifyRequest, reply: FastifyReply): void => {
    const startedAt = performance.now();
    const upstream = upstreamRequestHeaders(request.raw, 'http');
    const member = loadBalancer.pick();
    if (member === undefined) {
      reply.hijack();
      sendError(reply.raw, NO_AVAILABLE_BACKEND, upstream.requestId);
      if (accessLog) logAccess(request, '', startedAt, upstream.requestId, { status: 503, error: NO_AVAILABLE_BACKEND });
      return;
    }
    member.inFlight += 1;
    engine.forward(request, reply, {
      member,
      upstream,
      done: (outcome) => {
        member.inFlight -= 1;
        member.served += 1;
        if (accessLog) logAccess(request, member.id, startedAt, upstream.requestId, outcome);
      },
    });
  };

  app.route({ method: app.supportedMethods, url: '/*', handler });
  app.addHook('onClose', async () => engine.close());
}
