// The traffic listener's HTTP server when the engine forwards from Node's request and response (the default).
// Requests go from Node's 'request' event straight to the proxy handler: Fastify's router, its request and reply
// objects and its hook chain cost about 4 % of the gateway's CPU per request (perf under wrk) and do nothing a
// catch-all proxy route needs. Fastify still owns the server: listening, client errors (400/408/431), closing.
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';

export interface TrafficServer {
  readonly server: Server;
  /** From now on every response closes its connection, so keep-alive clients move on while in-flight work ends. */
  startClosing(): void;
}

export function createTrafficServer(handle: (req: IncomingMessage, res: ServerResponse) => void, http: ServerOptions, keepAliveTimeoutMs: number): TrafficServer {
  let closing = false;
  const server = createServer(http, (req, res) => {
    if (closing) res.shouldKeepAlive = false;
    handle(req, res);
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  // As Fastify sets its own servers: no overall request deadline, the limits.* timeouts govern slow clients.
  server.requestTimeout = 0;
  return {
    server,
    startClosing: () => {
      closing = true;
    },
  };
}
