// Renders the gateway's pool config as a complete HAProxy 2.6 configuration, with every default pinned and a
// header that lists what HAProxy cannot express. No chroot, user or daemon: it runs as whoever starts it.
import { isIP } from 'node:net';
import type { GatewayConfig } from '../config.js';
import { commentBlock, duration, poolSettings, spoken, type PoolSettings, type RenderedServer } from './pool-settings.js';

export const HAPROXY_DEFAULT_PORT = 8091;
export const HAPROXY_DEFAULT_STATS_PORT = 8404;

export interface HaproxyRenderOptions {
  /** Traffic port; the listen host comes from the config's listen.host. */
  port?: number;
  /** Stats page (/stats) and Prometheus exporter (/metrics). */
  statsPort?: number;
}

/** HAProxy weights go from 0 to 256; the gateway's from 1 to 1000. */
const HAPROXY_MAX_WEIGHT = 256;
/** Statuses retry-on accepts (HAProxy 2.6 configuration manual). */
const RETRY_ON_STATUSES = new Set([401, 403, 404, 408, 425, 500, 501, 502, 503, 504]);
const SANE_REQUEST_ID = '^[A-Za-z0-9._:@/+=-]{1,128}$';

export function renderHaproxy(config: GatewayConfig, options: HaproxyRenderOptions = {}): string {
  const pool = poolSettings(config);
  const port = options.port ?? HAPROXY_DEFAULT_PORT;
  const statsPort = options.statsPort ?? HAPROXY_DEFAULT_STATS_PORT;
  const scale = weightScale(pool.servers);
  const retryOn = ['conn-failure', 'empty-response', 'response-timeout', ...pool.retry.statuses.filter((status) => RETRY_ON_STATUSES.has(status))].join(' ');
  const health = pool.health;
  const check = health.enabled ? ` check inter ${duration(health.intervalMs)} fall ${health.fall} rise ${health.rise}` : '';
  // Host names (compose service names) are looked up again while running, and one that does not resolve yet
  // leaves its server down instead of stopping HAProxy from starting.
  const named = pool.servers.some((server) => isIP(server.host) === 0);
  // Passive health needs active checks in HAProxy: observed errors feed the same up/down state.
  const observe = health.enabled && pool.passive.enabled ? ` observe layer7 error-limit ${pool.passive.maxFails} on-error mark-down` : '';

  return `${commentBlock(header(pool, port, statsPort, scale))}

global
    log stdout format raw local0 info
    maxconn 4096
    # healthCheck.jitter: each check interval varies by this percentage.
    spread-checks ${Math.round(health.jitter * 100)}

${named ? 'resolvers system\n    parse-resolv-conf\n\n' : ''}defaults
    mode http
${pool.accessLog ? '    # log.access: one line per request on stdout.\n    log global\n    option httplog\n' : ''}    option http-keep-alive
    timeout connect ${duration(pool.proxy.connectTimeoutMs)}
    # HAProxy has one inactivity timeout per side; the headers timeout bounds both, and a queued request's wait.
    timeout server ${duration(pool.proxy.headersTimeoutMs)}
    timeout client ${duration(pool.proxy.headersTimeoutMs)}
    timeout queue ${duration(pool.proxy.headersTimeoutMs)}
    timeout http-request ${duration(pool.limits.clientHeadersTimeoutMs)}
    timeout http-keep-alive ${duration(pool.limits.clientKeepAliveTimeoutMs)}
    timeout check ${duration(health.timeoutMs)}

frontend gateway
    bind ${pool.listenHost}:${port}
    # X-Request-Id: the client's id when it is a plain token, else one HAProxy makes unique.
    unique-id-format %{+X}o%ci-%cp-%fp-%Ts-%rt-%pid
    http-request set-header X-Request-Id %[unique-id] unless { req.hdr(x-request-id) -m reg ${SANE_REQUEST_ID} }
    # X-Forwarded-For is appended; Proto and Host are set from what this hop saw, never taken from the client.
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    http-request set-header X-Forwarded-Host %[req.hdr(host)]
${bodyLimit(pool.limits.maxBodyBytes)}    default_backend gateway_backends

backend gateway_backends
    balance roundrobin
    # backup servers all share the load when no primary is up, as in the gateway.
    option allbackups
    # ${pool.retry.retries} more tries, each on another server (redispatch on every retry), for these failures:
    retries ${pool.retry.retries}
    option redispatch 1
    retry-on ${retryOn}
    # Anything beyond a failed connection is retried only for idempotent methods.
    acl idempotent method ${pool.retry.idempotentMethods.join(' ')}
    http-request disable-l7-retry unless idempotent
    option httpchk
    http-check send meth GET uri ${health.path} ver HTTP/1.1 hdr Host localhost
    default-server maxconn ${pool.proxy.connectionsPerBackend}${check}${observe}${named ? ' resolvers system init-addr last,libc,none' : ''}
${pool.servers.map((server) => serverLine(server, scale)).join('\n')}

frontend stats
    bind ${pool.listenHost}:${statsPort}
    http-request use-service prometheus-exporter if { path /metrics }
    stats enable
    stats uri /stats
    stats refresh 5s
`;
}

