// Renders the gateway's config as a complete HAProxy 2.6 configuration: one backend per pool, the route table as
// ACLs and use_backend rules (haproxy-routes.ts), every default pinned, and a header that lists what HAProxy cannot
// express. No chroot, user or daemon: it runs as whoever starts it.
import type { GatewayConfig } from '../config.js';
import { dropIn as readDropIn } from './drop-in.js';
import { backendBlock, hasNamedServers } from './haproxy-backend.js';
import { haproxyHeader } from './haproxy-header.js';
import { limitRules, limitTables } from './haproxy-rate-limits.js';
import { HAPROXY_DEFAULT_TLS_PORT, tlsBind } from './haproxy-tls.js';
import { h2cBind, haproxyH2cPort } from './haproxy-h2.js';
import { backendName, routeRules } from './haproxy-routes.js';
import { haproxyAuthRefusals } from './auth-closed.js';
import { haproxyFrontendMaxconn } from './concurrency-limits.js';
import { commentBlock, duration } from './pool-settings.js';

export const HAPROXY_DEFAULT_PORT = 8091;
export const HAPROXY_DEFAULT_STATS_PORT = 8404;

export interface HaproxyRenderOptions {
  /** Traffic port; the listen host comes from the config's listen.host. */
  port?: number;
  /** Stats page (/stats) and Prometheus exporter (/metrics). */
  statsPort?: number;
  /** TLS port, when the config enables tls; its host is tls.host or listen.host. */
  tlsPort?: number;
  /** Cleartext HTTP/2 (h2c) port, when the config sets http2.h2cPort; default that port plus eleven. */
  h2cPort?: number;
}

const SANE_REQUEST_ID = '^[A-Za-z0-9._:@/+=-]{1,128}$';
/** The one backend of a single-pool config, named as before routes existed. */
const SINGLE_BACKEND = 'gateway_backends';

export function renderHaproxy(config: GatewayConfig, options: HaproxyRenderOptions = {}): string {
  const dropIn = readDropIn(config);
  const { single, proxy, limits } = dropIn;
  const port = options.port ?? HAPROXY_DEFAULT_PORT;
  const statsPort = options.statsPort ?? HAPROXY_DEFAULT_STATS_PORT;
  const tlsPort = options.tlsPort ?? HAPROXY_DEFAULT_TLS_PORT;
  const tls = dropIn.tls;
  const h2cPort = dropIn.h2cPort === undefined ? undefined : options.h2cPort ?? haproxyH2cPort(dropIn);
  const health = dropIn.health;
  const pools = single ? [backendBlock(single, SINGLE_BACKEND, proxy)] : dropIn.pools.map((pool) => backendBlock(pool, backendName(pool.name), proxy));
  const backends = [...pools, ...limitTables(dropIn)];
  const routing = single ? [...haproxyAuthRefusals(dropIn, false), ...limitRules(dropIn, false), `    default_backend ${SINGLE_BACKEND}`].join('\n') : routeRules(dropIn, [...haproxyAuthRefusals(dropIn, true), ...limitRules(dropIn, true)]);
  const named = dropIn.pools.some(hasNamedServers);

  return `${commentBlock(haproxyHeader(dropIn, port, statsPort, tlsPort, h2cPort))}

global
    log stdout format raw local0 info
    maxconn 4096
    # healthCheck.jitter: each check interval varies by this percentage.
    spread-checks ${Math.round(health.jitter * 100)}

${named ? 'resolvers system\n    parse-resolv-conf\n\n' : ''}defaults
    mode http
${dropIn.accessLog ? '    # log.access: one line per request on stdout.\n    log global\n    option httplog\n' : ''}    option http-keep-alive
    timeout connect ${duration(proxy.connectTimeoutMs)}
    # HAProxy has one inactivity timeout per side; the headers timeout bounds both, and a queued request's wait.
    timeout server ${duration(proxy.headersTimeoutMs)}
    timeout client ${duration(proxy.headersTimeoutMs)}
    timeout queue ${duration(proxy.headersTimeoutMs)}
    timeout http-request ${duration(limits.clientHeadersTimeoutMs)}
    timeout http-keep-alive ${duration(limits.clientKeepAliveTimeoutMs)}
    timeout check ${duration(health.timeoutMs)}

frontend gateway
${haproxyFrontendMaxconn(dropIn)}    bind ${dropIn.listenHost}:${port}
${h2cBind(dropIn, h2cPort)}${tls ? `${tlsBind(tls, tlsPort)}\n` : ''}    # X-Request-Id: the client's id when it is a plain token, else one HAProxy makes unique.
    unique-id-format %{+X}o%ci-%cp-%fp-%Ts-%rt-%pid
    http-request set-header X-Request-Id %[unique-id] unless { req.hdr(x-request-id) -m reg ${SANE_REQUEST_ID} }
    # X-Forwarded-For is appended; Proto and Host are set from what this hop saw, never taken from the client.
    option forwardfor
    http-request set-header X-Forwarded-Proto http
${tls ? '    http-request set-header X-Forwarded-Proto https if { ssl_fc }\n' : ''}    http-request set-header X-Forwarded-Host %[req.hdr(host)]
${bodyLimit(limits.maxBodyBytes)}${routing}

${backends.join('\n\n')}

frontend stats
    bind ${dropIn.listenHost}:${statsPort}
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
