// What runs for every proxied request, whichever engine forwards it: the route (404 no_route when none
// matches), the headers for the backend, the route's authentication if it has one (401/403), its rate limit if
// it has one (429), the engine, then the metrics and the access line once the response is finished or abandoned.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from '../edge/auth/identity.js';
import type { RouteAuth } from '../edge/auth/route-auth.js';
import type { RouteLimiter, Refusal } from '../edge/rate-limit-policy.js';
import { BACKEND_BUSY, NO_ROUTE, RATE_LIMITED, sendError } from '../errors.js';
import type { AccessLine } from '../observability/access-line.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { ForwardContext } from './engine.js';
import { clientProto, upstreamRequestHeaders } from './forwarded-headers.js';
import { grpcStatusOf } from './grpc-errors.js';
import type { ForwardingSettings, ForwardResult } from './forwarding-settings.js';
import type { Resolution } from '../routes/route-table.js';

export interface ProxyObservers {
  /** One line per request when set; leave unset to switch access logging off (benchmarks). */
  accessLog: AccessLine | undefined;
  /** Share of successful requests that get an access line; 5xx answers are always logged. */
  accessSampleRate: number;
  /** Counts and times every finished request; undefined when metrics.enabled is false. */
  metrics?: GatewayMetrics | undefined;
  /** The route's rate limiter, checked after routing and before forwarding; undefined for a route without one. */
  rateLimiter?: ((route: string) => RouteLimiter | undefined) | undefined;
  /** The route's authentication, checked after routing and before the rate limit (which may key on the identity). */
  authenticator?: ((route: string) => RouteAuth | undefined) | undefined;
}

/** The request's route and pool; undefined when no route matches. Reads the current table on every call, so a reload takes effect at once. */
export type RouteResolver = (req: IncomingMessage) => Resolution<ForwardingSettings> | undefined;

/**
 * Wraps an engine's forward(request, response, context) into a request handler of the same two arguments.
 * rawRequest and rawResponse find Node's request and response among them (the arguments themselves, or a
 * Fastify request's and reply's .raw).
 */
export function proxyHandler<Request, Response>(
  forward: (request: Request, response: Response, context: ForwardContext) => void,
  raw: { request: (request: Request) => IncomingMessage; response: (response: Response) => ServerResponse },
  resolve: RouteResolver,
  { accessLog, accessSampleRate, metrics, rateLimiter, authenticator }: ProxyObservers,
): (request: Request, response: Response) => void {
  const logAccess = (req: IncomingMessage, route: string | undefined, startedAt: number, requestId: string, result: ForwardResult, subject?: string) => {
    accessLog!.write(req, route, performance.now() - startedAt, requestId, result, subject);
  };
  const observe = (req: IncomingMessage, route: string | undefined, startedAt: number, requestId: string, result: ForwardResult, subject?: string) => {
    // A request shed as backend_busy is counted in gateway_shed_total, not as no backend or a backend's answer.
    if (result.error !== BACKEND_BUSY) metrics?.observeRequest(result.member, route, req.method!, result.status, (performance.now() - startedAt) / 1000);
    if (accessLog && (accessSampleRate >= 1 || result.status >= 500 || result.status === 0 || Math.random() < accessSampleRate)) {
      logAccess(req, route, startedAt, requestId, result, subject);
    }
  };

  // Answered by the auth or the rate limit, not a backend: counted in the rate-limit series, never as a backend's request.
  // A call refused on its way to a grpc pool still ends with a status: gateway_grpc_requests_total counts it too.
  const refuse = (req: IncomingMessage, res: ServerResponse, resolution: Resolution<ForwardingSettings>, startedAt: number, requestId: string, refusal: Refusal) => {
    const route = resolution.route.name;
    sendError(res, refusal.error, requestId, refusal.headers);
    resolution.target.grpc?.onStatus?.(grpcStatusOf(refusal.error));
    if (refusal.error === RATE_LIMITED) metrics?.observeRateLimited(route);
    if (accessLog && (accessSampleRate >= 1 || Math.random() < accessSampleRate)) logAccess(req, route, startedAt, requestId, { status: refusal.error.status, error: refusal.error, tries: 0 });
  };
  const send = (request: Request, response: Response, req: IncomingMessage, resolution: Resolution<ForwardingSettings>, upstream: ForwardContext['upstream'], startedAt: number, subject?: string) => {
    const route = resolution.route.name;
    forward(request, response, {
      upstream,
      target: resolution.target,
      path: resolution.path,
      done: accessLog === undefined && metrics === undefined ? noop : (result) => observe(req, route, startedAt, upstream.requestId, result, subject),
    });
  };
  const limit = (request: Request, response: Response, req: IncomingMessage, resolution: Resolution<ForwardingSettings>, upstream: ForwardContext['upstream'], startedAt: number, limiter: RouteLimiter, identity?: Identity) => {
    void limiter.admit(req, identity).then((refusal) => {
      if (refusal === undefined) send(request, response, req, resolution, upstream, startedAt, identity?.subject);
      else refuse(req, raw.response(response), resolution, startedAt, upstream.requestId, refusal);
    });
  };
  const authenticate = (request: Request, response: Response, req: IncomingMessage, resolution: Resolution<ForwardingSettings>, upstream: ForwardContext['upstream'], startedAt: number, auth: RouteAuth) => {
    const limiter = rateLimiter?.(resolution.route.name);
    void auth.authenticate(req, upstream.requestId).then((outcome) => {
      // A key in the query goes neither to the backend nor into the access line: req.url is what both read.
      if (auth.rewritesPath) req.url = auth.backendPath(req.url!);
      if ('error' in outcome) return refuse(req, raw.response(response), resolution, startedAt, upstream.requestId, outcome);
      auth.forwardIdentity(upstream.headers, outcome);
      // A new resolution, not a change to the route's shared one.
      const admitted = auth.rewritesPath && resolution.path !== undefined ? { ...resolution, path: auth.backendPath(resolution.path) } : resolution;
      if (limiter === undefined) send(request, response, req, admitted, upstream, startedAt, outcome.subject);
      else limit(request, response, req, admitted, upstream, startedAt, limiter, outcome);
    });
  };

  return (request, response) => {
    const req = raw.request(request);
    const upstream = upstreamRequestHeaders(req, clientProto(req));
    const startedAt = performance.now();
    const resolution = resolve(req);
    if (resolution === undefined) {
      sendError(raw.response(response), NO_ROUTE, upstream.requestId);
      observe(req, undefined, startedAt, upstream.requestId, { status: NO_ROUTE.status, error: NO_ROUTE, tries: 0 });
      return;
    }
    const auth = authenticator?.(resolution.route.name);
    if (auth !== undefined) return authenticate(request, response, req, resolution, upstream, startedAt, auth);
    const limiter = rateLimiter?.(resolution.route.name);
    if (limiter === undefined) send(request, response, req, resolution, upstream, startedAt);
    else limit(request, response, req, resolution, upstream, startedAt, limiter);
  };
}

function noop(): void {}
