// A route's matchers and split as both renderers write them: host patterns split into exact names and
// `*.domain` suffixes, the path prefix without its trailing slash (whole-segment semantics), the split sides that
// take traffic, and regular-expression escaping for the PCRE both targets use.
import type { RouteConfig } from '../config-schema-routing.js';

export interface HostPatterns {
  /** Lower-case names matched whole. */
  exact: string[];
  /** `.example.com` for `*.example.com`: any host ending in it (one or more labels before it). */
  suffixes: string[];
}

export function hostPatterns(hosts: readonly string[]): HostPatterns {
  const lower = hosts.map((host) => host.toLowerCase());
  return { exact: lower.filter((host) => !host.startsWith('*.')), suffixes: lower.filter((host) => host.startsWith('*.')).map((host) => host.slice(1)) };
}

/**
 * The prefix a path must equal or continue with "/": `/api` and `/api/` both give `/api`. `/` gives undefined,
 * since it matches every path and needs no matcher (and strips nothing).
 */
export function barePrefix(route: RouteConfig): string | undefined {
  const prefix = route.match.pathPrefix;
  if (prefix === undefined) return undefined;
  const bare = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return bare === '' ? undefined : bare;
}

/** The prefix removed from the path the backend sees, when the route strips one. */
export function strippedPrefix(route: RouteConfig): string | undefined {
  return route.stripPrefix ? barePrefix(route) : undefined;
}

export interface LiveSide {
  pool: string;
  weight: number;
}

/** The sides of a split that take traffic (weight above 0), in config order. */
export function liveSides(route: RouteConfig): LiveSide[] {
  return (route.split ?? []).filter((side) => side.weight > 0);
}

/** The cookie or header a sticky split hashes, as `cookie:NAME` or `header:NAME` (the hashOn spelling). */
export function stickyKey(route: RouteConfig): string | undefined {
  if (route.sticky === undefined) return undefined;
  return 'cookie' in route.sticky ? `cookie:${route.sticky.cookie}` : `header:${route.sticky.header}`;
}

/** True when the route has no matcher: it takes every request that reaches it, and no later route is reached. */
export function matchesEverything(route: RouteConfig): boolean {
  const { hosts, path, methods, headers } = route.match;
  return hosts === undefined && path === undefined && barePrefix(route) === undefined && methods === undefined && Object.keys(headers ?? {}).length === 0;
}

/** The routes a request can reach: up to and including the first that matches everything. */
export function reachableRoutes(routes: readonly RouteConfig[]): RouteConfig[] {
  const last = routes.findIndex(matchesEverything);
  return last === -1 ? [...routes] : routes.slice(0, last + 1);
}

/** Escapes text for a PCRE (and JavaScript) regular expression, so it matches itself literally. */
export function regexEscape(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** One line per route for a file header: what it matches and where it sends. */
export function describeRoute(route: RouteConfig): string {
  const { hosts, path, methods, headers } = route.match;
  const matchers = [
    hosts && `hosts ${hosts.join(', ')}`,
    path !== undefined && `path ${path}`,
    barePrefix(route) !== undefined && `paths under ${barePrefix(route)}${route.stripPrefix ? ' (prefix stripped)' : ''}`,
    methods && `methods ${methods.join(', ')}`,
    ...Object.entries(headers ?? {}).map(([name, value]) => `header ${name} ${typeof value === 'string' ? `= ${value}` : `~ /${value.regex}/`}`),
  ].filter(Boolean);
  const to = route.pool !== undefined ? `pool ${route.pool}` : `split ${route.split!.map((side) => `${side.pool} ${side.weight}`).join(' / ')}${route.sticky ? `, sticky on ${stickyKey(route)}` : ''}`;
  return `route ${route.name}: ${matchers.length > 0 ? matchers.join('; ') : 'every request'} → ${to}`;
}
