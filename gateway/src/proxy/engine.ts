// The interface both forwarding engines keep, so the proxy route does not care which one moves the bytes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UpstreamRequestHeaders } from './forwarded-headers.js';
import type { ForwardResult } from './forwarding.js';

export interface ForwardContext {
  upstream: UpstreamRequestHeaders;
  /** Called exactly once, when the response to the client is finished or abandoned. */
  done: (result: ForwardResult) => void;
}

export interface ProxyEngine {
  readonly name: string;
  /** Registers whatever the engine needs on the traffic app (decorators, plugins) before routes are added. */
  register?(app: FastifyInstance): Promise<void>;
  /** Picks a backend (or several, retrying) and forwards the request; answers 503 itself when none is available. */
  forward(request: FastifyRequest, reply: FastifyReply, context: ForwardContext): void;
  close(): Promise<void>;
}