/** limits.maxBodyBytes (0: none) for bodies that declare their length; chunked bodies are not counted. */
function bodyLimit(bytes: number): string {
  return bytes > 0 ? `    http-request deny deny_status 413 if { req.hdr_val(content-length) gt ${bytes} }\n` : '';
}

function serverLine(server: RenderedServer, scale: number): string {
  const weight = Math.max(1, Math.round(server.weight * scale));
  const tls = server.https ? ' ssl verify required ca-file @system-ca' : '';
  return `    server ${server.id} ${server.address} weight ${weight}${server.backup ? ' backup' : ''}${tls}`;
}

/** Scales weights down proportionally when the largest exceeds HAProxy's range. */
function weightScale(servers: readonly RenderedServer[]): number {
  const largest = Math.max(...servers.map((server) => server.weight));
  return largest > HAPROXY_MAX_WEIGHT ? HAPROXY_MAX_WEIGHT / largest : 1;
}

function header(pool: PoolSettings, port: number, statsPort: number, scale: number): string[] {
  const lines = [
    'haproxy.cfg rendered by `gateway render haproxy --config FILE` from the gateway config: do not edit, render again.',
    `The same pool as the gateway: round-robin over ${pool.servers.length} backend(s) with their weights and backup flags, on port ${port};`,
    `stats on :${statsPort}/stats and the Prometheus exporter on :${statsPort}/metrics.`,
    'Run it in the foreground as any user: haproxy -db -f haproxy.cfg (check it with haproxy -c -f haproxy.cfg).',
    '',
    'What HAProxy 2.6 cannot express, and what this file does instead:',
    '- A retry goes to another server only because of "option redispatch 1"; without it HAProxy retries the same server.',
    '  A redispatched retry asks round-robin for the next server, which avoids the one that just failed; a lone server is retried.',
    '- A POST whose server closes the connection without answering gets a 502, or, when it was not the first request on',
    '  the client\'s kept-alive connection, that connection is closed without an answer (the client decides to retry).',
    `- Passive ejection (${pool.passive.maxFails} failures within ${spoken(pool.passive.failWindowMs)} eject for ${spoken(pool.passive.ejectTimeMs)}, doubling up to ${spoken(pool.passive.maxEjectTimeMs)}):`,
    `  observe layer7 counts ${pool.passive.maxFails} consecutive errors (no time window), then marks the server down until ${pool.health.rise} good checks.`,
    '- New servers start up before their first check (the gateway keeps them out until the first good probe).',
    '- Self-registration with TTL heartbeats, DNS SRV and etcd discovery: none; the server list is fixed',
    '  until reload. Drain and weight changes exist only on the runtime API (stats socket), which this file does not open.',
    '- Request bodies larger than one buffer (tune.bufsize, 16 kB) are never retried beyond a failed connection;',
    `  the gateway buffers up to ${pool.retry.replayableBodyBytes} bytes for replay.`,
    `- The retry budget (retries at most ${Math.round(pool.retry.budgetRatio * 100)} % of requests) and the total try duration (${spoken(pool.retry.tryDurationMs)}): none.`,
    `- The headers timeout (${spoken(pool.proxy.headersTimeoutMs)}) is "timeout server", an inactivity timeout that also bounds silences in the body.`,
    `- The body limit (${pool.limits.maxBodyBytes} bytes) applies to Content-Length only; chunked bodies are not counted.`,
    '- Errors are HAProxy HTML pages, not the gateway JSON body; /metrics has HAProxy\'s metric names, not gateway_*.',
  ];
  if (scale !== 1) lines.push(`- Weights above ${HAPROXY_MAX_WEIGHT}: all weights are scaled by ${scale.toFixed(4)} to fit HAProxy's range.`);
  const lost = pool.retry.statuses.filter((status) => !RETRY_ON_STATUSES.has(status));
  if (lost.length > 0) lines.push(`- Retrying on status ${lost.join(', ')}: not possible (retry-on knows ${[...RETRY_ON_STATUSES].join(', ')}).`);
  if (!pool.health.enabled) lines.push('- healthCheck.enabled is false: no checks, so passive ejection (which HAProxy ties to checks) is off too.');
  return lines;
}
