// One pool for HAProxy: a backend with the pool's balancing policy, its retries on another server, its health
// checks and passive ejection, and its servers with weights (scaled into HAProxy's range) and backup flags.
import { isIP } from 'node:net';
import { haproxyQueueTimeout, haproxyServerMaxconn } from './concurrency-limits.js';
import type { DropIn } from './drop-in.js';
import { checkProtocol, grpcRetryLines, serverProtocol } from './haproxy-h2.js';
import { duration, type RenderedPool, type RenderedServer } from './pool-settings.js';

/** HAProxy weights go from 0 to 256; the gateway's from 1 to 1000. */
export const HAPROXY_MAX_WEIGHT = 256;
/** Statuses retry-on accepts (HAProxy 2.6 configuration manual). */
export const RETRY_ON_STATUSES = new Set([401, 403, 404, 408, 425, 500, 501, 502, 503, 504]);

export function backendBlock(pool: RenderedPool, name: string, proxy: DropIn['proxy']): string {
  const scale = weightScale(pool.servers);
  const retryOn = ['conn-failure', 'empty-response', 'response-timeout', ...pool.retry.statuses.filter((status) => RETRY_ON_STATUSES.has(status))].join(' ');
  const health = pool.health;
  const check = health.enabled ? ` check${checkProtocol(pool)} inter ${duration(health.intervalMs)} fall ${health.fall} rise ${health.rise}` : '';
  const grpc = pool.protocol === 'grpc';
  // Passive health needs active checks in HAProxy: observed errors feed the same up/down state.
  const observe = health.enabled && pool.passive.enabled ? ` observe layer7 error-limit ${pool.passive.maxFails} on-error mark-down` : '';
  return `backend ${name}
${balance(pool)}
    # backup servers all share the load when no primary is up, as in the gateway.
    option allbackups
    # ${pool.retry.retries} more tries, each on another server (redispatch on every retry), for these failures:
    retries ${pool.retry.retries}
    option redispatch 1
${(grpc ? grpcRetryLines(pool) : httpRetryLines(pool, retryOn)).join('\n')}
${grpc ? '    # httpchk cannot speak grpc.health.v1: the check is a TCP connect.' : `    option httpchk\n    http-check send meth GET uri ${health.path} ver HTTP/1.1 hdr Host localhost`}
${haproxyQueueTimeout(pool)}    default-server maxconn ${haproxyServerMaxconn(pool, proxy.connectionsPerBackend)}${check}${observe}${hasNamedServers(pool) ? ' resolvers system init-addr last,libc,none' : ''}
${pool.servers.map((server) => serverLine(pool, server, scale)).join('\n')}`;
}

function httpRetryLines(pool: RenderedPool, retryOn: string): string[] {
  return [
    `    retry-on ${retryOn}`,
    '    # Anything beyond a failed connection is retried only for idempotent methods.',
    `    acl idempotent method ${pool.retry.idempotentMethods.join(' ')}`,
    '    http-request disable-l7-retry unless idempotent',
  ];
}

/** The balance algorithm for the pool's policy; consistent-hash keys map to HAProxy's own hash sources. */
function balance(pool: RenderedPool): string {
  if (pool.policy === 'round-robin') return '    balance roundrobin';
  if (pool.policy === 'least-outstanding') return '    # least-outstanding: the fewest connections for the weight (HAProxy has no power of two choices).\n    balance leastconn';
  const key = pool.hashOn!;
  // uri whole: the path with its query, as the gateway hashes it. A request without the key goes round-robin, as in the gateway.
  const algorithm = key === 'path' ? 'uri whole' : key === 'client-ip' ? 'source' : key.startsWith('header:') ? `hdr(${key.slice('header:'.length)})` : `hash req.cook(${key.slice('cookie:'.length)})`;
  return `    # consistent hash on ${key}: a leaving server moves only its own keys.\n    balance ${algorithm}\n    hash-type consistent`;
}

/** Host names (compose service names) are looked up again while running; one that does not resolve yet leaves its server down. */
export function hasNamedServers(pool: RenderedPool): boolean {
  return pool.servers.some((server) => isIP(server.host) === 0);
}

function serverLine(pool: RenderedPool, server: RenderedServer, scale: number): string {
  const weight = Math.max(1, Math.round(server.weight * scale));
  const tls = server.https ? ' ssl verify required ca-file @system-ca' : '';
  return `    server ${server.id} ${server.address} weight ${weight}${server.backup ? ' backup' : ''}${tls}${serverProtocol(pool, server)}`;
}

/** Scales weights down proportionally when the largest exceeds HAProxy's range. */
export function weightScale(servers: readonly RenderedServer[]): number {
  const largest = Math.max(...servers.map((server) => server.weight));
  return largest > HAPROXY_MAX_WEIGHT ? HAPROXY_MAX_WEIGHT / largest : 1;
}
