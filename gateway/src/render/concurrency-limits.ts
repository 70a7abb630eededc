// The overload caps in the drop-ins: concurrency.maxPerBackend (per pool) and limits.maxClientConnections. nginx
// has max_conns on servers and limit_conn; HAProxy has maxconn per server with a queue and per frontend. Both
// differ from the gateway in ways a user must know, so each rendering comes with its header lines.
import type { DropIn } from './drop-in.js';
import { duration, type RenderedPool } from './pool-settings.js';

const NGINX_CONNECTION_ZONE = 'gateway_client_connections';

function capped(dropIn: DropIn): RenderedPool[] {
  return dropIn.pools.filter((pool) => pool.concurrency.maxPerBackend !== null);
}

/** nginx: ` max_conns=N` for a server of a capped pool ("" otherwise). */
export function nginxMaxConns(pool: RenderedPool): string {
  return pool.concurrency.maxPerBackend === null ? '' : ` max_conns=${pool.concurrency.maxPerBackend}`;
}

/** nginx, http level: the zone that counts client connections, when limits.maxClientConnections is set. */
export function nginxConnectionZone(dropIn: DropIn): string {
  if (dropIn.limits.maxClientConnections === null) return '';
  // $server_port is never empty (nginx does not count an empty key), and is the same for every client of the server.
  return `\n    # limits.maxClientConnections: one count for the whole listener.\n    limit_conn_zone $server_port zone=${NGINX_CONNECTION_ZONE}:1m;\n`;
}

/** nginx, server level: the cap on client connections, answered 503 as the gateway answers. */
export function nginxConnectionLimit(dropIn: DropIn): string {
  const max = dropIn.limits.maxClientConnections;
  if (max === null) return '';
  return `        limit_conn ${NGINX_CONNECTION_ZONE} ${max};\n        limit_conn_status 503;\n\n`;
}

export function nginxConcurrencyLines(dropIn: DropIn): string[] {
  const lines: string[] = [];
  const pools = capped(dropIn);
  if (pools.length > 0) {
    lines.push(
      `- concurrency.maxPerBackend (${pools.map((pool) => `${pool.name}: ${pool.concurrency.maxPerBackend}`).join(', ')}) is max_conns, shared by`,
      '  all workers through the zone. nginx OSS has no queue (`queue` is nginx Plus): when every server is at its cap',
      "  the request fails at once with 502, where the gateway waits up to concurrency.queueTimeoutMs for a slot and then",
      '  answers 503 backend_busy; concurrency.maxPending is not expressed.',
    );
  }
  if (dropIn.limits.maxClientConnections !== null) {
    lines.push('- limits.maxClientConnections is limit_conn: nginx counts only connections with a request in progress, not idle', '  keep-alive ones as the gateway does; past the cap it answers 503.');
  }
  return lines;
}

/** HAProxy, in a backend: the server cap and the queue's timeout ("" for an uncapped pool). */
export function haproxyQueueTimeout(pool: RenderedPool): string {
  if (pool.concurrency.maxPerBackend === null) return '';
  return `    # concurrency: at most ${pool.concurrency.maxPerBackend} requests per server; the rest wait in the backend's queue this long, then 503.\n    timeout queue ${duration(pool.concurrency.queueTimeoutMs)}\n`;
}

/** HAProxy's maxconn per server: the pool's cap when it has one, else the connection pool size. */
export function haproxyServerMaxconn(pool: RenderedPool, connectionsPerBackend: number): number {
  return pool.concurrency.maxPerBackend ?? connectionsPerBackend;
}

/** HAProxy, in the frontend: the cap on client connections. */
export function haproxyFrontendMaxconn(dropIn: DropIn): string {
  const max = dropIn.limits.maxClientConnections;
  return max === null ? '' : `    # limits.maxClientConnections\n    maxconn ${max}\n`;
}

export function haproxyConcurrencyLines(dropIn: DropIn): string[] {
  const lines: string[] = [];
  const pools = capped(dropIn);
  if (pools.length > 0) {
    lines.push(
      `- concurrency.maxPerBackend (${pools.map((pool) => `${pool.name}: ${pool.concurrency.maxPerBackend}`).join(', ')}) is maxconn per server, with`,
      "  the backend's queue and timeout queue = concurrency.queueTimeoutMs (then 503, as the gateway's backend_busy).",
      '  HAProxy has no cap on the length of that queue: concurrency.maxPending is not expressed.',
    );
  }
  if (dropIn.limits.maxClientConnections !== null) {
    lines.push("- limits.maxClientConnections is the frontend's maxconn: connections past it wait in the kernel's accept queue", '  instead of being answered 503 as the gateway answers them.');
  }
  return lines;
}
