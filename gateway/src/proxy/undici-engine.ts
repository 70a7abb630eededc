// The default forwarding engine: undici's low-level dispatch() writing straight into Node's response,
// with retries on other backends. No intermediate streams or header objects on the way.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from '../errors.js';
import { classifyTransportFailure } from '../transport-failure.js';
import type { ForwardContext, RawProxyEngine } from './engine.js';
import { Forwarding, type ForwardingSettings } from './forwarding.js';
import { NO_BODY, prepareBody } from './request-body.js';

export interface BodyLimits {
  replayableBodyBytes: number;
  maxBodyBytes: number;
}

export class UndiciEngine implements RawProxyEngine {
  readonly name = 'undici';
  readonly takes = 'raw';

  constructor(
    private readonly settings: ForwardingSettings,
    private readonly bodyLimits: BodyLimits,
  ) {}

  forward(req: IncomingMessage, res: ServerResponse, context: ForwardContext): void {
    this.settings.budget.recordRequest();
    const { upstream, done } = context;
    if (!upstream.hasBody) {
      new Forwarding(this.settings, req, res, upstream.headers, upstream.requestId, NO_BODY, done).start();
      return;
    }
    prepareBody(req, upstream.contentLength, this.bodyLimits.replayableBodyBytes, this.bodyLimits.maxBodyBytes).then(
      (body) => new Forwarding(this.settings, req, res, upstream.headers, upstream.requestId, body, done).start(),
      (error: Error) => {
        if (res.destroyed) return done({ status: 0, tries: 0 });
        const { clientError, cause } = classifyTransportFailure(error, false);
        sendError(res, clientError, upstream.requestId);
        done({ status: clientError.status, error: clientError, cause, tries: 0 });
      },
    );
  }

  async close(): Promise<void> {
    await this.settings.pools.close();
  }
}
