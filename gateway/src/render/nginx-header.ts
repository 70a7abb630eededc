// The opening comment of a rendered nginx.conf: what it was rendered from, how to run it, and what nginx 1.22
// (open source) cannot express, with what the file does instead, for the pools and routes actually rendered.
import { nginxConcurrencyLines } from './concurrency-limits.js';
import type { DropIn } from './drop-in.js';
import { NEXT_UPSTREAM_STATUSES } from './nginx-pool.js';
import { headerMatchers, leftOutLines, summaryLines } from './header-lines.js';
import { nginxLimitLines } from './nginx-rate-limits.js';
import { duration, policyWords, spoken } from './pool-settings.js';
import { limitSummaryLines, routeLimits } from './route-limits.js';
import { tlsLines, tlsSummary } from './tls-listener.js';
import { nginxGrpcLines } from './nginx-grpc.js';

/** nginx's own idea of non-idempotent: only these are never sent twice (ngx_http_upstream.c). */
const NGINX_NON_IDEMPOTENT = ['POST', 'LOCK', 'PATCH'];
const GATEWAY_IDEMPOTENT_DEFAULT = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'];

export function nginxHeader(dropIn: DropIn, port: number, tlsPort: number, h2cPort: number | undefined): string[] {
  const { single, health, passive, retry, proxy } = dropIn;
  const lines = [
    'nginx.conf rendered by `gateway render nginx --config FILE` from the gateway config: do not edit, render again.',
    ...(single
      ? [`The same pool as the gateway: ${policyWords(single)} over ${single.servers.length} backend(s) with their weights and backup flags, on port ${port}.`]
      : [`The same routes and pools as the gateway, on port ${port}:`, ...summaryLines(dropIn)]),
    ...tlsSummary(dropIn.tls, tlsPort),
    "Run it in the foreground with every path under a prefix dir: nginx -p DIR -c nginx.conf -e stderr -g 'daemon off;'",
    '',
    'What nginx 1.22 (open source) cannot express, and what this file does instead:',
    `- Active health checks (GET ${health.path} every ${spoken(health.intervalMs)}, timeout ${spoken(health.timeoutMs)}, fall ${health.fall}, rise ${health.rise}): none.`,
    '  A dead or frozen backend is found only by live traffic; the request that finds it is retried on the next server.',
    `- Passive ejection (${passive.maxFails} failures within ${spoken(passive.failWindowMs)} eject for ${spoken(passive.ejectTimeMs)}, doubling up to ${spoken(passive.maxEjectTimeMs)}):`,
    `  max_fails=${passive.maxFails} fail_timeout=${duration(passive.failWindowMs)}, one time for both the counting window and the ejection, no backoff.`,
    '- New backends start in rotation at once (no "unknown until the first good probe").',
    '- Backend host names are looked up once at start (nginx does not start if one does not resolve), never again.',
    '- Runtime drain, enable and weight changes, self-registration with TTL heartbeats, DNS and etcd discovery:',
    '  none; the server list is fixed until nginx reloads this file.',
    '- No available backend answers 502 (nginx has no "no live upstreams" status of its own), not 503 with Retry-After.',
    `- Headers timeout (${spoken(proxy.headersTimeoutMs)}): proxy_read_timeout is the longest silence between two reads, so it also bounds silences inside the body.`,
    `- The retry budget (retries at most ${Math.round(retry.budgetRatio * 100)} % of requests): none; every request may use all ${retry.retries} retries.`,
    `- Connections per backend (${proxy.connectionsPerBackend}): keepalive caches that many idle connections per worker; open source nginx has no queue behind a cap.`,
    single
      ? '- Errors are nginx HTML pages, not the gateway JSON body; no admin API, /metrics, audit log or dashboard.'
      : '- No route answers 404 with the gateway JSON body; other errors are nginx HTML pages. No admin API, /metrics, audit log or dashboard.',
    ...(single ? [] : routingLines(dropIn)),
    ...limitSummaryLines(routeLimits(dropIn)),
    ...nginxLimitLines(dropIn),
    ...nginxConcurrencyLines(dropIn),
    ...tlsLines(dropIn.tls),
    ...nginxGrpcLines(dropIn, h2cPort),
    ...leftOutLines(dropIn),
    ...policyLines(dropIn),
  ];
  const pools = dropIn.pools;
  const lost = [...new Set(pools.flatMap((pool) => pool.retry.statuses))].filter((status) => !NEXT_UPSTREAM_STATUSES.has(status));
  if (lost.length > 0) lines.push(`- Retrying on status ${lost.join(', ')}: not possible (proxy_next_upstream knows ${[...NEXT_UPSTREAM_STATUSES].join(', ')}).`);
  for (const methods of new Set(pools.map((pool) => pool.retry.idempotentMethods.join(', ')))) {
    const idempotent = new Set(methods.split(', '));
    const differs = NGINX_NON_IDEMPOTENT.some((method) => idempotent.has(method)) || GATEWAY_IDEMPOTENT_DEFAULT.some((method) => !idempotent.has(method));
    if (differs) lines.push(`- Idempotent methods (${methods}): nginx treats every method except ${NGINX_NON_IDEMPOTENT.join(', ')} as safe to resend.`);
  }
  if (!health.enabled) lines.push('- healthCheck.enabled is false in the config, which matches nginx: no probes.');
  return lines;
}

