// Renders the gateway's pool config as a complete nginx 1.22 (open source) configuration, with every default
// pinned and a header that lists what nginx OSS cannot express. Paths are relative to the -p prefix.
import type { GatewayConfig } from '../config.js';
import { commentBlock, duration, poolSettings, RenderError, spoken, type PoolSettings } from './pool-settings.js';

/** nginx has no "unlimited" for keepalive_requests; a million is unlimited in practice. */
const UNCAPPED_REQUESTS_PER_CONNECTION = 1_000_000;

export const NGINX_DEFAULT_PORT = 8090;

export interface NginxRenderOptions {
  /** Traffic port; the listen host comes from the config's listen.host. */
  port?: number;
}

/** Response statuses nginx can pass on to the next server (proxy_next_upstream http_*). */
const NEXT_UPSTREAM_STATUSES = new Set([500, 502, 503, 504, 403, 404, 429]);
/** nginx's own idea of non-idempotent: only these are never sent twice (ngx_http_upstream.c). */
const NGINX_NON_IDEMPOTENT = ['POST', 'LOCK', 'PATCH'];
/** The gateway's X-Request-Id rule: a client's id is kept only when it is a plain token of up to 128 characters. */
const SANE_REQUEST_ID = '^[A-Za-z0-9._:@/+=-]{1,128}$';

export function renderNginx(config: GatewayConfig, options: NginxRenderOptions = {}): string {
  const pool = poolSettings(config);
  const port = options.port ?? NGINX_DEFAULT_PORT;
  const scheme = upstreamScheme(pool);
  const retryStatuses = pool.retry.statuses.filter((status) => NEXT_UPSTREAM_STATUSES.has(status));
  const nextUpstream = ['error', 'timeout', ...retryStatuses.map((status) => `http_${status}`)].join(' ');
  const servers = pool.servers.map((server) => {
    const passive = pool.passive.enabled ? ` max_fails=${pool.passive.maxFails} fail_timeout=${duration(pool.passive.failWindowMs)}` : ' max_fails=0';
    return `        server ${server.address} weight=${server.weight}${passive}${server.backup ? ' backup' : ''};  # ${server.id}`;
  });

  return `${commentBlock(header(pool, port))}

worker_processes auto;
pid nginx.pid;
error_log stderr notice;

events {
    worker_connections 4096;
}

http {
    # Relative to the -p prefix, so an unprivileged user can run this file from any directory.
    access_log ${pool.accessLog ? 'access.log' : 'off'};
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;

    # Client side: limits.* of the gateway config.
    client_header_timeout ${duration(pool.limits.clientHeadersTimeoutMs)};
    keepalive_timeout ${duration(pool.limits.clientKeepAliveTimeoutMs)};
    # The gateway does not cap requests per connection; nginx's default of 1000 would close busy
    # keep-alive connections under load, which clients see as resets the gateway never causes.
    keepalive_requests ${UNCAPPED_REQUESTS_PER_CONNECTION};
    large_client_header_buffers 4 ${Math.ceil(pool.limits.maxHeaderBytes / 1024)}k;
    client_max_body_size ${pool.limits.maxBodyBytes};

    # X-Request-Id: the client's id when it is a plain token, else one nginx generates.
    map $http_x_request_id $gateway_request_id {
        "~${SANE_REQUEST_ID}" $http_x_request_id;
        default $request_id;
    }

    upstream gateway_backends {
        # Shared memory makes every worker walk one round-robin sequence and share failure counts.
        zone gateway_backends 64k;
${servers.join('\n')}
        # Idle keep-alive connections cached per worker.
        keepalive ${pool.proxy.connectionsPerBackend};
        keepalive_requests ${UNCAPPED_REQUESTS_PER_CONNECTION};
    }

    server {
        listen ${listenAddress(pool.listenHost, port)};

        location / {
            proxy_pass ${scheme}://gateway_backends;
            # Upstream keep-alive needs HTTP/1.1 and an empty Connection header.
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-Id $gateway_request_id;
            proxy_redirect off;

            proxy_connect_timeout ${duration(pool.proxy.connectTimeoutMs)};
            proxy_send_timeout ${duration(pool.proxy.headersTimeoutMs)};
            proxy_read_timeout ${duration(pool.proxy.headersTimeoutMs)};

            # Try the next server on these failures; POST, LOCK and PATCH are not resent once sent (non_idempotent is off).
            proxy_next_upstream ${nextUpstream};
            proxy_next_upstream_tries ${pool.retry.retries + 1};
            proxy_next_upstream_timeout ${duration(pool.retry.tryDurationMs)};

            # Stream bodies both ways instead of spooling them to temp files.
            proxy_request_buffering off;
            proxy_buffering off;
        }
    }
}
`;
}

