// The opening comment of a rendered haproxy.cfg: what it was rendered from, how to run it, and what HAProxy 2.6
// cannot express, with what the file does instead, for the pools and routes actually rendered.
import { haproxyGrpcLines } from './haproxy-h2.js';
import type { DropIn } from './drop-in.js';
import { HAPROXY_MAX_WEIGHT, RETRY_ON_STATUSES, weightScale } from './haproxy-backend.js';
import { haproxyLimitLines } from './haproxy-rate-limits.js';
import { haproxyConcurrencyLines } from './concurrency-limits.js';
import { headerMatchers, leftOutLines, summaryLines } from './header-lines.js';
import { policyWords, spoken } from './pool-settings.js';
import { haproxyTlsLines } from './haproxy-tls.js';
import { limitSummaryLines, routeLimits } from './route-limits.js';
import { tlsLines, tlsSummary } from './tls-listener.js';

export function haproxyHeader(dropIn: DropIn, port: number, statsPort: number, tlsPort: number, h2cPort: number | undefined): string[] {
  const { single, health, passive, retry, proxy, limits } = dropIn;
  const lines = [
    'haproxy.cfg rendered by `gateway render haproxy --config FILE` from the gateway config: do not edit, render again.',
    ...(single
      ? [`The same pool as the gateway: ${policyWords(single)} over ${single.servers.length} backend(s) with their weights and backup flags, on port ${port};`, `stats on :${statsPort}/stats and the Prometheus exporter on :${statsPort}/metrics.`]
      : [`The same routes and pools as the gateway, on port ${port}:`, ...summaryLines(dropIn), `Stats on :${statsPort}/stats and the Prometheus exporter on :${statsPort}/metrics.`]),
    ...tlsSummary(dropIn.tls, tlsPort),
    'Run it in the foreground as any user: haproxy -db -f haproxy.cfg (check it with haproxy -c -f haproxy.cfg).',
    '',
    'What HAProxy 2.6 cannot express, and what this file does instead:',
    '- A retry goes to another server only because of "option redispatch 1"; without it HAProxy retries the same server.',
    '  A redispatched retry asks round-robin for the next server, which avoids the one that just failed; a lone server is retried.',
    '- A POST whose server closes the connection without answering gets a 502, or, when it was not the first request on',
    '  the client\'s kept-alive connection, that connection is closed without an answer (the client decides to retry).',
    `- Passive ejection (${passive.maxFails} failures within ${spoken(passive.failWindowMs)} eject for ${spoken(passive.ejectTimeMs)}, doubling up to ${spoken(passive.maxEjectTimeMs)}):`,
    `  observe layer7 counts ${passive.maxFails} consecutive errors (no time window), then marks the server down until ${health.rise} good checks.`,
    '- New servers start up before their first check (the gateway keeps them out until the first good probe).',
    '- Self-registration with TTL heartbeats, DNS SRV and etcd discovery: none; the server list is fixed',
    '  until reload. Drain and weight changes exist only on the runtime API (stats socket), which this file does not open.',
    '- Request bodies larger than one buffer (tune.bufsize, 16 kB) are never retried beyond a failed connection;',
    `  the gateway buffers up to ${retry.replayableBodyBytes} bytes for replay.`,
    `- The retry budget (retries at most ${Math.round(retry.budgetRatio * 100)} % of requests) and the total try duration (${spoken(retry.tryDurationMs)}): none.`,
    `- The headers timeout (${spoken(proxy.headersTimeoutMs)}) is "timeout server", an inactivity timeout that also bounds silences in the body.`,
    `- The body limit (${limits.maxBodyBytes} bytes) applies to Content-Length only; chunked bodies are not counted.`,
    single
      ? '- Errors are HAProxy HTML pages, not the gateway JSON body; /metrics has HAProxy\'s metric names, not gateway_*.'
      : '- No route answers 404 with the gateway JSON body; other errors are HAProxy HTML pages. /metrics has HAProxy\'s metric names, not gateway_*.',
    ...(single ? [] : routingLines(dropIn)),
    ...limitSummaryLines(routeLimits(dropIn)),
    ...haproxyLimitLines(dropIn),
    ...haproxyConcurrencyLines(dropIn),
    ...tlsLines(dropIn.tls),
    ...haproxyTlsLines(dropIn.tls),
    ...haproxyGrpcLines(dropIn, h2cPort),
    ...leftOutLines(dropIn),
    ...policyLines(dropIn),
  ];
  for (const pool of dropIn.pools) {
    const scale = weightScale(pool.servers);
    if (scale !== 1) lines.push(`- Weights above ${HAPROXY_MAX_WEIGHT}${single ? '' : ` in pool ${pool.name}`}: all weights are scaled by ${scale.toFixed(4)} to fit HAProxy's range.`);
  }
  const lost = [...new Set(dropIn.pools.flatMap((pool) => pool.retry.statuses))].filter((status) => !RETRY_ON_STATUSES.has(status));
  if (lost.length > 0) lines.push(`- Retrying on status ${lost.join(', ')}: not possible (retry-on knows ${[...RETRY_ON_STATUSES].join(', ')}).`);
  if (!health.enabled) lines.push('- healthCheck.enabled is false: no checks, so passive ejection (which HAProxy ties to checks) is off too.');
  return lines;
}

/** What routes and splits become in HAProxy. */
function routingLines(dropIn: DropIn): string[] {
  const lines = [
    '- Changing a split at runtime (PUT /routes/:name/split, for a blue-green switch or a canary ramp): none; render',
    '  again and reload. A reloaded HAProxy (haproxy -sf, or SIGUSR2 in master-worker mode) lets the old process finish',
    '  its connections, as the gateway\'s reload does, but keeps no server state: every server starts again as above.',
  ];
  const splits = dropIn.routes.filter((route) => route.split !== undefined);
  if (splits.length > 0) {
    lines.push(
      '- A split is one backend per pool, chosen by ranges of one draw per request (txn.split: rand, or xxh32 of the sticky',
      '  cookie or header), since "balance" cannot choose between backends and each pool keeps its own policy and checks.',
      '  A side whose pool has no server up still takes its share (503); the gateway gives that share to the other sides.',
    );
    if (splits.some((route) => route.sticky !== undefined)) lines.push('  A sticky user stays on one side, though not necessarily the side the gateway would choose (another hash).');
  }
  if (headerMatchers(dropIn).some(([, matcher]) => typeof matcher !== 'string')) lines.push('- Header regexes run in PCRE, not JavaScript: alike for ordinary patterns; lookbehind, \\p{...} and flags differ.');
  return lines;
}

/** What the balancing policies become in HAProxy. */
function policyLines(dropIn: DropIn): string[] {
  const lines: string[] = [];
  const by = (policy: string) => dropIn.pools.filter((pool) => pool.policy === policy).map((pool) => pool.name);
  if (by('least-outstanding').length > 0) lines.push(`- least-outstanding (${by('least-outstanding').join(', ')}) is leastconn: the fewest connections for the weight, not power of two choices.`);
  if (by('consistent-hash').length > 0) {
    lines.push(
      `- consistent-hash (${by('consistent-hash').join(', ')}) is HAProxy's own hash with hash-type consistent: a leaving server moves only`,
      '  its keys, as in the gateway, but a key may map to another server than the gateway\'s ring. Without the key, round-robin.',
    );
  }
  return lines;
}
