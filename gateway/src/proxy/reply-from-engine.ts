// The alternative forwarding engine on @fastify/reply-from, kept selectable (proxy.engine: "reply-from") so the
// default undici engine can be compared with the design card's package of record in the same benchmark run.
// It makes one try per request: retries, rescue and body limits are the undici engine's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import replyFrom from '@fastify/reply-from';
import { NO_AVAILABLE_BACKEND, sendError, type GatewayError } from '../errors.js';
import { classifyTransportFailure } from '../transport-failure.js';
import type { ForwardContext, RouteProxyEngine } from './engine.js';
import type { DispatcherOptions } from '../pool/dispatchers.js';

export class ReplyFromEngine implements RouteProxyEngine {
  readonly name = 'reply-from';
  readonly takes = 'route';

  constructor(private readonly options: DispatcherOptions) {}

  async register(app: FastifyInstance): Promise<void> {
    await app.register(replyFrom, {
      disableRequestLogging: true,
      undici: {
        connections: this.options.connectionsPerBackend,
        pipelining: 1,
        connectTimeout: this.options.connectTimeoutMs,
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.bodyTimeoutMs,
      },
    });
  }

  forward(request: FastifyRequest, reply: FastifyReply, { upstream, target, path, done }: ForwardContext): void {
    const { loadBalancer } = target.pool;
    const member = loadBalancer.pick();
    if (member === undefined) {
      reply.hijack();
      sendError(reply.raw, NO_AVAILABLE_BACKEND, upstream.requestId);
      done({ status: 503, error: NO_AVAILABLE_BACKEND, tries: 0 });
      return;
    }
    member.inFlight += 1;
    let error: GatewayError | undefined;
    reply.raw.once('close', () => {
      member.inFlight -= 1;
      member.served += 1;
      done({ status: reply.raw.writableFinished ? reply.statusCode : 0, error, member, tries: 1 });
    });
    void reply.from(member.backend.origin + (path ?? request.url), {
      rewriteRequestHeaders: () => headerObject(upstream.headers),
      onError: (failed, { error: cause }) => {
        // reply-from does not say whether the request went out; 'sent' keeps a failure from being named a connect failure.
        const failure = classifyTransportFailure((cause as { cause?: unknown }).cause ?? cause, true);
        error = failure.clientError;
        if (failure.blamesBackend) loadBalancer.reportFailure(member, failure.reason);
        void failed
          .code(error.status)
          .header('x-request-id', upstream.requestId)
          .send({ error: error.code, message: error.message, requestId: upstream.requestId });
      },
    });
  }

  async close(): Promise<void> {
    // reply-from closes its undici agent in the app's onClose hook.
  }
}

function headerObject(flat: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${flat[i + 1]}` : flat[i + 1]!;
  }
  return headers;
}