function header(pool: PoolSettings, port: number): string[] {
  const lines = [
    'nginx.conf rendered by `gateway render nginx --config FILE` from the gateway config: do not edit, render again.',
    `The same pool as the gateway: round-robin over ${pool.servers.length} backend(s) with their weights and backup flags, on port ${port}.`,
    "Run it in the foreground with every path under a prefix dir: nginx -p DIR -c nginx.conf -e stderr -g 'daemon off;'",
    '',
    'What nginx 1.22 (open source) cannot express, and what this file does instead:',
    `- Active health checks (GET ${pool.health.path} every ${spoken(pool.health.intervalMs)}, timeout ${spoken(pool.health.timeoutMs)}, fall ${pool.health.fall}, rise ${pool.health.rise}): none.`,
    '  A dead or frozen backend is found only by live traffic; the request that finds it is retried on the next server.',
    `- Passive ejection (${pool.passive.maxFails} failures within ${spoken(pool.passive.failWindowMs)} eject for ${spoken(pool.passive.ejectTimeMs)}, doubling up to ${spoken(pool.passive.maxEjectTimeMs)}):`,
    `  max_fails=${pool.passive.maxFails} fail_timeout=${duration(pool.passive.failWindowMs)}, one time for both the counting window and the ejection, no backoff.`,
    '- New backends start in rotation at once (no "unknown until the first good probe").',
    '- Backend host names are looked up once at start (nginx does not start if one does not resolve), never again.',
    '- Runtime drain, enable and weight changes, self-registration with TTL heartbeats, DNS and etcd discovery:',
    '  none; the server list is fixed until nginx reloads this file.',
    '- No available backend answers 502 (nginx has no "no live upstreams" status of its own), not 503 with Retry-After.',
    `- Headers timeout (${spoken(pool.proxy.headersTimeoutMs)}): proxy_read_timeout is the longest silence between two reads, so it also bounds silences inside the body.`,
    `- The retry budget (retries at most ${Math.round(pool.retry.budgetRatio * 100)} % of requests): none; every request may use all ${pool.retry.retries} retries.`,
    `- Connections per backend (${pool.proxy.connectionsPerBackend}): keepalive caches that many idle connections per worker; open source nginx has no queue behind a cap.`,
    '- Errors are nginx HTML pages, not the gateway JSON body; no admin API, /metrics, audit log or dashboard.',
  ];
  const lost = pool.retry.statuses.filter((status) => !NEXT_UPSTREAM_STATUSES.has(status));
  if (lost.length > 0) lines.push(`- Retrying on status ${lost.join(', ')}: not possible (proxy_next_upstream knows ${[...NEXT_UPSTREAM_STATUSES].join(', ')}).`);
  const idempotent = new Set(pool.retry.idempotentMethods);
  const differs = NGINX_NON_IDEMPOTENT.some((method) => idempotent.has(method)) || ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'].some((method) => !idempotent.has(method));
  if (differs) lines.push(`- Idempotent methods (${pool.retry.idempotentMethods.join(', ')}): nginx treats every method except ${NGINX_NON_IDEMPOTENT.join(', ')} as safe to resend.`);
  if (!pool.health.enabled) lines.push('- healthCheck.enabled is false in the config, which matches nginx: no probes.');
  return lines;
}

/** One upstream group has one scheme; the gateway allows mixing, nginx does not. */
function upstreamScheme(pool: PoolSettings): 'http' | 'https' {
  const https = pool.servers.filter((server) => server.https).length;
  if (https !== 0 && https !== pool.servers.length) throw new RenderError('nginx cannot mix http and https backends in one upstream group; render them separately');
  return https === 0 ? 'http' : 'https';
}

function listenAddress(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return String(port);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
