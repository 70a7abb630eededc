// The routes' rate limits for HAProxy: a stick table per limited route (in a backend of its own, as HAProxy 2.6
// wants) counting each client's requests over the gateway's window, the frontend rules that track the client in
// the table of the request's route, and a 429 once the count passes the burst.
import { RATE_LIMITED } from '../errors.js';
import type { DropIn } from './drop-in.js';
import { quoted, routeIs } from './haproxy-routes.js';
import { keyHeader, routeLimits, type RouteLimit } from './route-limits.js';

/** Clients a table keeps; the least recently seen go first when it is full. */
const TABLE_SIZE = '100k';
/** Header values are kept up to this many bytes; longer ones that share the start count together. */
const KEY_BYTES = 128;

function tableName(limit: RouteLimit): string {
  return `limit_${limit.route.name}`;
}

/** The backends that hold the tables; each entry lives one window after the client's last request. */
export function limitTables(dropIn: DropIn): string[] {
  return routeLimits(dropIn).map((limit) => {
    // ipv6 tables take IPv4 clients too (as mapped addresses).
    const type = keyHeader(limit) === undefined ? 'ipv6' : `string len ${KEY_BYTES}`;
    return `backend ${tableName(limit)}
    # route ${limit.route.name}: requests per client over ${limit.windowSeconds} s.
    stick-table type ${type} size ${TABLE_SIZE} expire ${limit.windowSeconds}s store http_req_rate(${limit.windowSeconds}s)`;
  });
}

/**
 * Frontend rules, after the route is known; `routed` when txn.route names it (not for a single catch-all route).
 * Tracking counts the request itself, so the burst passes and the next one is refused.
 */
export function limitRules(dropIn: DropIn, routed: boolean): string[] {
  return routeLimits(dropIn).flatMap((limit) => {
    const route = routed ? [routeIs(limit.route.name)] : [];
    const header = keyHeader(limit);
    const table = tableName(limit);
    const body = JSON.stringify({ error: RATE_LIMITED.code, message: RATE_LIMITED.message, requestId: '%[req.hdr(x-request-id)]' });
    const lines = [`    # route ${limit.route.name}: ${limit.burst} at once per ${header ?? 'client address'}, then 429.`];
    if (header === undefined) {
      lines.push(`    http-request track-sc0 src table ${table}${onlyIf(route)}`);
    } else {
      // The prefixes keep a header value that looks like an address apart from an address, as in the gateway.
      const value = `req.fhdr(${header},1)`;
      lines.push(
        `    http-request set-var-fmt(txn.limit_key) ${quoted(`h:%[${value}]`)}${onlyIf([...route, `{ ${value} -m found }`])}`,
        `    http-request set-var-fmt(txn.limit_key) ${quoted('ip:%[src]')}${onlyIf([...route, '!{ var(txn.limit_key) -m found }'])}`,
        `    http-request track-sc0 var(txn.limit_key) table ${table}${onlyIf(route)}`,
      );
    }
    const refuse = `deny deny_status 429 content-type "application/json; charset=utf-8" hdr retry-after ${limit.windowSeconds} lf-string ${quoted(body)}`;
    lines.push(`    http-request ${refuse}${onlyIf([...route, `{ sc_http_req_rate(0) gt ${limit.burst} }`])}`);
    return lines;
  });
}

/** " if A B" (all must hold), or nothing when there is no condition. */
function onlyIf(conditions: readonly string[]): string {
  return conditions.length > 0 ? ` if ${conditions.join(' ')}` : '';
}

/** What HAProxy makes of the limits, for the file header. */
export function haproxyLimitLines(dropIn: DropIn): string[] {
  const limits = routeLimits(dropIn);
  if (limits.length === 0) return [];
  const lines = [
    '- Rate limits are stick tables counting http_req_rate over the gateway\'s window (burst/rate s, rounded up): a sliding',
    '  window where the gateway counts fixed ones, so the burst comes back gradually, not at once when a window ends,',
    '  and refused requests count too: a client that keeps sending faster than the limit stays refused. The 429 has',
    '  the gateway\'s JSON body and a Retry-After of one window. Peers could copy tables between HAProxy instances, but',
    '  each would still count its own requests, not the sum.',
  ];
  if (limits.some((limit) => keyHeader(limit) !== undefined)) lines.push(`  A header key is kept to its first ${KEY_BYTES} bytes.`);
  return lines;
}
