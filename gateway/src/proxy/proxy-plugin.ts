// The traffic route: every method and path goes through the chosen engine to the pool.
// Fastify's body parsing is switched off here: request bodies reach the engine as the raw stream.
import { METHODS } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { ProxyEngine } from './engine.js';
import { upstreamRequestHeaders } from './forwarded-headers.js';
import type { ForwardResult } from './forwarding.js';

export interface ProxyPluginOptions {
  engine: ProxyEngine;
  /** One line per request when set; leave unset to switch access logging off (benchmarks). */
  accessLog: Logger | undefined;
  /** Share of successful requests that get an access line; 5xx answers are always logged. */
  accessSampleRate: number;
  /** Counts and times every finished request; undefined when metrics.enabled is false. */
  metrics?: GatewayMetrics | undefined;
}

export async function proxyPlugin(app: FastifyInstance, options: ProxyPluginOptions): Promise<void> {
  const { engine, accessLog, accessSampleRate, metrics } = options;
  // Fastify knows the common methods only; a proxy forwards whatever Node's parser accepts.
  // CONNECT never reaches a route: Node hands it to the 'connect' event, which the gateway does not serve.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  await engine.register?.(app);

  const logAccess = (request: FastifyRequest, startedAt: number, requestId: string, result: ForwardResult) => {
    accessLog!.info({
      method: request.method,
      path: request.url,
      status: result.status,
      backend: result.member?.id,
      tries: result.tries,
      durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
      upstreamMs: result.upstreamMs === undefined ? undefined : Math.round(result.upstreamMs * 1000) / 1000,
      requestId,
      client: request.socket.remoteAddress,
      error: result.error?.code,
    }, 'request');
  };

  const handler = (request: FastifyRequest, reply: FastifyReply): void => {
    const upstream = upstreamRequestHeaders(request.raw, 'http');
    if (accessLog === undefined && metrics === undefined) {
      engine.forward(request, reply, { upstream, done: noop });
      return;
    }
    const startedAt = performance.now();
    engine.forward(request, reply, {
      upstream,
      done: (result) => {
        metrics?.observeRequest(result.member, request.method, result.status, (performance.now() - startedAt) / 1000);
        if (accessLog && (accessSampleRate >= 1 || result.status >= 500 || result.status === 0 || Math.random() < accessSampleRate)) {
          logAccess(request, startedAt, upstream.requestId, result);
        }
      },
    });
  };

  app.route({ method: app.supportedMethods, url: '/*', handler });
  app.addHook('onClose', async () => engine.close());
}

function noop(): void {}
