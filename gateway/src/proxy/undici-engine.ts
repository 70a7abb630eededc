// The default forwarding engine: undici's low-level dispatch() writing straight into Node's response,
// with retries on other backends. No intermediate streams or header objects on the way.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from '../errors.js';
import { classifyTransportFailure } from '../transport-failure.js';
import type { ForwardContext, RawProxyEngine } from './engine.js';
import { Forwarding } from './forwarding.js';
import { ReplayBody } from './replay-body.js';
import { NO_BODY, prepareBody } from './request-body.js';

export interface BodyLimits {
  maxBodyBytes: number;
}

export class UndiciEngine implements RawProxyEngine {
  readonly name = 'undici';
  readonly takes = 'raw';

  constructor(private readonly bodyLimits: BodyLimits) {}

  forward(req: IncomingMessage, res: ServerResponse, context: ForwardContext): void {
    const { upstream, target, path, done } = context;
    target.budget.recordRequest();
    if (!upstream.hasBody) {
      new Forwarding(target, req, res, path, upstream.headers, upstream.requestId, NO_BODY, done).start();
      return;
    }
    // A gRPC call streams its messages as they come (bidi calls wait for answers before sending more): recorded, not read first.
    if (target.grpc) {
      new Forwarding(target, req, res, path, upstream.headers, upstream.requestId, new ReplayBody(req, target.replayableBodyBytes, this.bodyLimits.maxBodyBytes), done).start();
      return;
    }
    // Each pool keeps its own replay limit (retry.replayableBodyBytes).
    prepareBody(req, upstream.contentLength, target.replayableBodyBytes, this.bodyLimits.maxBodyBytes).then(
      (body) => new Forwarding(target, req, res, path, upstream.headers, upstream.requestId, body, done).start(),
      (error: Error) => {
        if (res.destroyed) return done({ status: 0, tries: 0 });
        const { clientError, cause } = classifyTransportFailure(error, false);
        sendError(res, clientError, upstream.requestId);
        done({ status: clientError.status, error: clientError, cause, tries: 0 });
      },
    );
  }

  async close(): Promise<void> {
    // The pools own the connections and close them (PoolSet.close).
  }
}
