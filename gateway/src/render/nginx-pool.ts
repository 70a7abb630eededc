// One pool for nginx: its upstream block (policy, weights, backups, passive ejection, keep-alive) and the proxy
// directives of a location that sends to it (timeouts, the pool's retries). Both are per pool because the gateway
// lets each pool have its own policy, retry and passive-health settings.
import type { DropIn } from './drop-in.js';
import { nginxMaxConns } from './concurrency-limits.js';
import { keyVariable } from './nginx-keys.js';
import { duration, RenderError, type RenderedPool } from './pool-settings.js';

/** nginx has no "unlimited" for keepalive_requests; a million is unlimited in practice. */
export const UNCAPPED_REQUESTS_PER_CONNECTION = 1_000_000;
/** Response statuses nginx can pass on to the next server (proxy_next_upstream http_*). */
export const NEXT_UPSTREAM_STATUSES = new Set([500, 502, 503, 504, 403, 404, 429]);

export function upstreamBlock(pool: RenderedPool, name: string, proxy: DropIn['proxy']): string {
  // nginx's hash cannot have backup servers (nginx -t refuses them); the header says they are left out.
  const servers = pool.policy === 'consistent-hash' ? pool.servers.filter((server) => !server.backup) : pool.servers;
  const lines = servers.map((server) => {
    const passive = pool.passive.enabled ? ` max_fails=${pool.passive.maxFails} fail_timeout=${duration(pool.passive.failWindowMs)}` : ' max_fails=0';
    return `        server ${server.address} weight=${server.weight}${passive}${nginxMaxConns(pool)}${server.backup ? ' backup' : ''};  # ${server.id}`;
  });
  return `    upstream ${name} {
${policyLines(pool, name).join('\n')}
${lines.join('\n')}
        # Idle keep-alive connections cached per worker.
        keepalive ${proxy.connectionsPerBackend};
        keepalive_requests ${UNCAPPED_REQUESTS_PER_CONNECTION};
    }`;
}

/** The zone and balancing method; nginx wants the method before keepalive. */
function policyLines(pool: RenderedPool, name: string): string[] {
  if (pool.policy === 'round-robin') {
    return ['        # Shared memory makes every worker walk one round-robin sequence and share failure counts.', `        zone ${name} 64k;`];
  }
  const zone = ['        # Shared memory makes every worker see the same connection and failure counts.', `        zone ${name} 64k;`];
  if (pool.policy === 'least-outstanding') return [...zone, '        # least-outstanding: the fewest active connections for the weight (nginx has no power of two choices).', '        least_conn;'];
  return [...zone, `        # consistent hash on ${pool.hashOn}: a ketama ring, so a leaving backend moves only its own keys.`, `        hash ${keyVariable(pool.hashOn!)} consistent;`];
}

/** The directives inside a location that proxies to `target` with the pool's timeouts and retries. */
export function proxyDirectives(pool: RenderedPool, proxy: DropIn['proxy'], target: string): string {
  const retryStatuses = pool.retry.statuses.filter((status) => NEXT_UPSTREAM_STATUSES.has(status));
  const nextUpstream = ['error', 'timeout', ...retryStatuses.map((status) => `http_${status}`)].join(' ');
  return `            proxy_pass ${upstreamScheme(pool)}://${target};
            # Upstream keep-alive needs HTTP/1.1 and an empty Connection header.
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-Id $gateway_request_id;
            proxy_redirect off;

            proxy_connect_timeout ${duration(proxy.connectTimeoutMs)};
            proxy_send_timeout ${duration(proxy.headersTimeoutMs)};
            proxy_read_timeout ${duration(proxy.headersTimeoutMs)};

            # Try the next server on these failures; POST, LOCK and PATCH are not resent once sent (non_idempotent is off).
            proxy_next_upstream ${nextUpstream};
            proxy_next_upstream_tries ${pool.retry.retries + 1};
            proxy_next_upstream_timeout ${duration(pool.retry.tryDurationMs)};

            # Stream bodies both ways instead of spooling them to temp files.
            proxy_request_buffering off;
            proxy_buffering off;`;
}

/** One upstream group has one scheme; the gateway allows mixing, nginx does not. */
export function upstreamScheme(pool: RenderedPool): 'http' | 'https' {
  const https = pool.servers.filter((server) => server.https).length;
  if (https !== 0 && https !== pool.servers.length) throw new RenderError('nginx cannot mix http and https backends in one upstream group; render them separately');
  return https === 0 ? 'http' : 'https';
}
