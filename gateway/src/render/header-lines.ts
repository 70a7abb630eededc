// Header lines both renderers write alike for a config with routes: the routes and pools rendered, and what was
// left out: authentication, and routes and pools no request could reach; and where HTTP/2 clients reach gRPC pools.
import type { DropIn } from './drop-in.js';
import { policyWords } from './pool-settings.js';
import { describeRoute } from './route-patterns.js';

/** One line per route, then one per pool, indented under the header's opening sentence. */
export function summaryLines(dropIn: DropIn): string[] {
  return [...dropIn.routes.map((route) => `  ${describeRoute(route)}`), ...dropIn.pools.map((pool) => `  pool ${pool.name}: ${policyWords(pool)} over ${pool.servers.length} backend(s)`)];
}

/** What the route table has that a drop-in does not render at all. */
export function leftOutLines(dropIn: DropIn): string[] {
  const lines: string[] = [];
  const guarded = dropIn.routes.filter((route) => route.auth !== undefined).map((route) => `${route.name} (${route.auth!.apiKey ? 'API key' : 'JWT'})`);
  if (guarded.length > 0) {
    lines.push(
      `- Not checked: the authentication of route ${guarded.join(', ')}. This file refuses every request to it with the`,
      "  gateway's 401 and challenge (closed, never served unchecked): nginx OSS has no JWT verification (auth_jwt is",
      '  nginx Plus) and neither target checks hashed API keys or fetches a JWKS. Serve these routes from the gateway.',
    );
  }
  if (dropIn.unreachable.length > 0) lines.push(`- Left out: route ${dropIn.unreachable.join(', ')}, after a route that matches every request (the gateway never reaches it either).`);
  if (dropIn.unrouted.length > 0) lines.push(`- Left out: pool ${dropIn.unrouted.join(', ')}, which no route sends to.`);
  return lines;
}

/** The header matchers of every route, as [name, matcher]. */
export function headerMatchers(dropIn: DropIn): [string, string | { regex: string }][] {
  return dropIn.routes.flatMap((route) => Object.entries(route.match.headers ?? {}));
}

/** Where HTTP/2 clients reach a gRPC pool: the h2c port and the TLS port, whichever the config has. */
export function grpcListeners(dropIn: DropIn, h2cPort: number | undefined): string {
  const ports = [...(h2cPort === undefined ? [] : [`h2c on port ${h2cPort}`]), ...(dropIn.tls === undefined ? [] : ['the TLS port'])];
  return ports.length > 0 ? ports.join(' and ') : 'no HTTP/2 listener: set http2.h2cPort or tls.enabled';
}
