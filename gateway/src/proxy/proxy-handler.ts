// What runs for every proxied request, whichever engine forwards it: the headers for the backend, the engine,
// then the metrics and the access line once the response is finished or abandoned.
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { ForwardContext } from './engine.js';
import { upstreamRequestHeaders } from './forwarded-headers.js';
import type { ForwardResult } from './forwarding.js';

export interface ProxyObservers {
  /** One line per request when set; leave unset to switch access logging off (benchmarks). */
  accessLog: Logger | undefined;
  /** Share of successful requests that get an access line; 5xx answers are always logged. */
  accessSampleRate: number;
  /** Counts and times every finished request; undefined when metrics.enabled is false. */
  metrics?: GatewayMetrics | undefined;
}

/**
 * Wraps an engine's forward(request, response, context) into a request handler of the same two arguments.
 * rawRequest finds Node's request among them (the first argument itself, or a Fastify request's .raw).
 */
export function proxyHandler<Request, Response>(
  forward: (request: Request, response: Response, context: ForwardContext) => void,
  rawRequest: (request: Request) => IncomingMessage,
  { accessLog, accessSampleRate, metrics }: ProxyObservers,
): (request: Request, response: Response) => void {
  const logAccess = (req: IncomingMessage, startedAt: number, requestId: string, result: ForwardResult) => {
    accessLog!.info({
      method: req.method,
      path: req.url,
      status: result.status,
      backend: result.member?.id,
      tries: result.tries,
      durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
      upstreamMs: result.upstreamMs === undefined ? undefined : Math.round(result.upstreamMs * 1000) / 1000,
      requestId,
      client: req.socket.remoteAddress,
      error: result.error?.code,
      cause: result.cause,
    }, 'request');
  };

  if (accessLog === undefined && metrics === undefined) {
    return (request, response) => forward(request, response, { upstream: upstreamRequestHeaders(rawRequest(request), 'http'), done: noop });
  }
  return (request, response) => {
    const req = rawRequest(request);
    const upstream = upstreamRequestHeaders(req, 'http');
    const startedAt = performance.now();
    forward(request, response, {
      upstream,
      done: (result) => {
        metrics?.observeRequest(result.member, req.method!, result.status, (performance.now() - startedAt) / 1000);
        if (accessLog && (accessSampleRate >= 1 || result.status >= 500 || result.status === 0 || Math.random() < accessSampleRate)) {
          logAccess(req, startedAt, upstream.requestId, result);
        }
      },
    });
  };
}

function noop(): void {}
