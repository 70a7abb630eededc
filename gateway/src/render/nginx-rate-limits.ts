// The routes' rate limits for nginx: one limit_req_zone per limited route, keyed by a variable that is empty for
// every other route (nginx does not count a request whose key is empty), and limit_req with burst and nodelay at
// server level, so whichever pool location a route is rewritten to counts it once.
import type { DropIn } from './drop-in.js';
import { headerVariable } from './nginx-keys.js';
import { keyHeader, routeLimits, type RouteLimit } from './route-limits.js';

/** Each zone keeps about 16 000 clients per megabyte (64-byte states), then evicts the least recently seen. */
const ZONE_SIZE = '10m';

function zoneName(limit: RouteLimit): string {
  return `gateway_limit_${limit.route.name}`;
}

/**
 * nginx takes whole requests per second or per minute. A rate with no whole number of either is rounded to the
 * nearest per minute (at least 1); the header says so.
 */
export function nginxRate(rate: number): { text: string; exact: boolean } {
  if (Number.isInteger(rate)) return { text: `${rate}r/s`, exact: true };
  const perMinute = rate * 60;
  const rounded = Math.max(1, Math.round(perMinute));
  return { text: `${rounded}r/m`, exact: Math.abs(perMinute - rounded) < 1e-9 };
}

/** The client's key: its address, or the header's value (its address when the header is absent or empty). */
function keyLines(limit: RouteLimit): { lines: string[]; key: string } {
  const header = keyHeader(limit);
  if (header === undefined) return { lines: [], key: '$binary_remote_addr' };
  const variable = headerVariable(header);
  const key = `$gateway_limit_client_${limit.id}`;
  // The prefixes keep a header value that looks like an address apart from an address, as in the gateway.
  return { lines: [`    map ${variable} ${key} {`, `        "" "ip:$remote_addr";`, `        default "h:${variable}";`, '    }'], key };
}

/** http-level maps and zones; `routed` when $gateway_route names the route (not for a single catch-all route). */
export function limitZones(dropIn: DropIn, routed: boolean): string {
  return routeLimits(dropIn)
    .flatMap((limit) => {
      const client = keyLines(limit);
      const lines = [`    # route ${limit.route.name}: ${limit.burst} at once, then ${limit.rate}/s, per ${keyHeader(limit) ?? 'client address'}.`, ...client.lines];
      let key = client.key;
      if (routed) {
        key = `$gateway_limit_key_${limit.id}`;
        lines.push(`    map $gateway_route ${key} {`, `        ${limit.id} ${client.key};`, '        default "";', '    }');
      }
      lines.push(`    limit_req_zone ${key} zone=${zoneName(limit)}:${ZONE_SIZE} rate=${nginxRate(limit.rate).text};`);
      return lines;
    })
    .join('\n');
}

/**
 * Server-level limit_req lines. nginx always lets a client's first request through and then `burst` more at once,
 * so the gateway's burst of N is burst=N-1; nodelay answers at once instead of queueing the burst.
 */
export function limitRequests(dropIn: DropIn): string {
  const limits = routeLimits(dropIn);
  if (limits.length === 0) return '';
  return [
    '        # Rate limits: 429 once a client has used its burst.',
    '        limit_req_status 429;',
    ...limits.map((limit) => `        limit_req zone=${zoneName(limit)} burst=${limit.burst - 1} nodelay;`),
    '',
    '',
  ].join('\n');
}

/** What nginx makes of the limits, for the file header. */
export function nginxLimitLines(dropIn: DropIn): string[] {
  const limits = routeLimits(dropIn);
  if (limits.length === 0) return [];
  const lines = [
    '- Rate limits are limit_req, a leaky bucket: after the burst a client gets one request every 1/rate s, where the',
    '  gateway counts fixed windows of burst/rate s (rounded up) and gives the whole burst back when one ends. Both let',
    '  the burst through at once and no more than the rate over time. The 429 is an nginx HTML page without Retry-After.',
  ];
  for (const limit of limits) {
    const rate = nginxRate(limit.rate);
    if (!rate.exact) lines.push(`  Route ${limit.route.name}: ${limit.rate}/s is not a whole number per second or minute; nginx limits it to ${rate.text}.`);
  }
  if (limits.some((limit) => keyHeader(limit) !== undefined)) lines.push('  A header key counts an empty header as absent (under the client\'s address); the gateway counts empty values together.');
  return lines;
}
