// The alternative forwarding engine on @fastify/reply-from, kept selectable (proxy.engine: "reply-from") so the
// default undici engine can be compared with the design card's package of record in the same benchmark run.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import replyFrom from '@fastify/reply-from';
import { classifyUpstreamError, type GatewayError } from '../errors.js';
import type { ForwardJob, ProxyEngine } from './engine.js';
import type { UpstreamPoolOptions } from './upstream-pool.js';

export class ReplyFromEngine implements ProxyEngine {
  readonly name = 'reply-from';

  constructor(private readonly options: UpstreamPoolOptions) {}

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

  forward(request: FastifyRequest, reply: FastifyReply, job: ForwardJob): void {
    let error: GatewayError | undefined;
    reply.raw.once('close', () => job.done({ status: reply.raw.writableFinished ? reply.statusCode : 0, error }));
    void reply.from(job.member.backend.origin + request.url, {
      rewriteRequestHeaders: () => headerObject(job.upstream.headers),
      onError: (failed, { error: cause }) => {
        error = classifyUpstreamError((cause as { cause?: unknown }).cause ?? cause);
        void failed
          .code(error.status)
          .header('x-request-id', job.upstream.requestId)
          .send({ error: error.code, message: error.message, requestId: job.upstream.requestId });
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
