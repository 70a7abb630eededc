// The gateway's route table for HAProxy, in the frontend: each route's matchers as ACLs (host without port,
// exact path or whole-segment prefix, methods, the first occurrence of a header), and ordered set-var rules that
// name the first route whose ACLs all hold in txn.route, so first match wins as in the gateway. Then the 404 for no
// route, prefix stripping, and use_backend per route. A split draws once per request (rand, or a hash of the sticky
// cookie or header) into txn.split and sends each range of the draw to one pool's backend: `balance` cannot
// split between backends, and one backend holding every pool's servers would lose each pool's own policy.
import { NO_ROUTE } from '../errors.js';
import type { RouteConfig } from '../config-schema-routing.js';
import type { DropIn } from './drop-in.js';
import { barePrefix, hostPatterns, liveSides, regexEscape, stickyKey, strippedPrefix } from './route-patterns.js';

/** The backend of a pool; "pool_" keeps it apart from the frontends' names. */
export function backendName(pool: string): string {
  return `pool_${pool}`;
}

/** The routing rules of the frontend, indented as its other lines. */
export function routeRules(dropIn: DropIn, limits: readonly string[]): string {
  const routes = dropIn.routes;
  const body = JSON.stringify({ error: NO_ROUTE.code, message: NO_ROUTE.message, requestId: '%[req.hdr(x-request-id)]' });
  const strips = routes.filter((route) => strippedPrefix(route) !== undefined);
  return [
    '    # Routes, first match wins: the first route whose ACLs all hold names itself in txn.route.',
    ...routes.flatMap(routeAcls),
    ...routes.map((route, index) => {
      const conditions = [...(index > 0 ? ['!{ var(txn.route) -m found }'] : []), ...aclNames(route)];
      return `    http-request set-var(txn.route) str(${route.name})${conditions.length > 0 ? ` if ${conditions.join(' ')}` : ''}`;
    }),
    "    # No route: 404 with the gateway's JSON body.",
    `    http-request return status 404 content-type "application/json; charset=utf-8" hdr cache-control no-store lf-string ${quoted(body)} unless { var(txn.route) -m found }`,
    ...limits,
    ...(strips.length > 0 ? ['    # stripPrefix: the backend sees the path without the prefix; the query string stays.'] : []),
    ...strips.map((route) => `    http-request replace-path ${quoted(`^${regexEscape(strippedPrefix(route)!)}/?(.*)$`)} '/\\1' if ${isRoute(route)}`),
    ...routes.flatMap(splitDraw),
    ...routes.flatMap(useBackend),
  ].join('\n');
}

/** The ACL lines of one route; lines with the same name are alternatives (HAProxy ORs them). */
function routeAcls(route: RouteConfig): string[] {
  const { hosts, path, methods, headers } = route.match;
  const acl = (suffix: string, test: string) => `    acl route_${route.name}_${suffix} ${test}`;
  const lines: string[] = [];
  if (hosts) {
    const { exact, suffixes } = hostPatterns(hosts);
    // host_only drops the port and lower-cases, as the gateway compares hosts.
    if (exact.length > 0) lines.push(acl('host', `req.hdr(host),host_only -m str ${exact.join(' ')}`));
    if (suffixes.length > 0) lines.push(acl('host', `req.hdr(host),host_only -m end ${suffixes.join(' ')}`));
  }
  // path is the path as sent, without the query string: what the gateway compares.
  if (path !== undefined) lines.push(acl('path', `path -m str ${quoted(path)}`));
  const prefix = barePrefix(route);
  if (prefix !== undefined) lines.push(acl('path', `path -m str ${quoted(prefix)}`), acl('path', `path_beg ${quoted(`${prefix}/`)}`));
  if (methods) lines.push(acl('method', `method ${methods.join(' ')}`));
  Object.entries(headers ?? {}).forEach(([name, matcher], index) => {
    // fhdr: the whole first value, not split at commas; an absent header never matches, as in the gateway.
    const test = typeof matcher === 'string' ? `-m str ${quoted(matcher)}` : `-m reg ${quoted(matcher.regex)}`;
    lines.push(acl(`header_${index + 1}`, `req.fhdr(${name},1) ${test}`));
  });
  return lines;
}

/** The distinct ACL names of a route, all of which must hold. */
function aclNames(route: RouteConfig): string[] {
  return [...new Set(routeAcls(route).map((line) => line.trim().split(' ')[1]!))];
}

function isRoute(route: RouteConfig): string {
  return routeIs(route.name);
}

/** The condition that the request's route is the one named. */
export function routeIs(name: string): string {
  return `{ var(txn.route) -m str ${name} }`;
}

/** A split's draw in [0, total) into txn.split: the sticky key's hash when the request has it, else at random. */
function splitDraw(route: RouteConfig): string[] {
  const sides = liveSides(route);
  if (sides.length < 2) return [];
  const total = sides.reduce((sum, side) => sum + side.weight, 0);
  const key = stickyKey(route);
  const sample = key === undefined ? undefined : key.startsWith('cookie:') ? `req.cook(${key.slice('cookie:'.length)})` : `req.fhdr(${key.slice('header:'.length)},1)`;
  return [
    `    # route ${route.name}: ${sides.map((side) => `${side.pool} ${side.weight}`).join(' / ')}${key ? `, sticky on ${key}` : ''}`,
    ...(sample === undefined ? [] : [`    http-request set-var(txn.split) ${sample},xxh32,mod(${total}) if ${isRoute(route)}`]),
    `    http-request set-var(txn.split) rand(${total}) if ${isRoute(route)}${sample === undefined ? '' : ' !{ var(txn.split) -m found }'}`,
  ];
}

/** use_backend for a route: its pool, or one line per split side, each taking the next range of the draw. */
function useBackend(route: RouteConfig): string[] {
  if (route.pool !== undefined) return [`    use_backend ${backendName(route.pool)} if ${isRoute(route)}`];
  const sides = liveSides(route);
  let bound = 0;
  return sides.map((side, index) => {
    bound += side.weight;
    const range = index < sides.length - 1 ? ` { var(txn.split) -m int lt ${bound} }` : '';
    return `    use_backend ${backendName(side.pool)} if ${isRoute(route)}${range}`;
  });
}

/** A word HAProxy reads as written: bare when it is plain, else in single quotes (where nothing is interpreted). */
export function quoted(text: string): string {
  return /^[A-Za-z0-9._~/:@=+-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
