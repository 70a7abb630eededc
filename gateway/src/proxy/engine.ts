// The interface both forwarding engines keep, so the proxy route does not care which one moves the bytes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayError } from '../errors.js';
import type { PoolMember } from '../pool-member.js';
import type { UpstreamRequestHeaders } from './forwarded-headers.js';

export interface ForwardOutcome {
  /** Status the client received (0 when the connection was cut before a status could be sent). */
  status: number;
  /** Set when the gateway answered or cut the response itself because the upstream failed. */
  error?: GatewayError;
}

export interface ForwardJob {
  member: PoolMember;
  upstream: UpstreamRequestHeaders;
  /** Called exactly once, when the response to the client is finished or abandoned. */
  done: (outcome: ForwardOutcome) => void;
}

export interface ProxyEngine {
  readonly name: string;
  /** Registers whatever the engine needs on the traffic app (decorators, plugins) before routes are added. */
  register?(app: FastifyInstance): Promise<void>;
  forward(request: FastifyRequest, reply: FastifyReply, job: ForwardJob): void;
  close(): Promise<void>;
}