/** What routes and splits become in nginx. */
function routingLines(dropIn: DropIn): string[] {
  const lines = [
    '- Routes are ordered, first match wins; nginx\'s server_name and location pick the most specific instead, and',
    '  cannot test methods or headers. So maps over $host, $request_uri (the path as sent, not decoded, as the gateway',
    '  compares it), $request_method and $http_* pick the route, and a per-pool internal location proxies it.',
    '- Changing a split at runtime (PUT /routes/:name/split, for a blue-green switch or a canary ramp): none;',
    '  render again and reload. nginx -s reload starts workers on the new file while the old ones finish their',
    '  requests, and refuses a file nginx -t rejects (the old one keeps serving), like the gateway\'s reload.',
  ];
  const splits = dropIn.routes.filter((route) => route.split !== undefined);
  if (splits.length > 0) {
    lines.push(
      '- Splits are split_clients over the request id, shares rounded down to 0.01 %. A side whose pool has no backend',
      '  left still takes its share (502); the gateway gives that share to the other sides.',
    );
    if (splits.some((route) => route.sticky !== undefined)) {
      lines.push('  A sticky split hashes the cookie or header (MurmurHash2): one user stays on one side, though not', '  necessarily the side the gateway would choose; a request without it is split at random, as in the gateway.');
    }
  }
  const headers = headerMatchers(dropIn);
  if (headers.length > 0) lines.push('- Header matchers: an empty header counts as absent (nginx cannot tell them apart).');
  if (headers.some(([, matcher]) => typeof matcher !== 'string')) lines.push('  Regexes run in PCRE, not JavaScript: alike for ordinary patterns; lookbehind, \\p{...} and flags differ.');
  return lines;
}

/** What the balancing policies become in nginx. */
function policyLines(dropIn: DropIn): string[] {
  const lines: string[] = [];
  const by = (policy: string) => dropIn.pools.filter((pool) => pool.policy === policy).map((pool) => pool.name);
  if (by('least-outstanding').length > 0) lines.push(`- least-outstanding (${by('least-outstanding').join(', ')}) is least_conn: the fewest active connections for the weight, not power of two choices.`);
  const hashed = by('consistent-hash');
  if (hashed.length > 0) {
    lines.push(
      `- consistent-hash (${hashed.join(', ')}) is nginx's ketama ring: a leaving backend moves only its keys, as in the gateway, but a`,
      '  key may map to another backend than the gateway\'s ring. A request without the key hashes the empty string, so',
      '  all of them go to one backend; the gateway spreads them round-robin.',
    );
    const withBackups = dropIn.pools.filter((pool) => pool.policy === 'consistent-hash' && pool.servers.some((server) => server.backup));
    if (withBackups.length > 0) lines.push(`- Backup servers of ${withBackups.map((pool) => pool.name).join(', ')} are left out: nginx's hash cannot have backups.`);
  }
  return lines;
}
