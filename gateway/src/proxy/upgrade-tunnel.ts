// WebSocket through the gateway: the handshake goes to the next available backend with the usual X-Forwarded-*
// and request id (over TLS with the pool's tls settings for https:// backends), then the two sockets are joined
// byte for byte. Other upgrade offers are served as plain
// requests (upgrade-fallback.ts). Node hands upgrades to the server's 'upgrade' event, outside Fastify's
// routes, so this sits on the server.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LoadBalancer } from '../pool/load-balancer.js';
import type { Logger } from '../observability/logger.js';
import type { RouteAuth } from '../edge/auth/route-auth.js';
import type { RouteResolver } from './proxy-handler.js';
import type { PoolMember } from '../pool/pool-member.js';
import { errors } from 'undici';
import { classifyTransportFailure, type TransportFailure } from '../transport-failure.js';

const { ConnectTimeoutError } = errors;
import { clientProto, upstreamRequestHeaders } from './forwarded-headers.js';
import { declineOtherUpgrades, isWebSocketUpgrade, replayAsPlainRequest } from './upgrade-fallback.js';
import { connectTunnelSocket } from './tunnel-socket.js';
import type { UpstreamTlsOptions } from '../pool/upstream-tls.js';

export interface UpgradeTunnelOptions {
  /** The handshake is routed like any request: its route's pool takes the tunnel. */
  resolve: RouteResolver;
  /** And authenticated like one: a route's auth guards its WebSockets too. */
  authenticator?: ((route: string) => RouteAuth | undefined) | undefined;
  connectTimeoutMs: number;
  /** A handshake the backend failed is answered 502/504 to the client and logged here with its cause. */
  log: Logger;
}

export interface UpgradeTunnels {
  /** Cuts every open tunnel: upgraded connections are long-lived and would hold a graceful shutdown open. */
  closeAll(): void;
}

export function tunnelUpgrades(server: Server, options: UpgradeTunnelOptions): UpgradeTunnels {
  const open = new Set<Duplex>();
  declineOtherUpgrades(server);
  server.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    if (!isWebSocketUpgrade(req)) {
      // Only Node without shouldUpgradeCallback gets here, and there the upgrade stream is the connection's socket.
      replayAsPlainRequest(server, req, client as Socket, head);
      return;
    }
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    const resolution = options.resolve(req);
    if (resolution === undefined) {
      client.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"no_route"}');
      return;
    }
    const upstream = upstreamRequestHeaders(req, clientProto(req));
    const tunnel = (path: string) => {
      const { loadBalancer, dispatchers } = resolution.target.pool;
      const member = loadBalancer.pick();
      if (member === undefined) {
        client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{"error":"no_available_backend"}');
        return;
      }
      openTunnel(req, path, upstream.headers, client, head, member, loadBalancer, dispatchers.tls, options);
    };
    const auth = options.authenticator?.(resolution.route.name);
    if (auth === undefined) return tunnel(resolution.path ?? req.url!);
    void auth.authenticate(req, upstream.requestId).then((outcome) => {
      if ('error' in outcome) {
        const challenge = outcome.headers['www-authenticate'];
        const { status, code } = outcome.error;
        client.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n${challenge === undefined ? '' : `WWW-Authenticate: ${challenge}\r\n`}Connection: close\r\n\r\n{"error":"${code}"}`);
        return;
      }
      auth.forwardIdentity(upstream.headers, outcome);
      tunnel(auth.backendPath(resolution.path ?? req.url!));
    });
  });
  return {
    closeAll: () => {
      for (const client of open) client.destroy();
    },
  };
}

function openTunnel(req: IncomingMessage, path: string, headers: string[], client: Duplex, head: Buffer, member: PoolMember, loadBalancer: LoadBalancer, tls: UpstreamTlsOptions | undefined, { connectTimeoutMs, log }: UpgradeTunnelOptions): void {
  // The hop-by-hop Upgrade and Connection headers are exactly what this hop must pass on, offering only
  // WebSocket: a backend offered "h2c, websocket" could otherwise switch the tunnel to h2c.
  headers.push('connection', 'upgrade', 'upgrade', 'websocket');
  const { socket: backend, ready } = connectTunnelSocket(new URL(member.backend.origin), tls);
  member.inFlight += 1;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    member.release();
    backend.destroy();
    client.destroy();
  };
  /** Nothing came back yet: the client can still be told, in HTTP, that the backend failed, and the log why. */
  const refuse = (failure: TransportFailure) => {
    if (failure.blamesBackend) loadBalancer.reportFailure(member, failure.reason);
    closed = true;
    member.release();
    backend.destroy();
    const { status, code } = failure.clientError;
    log.warn({ backend: member.id, pool: member.backend.pool, path, reason: failure.reason, cause: failure.cause }, `WebSocket handshake to ${member.id} failed: ${failure.cause}`);
    client.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"${code}"}`);
  };
  const connectTimer = setTimeout(() => {
    if (!closed) refuse(classifyTransportFailure(new ConnectTimeoutError(`no connection within proxy.connectTimeoutMs (${connectTimeoutMs} ms)`), false));
  }, connectTimeoutMs);
  backend.once(ready, () => {
    clearTimeout(connectTimer);
    let requestHead = `${req.method} ${path} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) requestHead += `${headers[i]}: ${headers[i + 1]}\r\n`;
    backend.write(`${requestHead}\r\n`);
    // Bytes the client sent right behind its handshake belong to the backend too.
    if (head.length > 0) backend.write(head);
    backend.pipe(client);
    client.pipe(backend);
  });
  backend.once('error', (error: NodeJS.ErrnoException) => {
    clearTimeout(connectTimer);
    if (backend.bytesRead === 0 && !closed) {
      refuse(classifyTransportFailure(error, backend.bytesWritten > 0));
      return;
    }
    close();
  });
  backend.once('close', close);
  client.once('close', close);
}
