// The interface both forwarding engines keep, so the traffic listener does not care which one moves the bytes.
// The default engine works on Node's own request and response and takes every request straight from the
// server's listener; reply-from needs Fastify's reply and goes through a catch-all route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UpstreamRequestHeaders } from './forwarded-headers.js';
import type { ForwardingSettings, ForwardResult } from './forwarding-settings.js';

export interface ForwardContext {
  upstream: UpstreamRequestHeaders;
  /** The pool the request's route chose, with that pool's policies. */
  target: ForwardingSettings;
  /** The path the backend sees when the route changed it (stripPrefix); undefined: the client's own. */
  path: string | undefined;
  /** Called exactly once, when the response to the client is finished or abandoned. */
  done: (result: ForwardResult) => void;
}

interface EngineBase {
  readonly name: string;
  close(): Promise<void>;
}

/** Forwards from Node's request and response: no Fastify request, reply or hooks per request. */
export interface RawProxyEngine extends EngineBase {
  readonly takes: 'raw';
  /** Picks a backend (or several, retrying) and forwards the request; answers 503 itself when none is available. */
  forward(req: IncomingMessage, res: ServerResponse, context: ForwardContext): void;
}

/** Forwards through Fastify's reply, from a catch-all route. */
export interface RouteProxyEngine extends EngineBase {
  readonly takes: 'route';
  /** Registers what the engine needs on the traffic app (decorators, plugins) before the route is added. */
  register(app: FastifyInstance): Promise<void>;
  forward(request: FastifyRequest, reply: FastifyReply, context: ForwardContext): void;
}

export type ProxyEngine = RawProxyEngine | RouteProxyEngine;
