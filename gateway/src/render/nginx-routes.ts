// The gateway's route table for nginx. Routes are ordered and the first match wins, which nginx's own
// server_name and location matching (the most specific wins) cannot say once routes overlap, and a location has
// no way to test methods or headers. So each route's matchers become a chain of maps that is 1 when all of them
// hold, one map picks the first route that holds, splits are split_clients, and the chosen pool's location
// (internal, one per pool, holding that pool's retries) proxies with the path the gateway would send.
import { NO_ROUTE } from '../errors.js';
import type { RouteConfig } from '../config-schema-routing.js';
import type { DropIn } from './drop-in.js';
import { headerVariable, keyVariable, nginxString as quoted } from './nginx-keys.js';
import { locationDirectives } from './nginx-grpc.js';
import { barePrefix, hostPatterns, liveSides, matchesEverything, regexEscape, stickyKey, strippedPrefix } from './route-patterns.js';

/** Where a pool's requests are rewritten to; `internal`, so a client cannot ask for it directly. */
const POOL_LOCATION = '/gateway-pool/';

/** The upstream of a pool; "pool_" keeps it apart from host names proxy_pass could otherwise mean. */
export function upstreamName(pool: string): string {
  return `pool_${pool}`;
}

/** The http-level maps and split_clients that route a request; they end in $gateway_pool and $gateway_upstream_uri. */
export function routeMaps(dropIn: DropIn): string {
  const blocks: string[] = [];
  const chosen: string[] = [];
  dropIn.routes.forEach((route, index) => {
    const id = index + 1;
    blocks.push(`    # route ${route.name}`, ...matchMaps(route, id));
    if (route.split !== undefined) blocks.push(...splitBlock(route, id));
    chosen.push(`        ${id} ${route.pool ?? `$gateway_split_${id}`};`);
  });
  const conditional = dropIn.routes.filter((route) => !matchesEverything(route));
  const key = conditional.map((route) => `\${gateway_route_${dropIn.routes.indexOf(route) + 1}}`).join('');
  const lines = conditional.map((route, position) => `        "~^${'0'.repeat(position)}1" ${dropIn.routes.indexOf(route) + 1};`);
  const fallback = conditional.length < dropIn.routes.length ? dropIn.routes.length : '""';
  return `${blocks.join('\n')}

    # The route: the first whose matchers all hold (first match wins, as in the gateway).
    map "${key}" $gateway_route {
${lines.join('\n')}${lines.length > 0 ? '\n' : ''}        default ${fallback};
    }
    map $gateway_route $gateway_pool {
${chosen.join('\n')}
        default "";
    }
${uriMap(dropIn.routes)}`;
}

/** One map per matcher, each passing on to the next; the last gives 1. Nothing for a route that matches everything. */
function matchMaps(route: RouteConfig, id: number): string[] {
  const { hosts, path, methods, headers } = route.match;
  const prefix = barePrefix(route);
  const tests: { source: string; keys: string[]; hostnames?: boolean; emptyIsAbsent?: boolean }[] = [];
  if (hosts) {
    const { exact, suffixes } = hostPatterns(hosts);
    tests.push({ source: '$host', keys: [...exact, ...suffixes.map((suffix) => `*${suffix}`)], hostnames: true });
  }
  // $request_uri is the path as the client sent it (not decoded), which is what the gateway compares.
  if (path !== undefined) tests.push({ source: '$request_uri', keys: [quoted(`~^${regexEscape(path)}(?:\\?|$)`)] });
  if (prefix !== undefined) tests.push({ source: '$request_uri', keys: [quoted(`~^${regexEscape(prefix)}(?:[/?]|$)`)] });
  if (methods) tests.push({ source: '$request_method', keys: [quoted(`~^(?:${methods.join('|')})$`)] });
  for (const [name, matcher] of Object.entries(headers ?? {})) {
    const regex = typeof matcher === 'string' ? `^${regexEscape(matcher)}$` : matcher.regex;
    tests.push({ source: headerVariable(name), keys: [quoted(`~${regex}`)], emptyIsAbsent: true });
  }
  return tests.map((test, step) => {
    const variable = step === 0 ? `$gateway_route_${id}` : `$gateway_route_${id}_${step + 1}`;
    const next = step === tests.length - 1 ? '1' : `$gateway_route_${id}_${step + 2}`;
    return [
      `    map ${test.source} ${variable} {`,
      ...(test.hostnames ? ['        hostnames;'] : []),
      // nginx cannot tell an absent header from an empty one; the gateway never matches an absent one.
      ...(test.emptyIsAbsent ? ['        "" 0;'] : []),
      ...test.keys.map((key) => `        ${key} ${next};`),
      '        default 0;',
      '    }',
    ].join('\n');
  });
}

/** A split as split_clients over a random request id, or over the sticky cookie or header when the request has it. */
function splitBlock(route: RouteConfig, id: number): string[] {
  const sides = liveSides(route);
  const total = sides.reduce((sum, side) => sum + side.weight, 0);
  // split_clients takes percentages to two decimals; rounding down keeps their sum within 100 %, and the last
  // side takes the rest. Integer hundredths avoid float error (29 % must not become 28.99 %).
  const shares = sides.flatMap((side, index) => {
    if (index === sides.length - 1) return [`        * ${side.pool};`];
    const hundredths = Math.floor((side.weight * 10_000) / total);
    return hundredths > 0 ? [`        ${hundredths / 100}% ${side.pool};`] : [];
  });
  const sticky = stickyKey(route);
  const lines: string[] = [];
  let key = '$request_id';
  if (sticky !== undefined) {
    const variable = keyVariable(sticky);
    key = `$gateway_split_key_${id}`;
    lines.push(`    map ${variable} ${key} {`, '        "" $request_id;', `        default ${variable};`, '    }');
  }
  return [...lines, `    split_clients "${key}" $gateway_split_${id} {`, ...shares, '    }'];
}

/** The path the backend sees: the client's, or without the route's prefix where stripPrefix is set. */
function uriMap(routes: readonly RouteConfig[]): string {
  const lines = routes.flatMap((route, index) => {
    const prefix = strippedPrefix(route);
    if (prefix === undefined) return [];
    const escaped = regexEscape(prefix);
    return [`        ${quoted(`~^${index + 1} ${escaped}(/.*)$`)} $1;`, `        ${quoted(`~^${index + 1} ${escaped}(\\?.*)?$`)} /$1;`];
  });
  return `    map "$gateway_route $request_uri" $gateway_upstream_uri {
${lines.join('\n')}${lines.length > 0 ? '\n' : ''}        default $request_uri;
    }`;
}

/** The server body: the no-route answer, the rewrite to the pool's location, and one location per pool. */
export function routedServer(dropIn: DropIn): string {
  const body = JSON.stringify({ error: NO_ROUTE.code, message: NO_ROUTE.message, requestId: '$gateway_request_id' });
  const locations = dropIn.pools.map((pool) => `        location = ${POOL_LOCATION}${pool.name} {
            internal;
${locationDirectives(pool, dropIn.proxy, upstreamName(pool.name), '$gateway_upstream_uri')}
        }`);
  return `        # No route: 404 with the gateway's JSON body.
        default_type application/json;
        if ($gateway_pool = "") {
            return 404 '${body}';
        }
        # Every request goes to its pool's location; the backend sees $gateway_upstream_uri, not this path.
        rewrite ^ ${POOL_LOCATION}$gateway_pool last;

${locations.join('\n\n')}`;
}
