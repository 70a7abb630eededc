// A route's match as one predicate over the request: host (case-insensitive, without port, `*.domain` for any
// subdomain), exact path or path prefix, methods, headers (exact value or regex). Built once per route; an
// empty match is the catch-all and costs nothing per request. Reads rawHeaders, never req.headers, which
// Node would build as an object for the first reader.
import type { IncomingMessage } from 'node:http';
import type { RouteConfig } from '../config-schema-routing.js';

/** What a request offers to the matchers, read once per request by the route table. */
export interface RequestFacts {
  req: IncomingMessage;
  /** The path without the query string. */
  path: string;
}

export type RouteMatch = (facts: RequestFacts) => boolean;

export function compileMatch(match: RouteConfig['match']): RouteMatch {
  const tests: RouteMatch[] = [];
  if (match.hosts) tests.push(hostTest(match.hosts));
  if (match.path !== undefined) {
    const exact = match.path;
    tests.push((facts) => facts.path === exact);
  }
  if (match.pathPrefix !== undefined) tests.push(prefixTest(match.pathPrefix));
  if (match.methods) {
    const methods = new Set(match.methods);
    tests.push((facts) => methods.has(facts.req.method!));
  }
  for (const [name, matcher] of Object.entries(match.headers ?? {})) tests.push(headerTest(name.toLowerCase(), matcher));
  if (tests.length === 0) return () => true;
  return (facts) => {
    for (const test of tests) if (!test(facts)) return false;
    return true;
  };
}

/** `/api` matches `/api`, `/api/` and `/api/users`, not `/apiary`. */
function prefixTest(prefix: string): RouteMatch {
  const bare = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return ({ path }) => path === bare || path.startsWith(bare + '/') || (bare === '' && path.startsWith('/'));
}

function hostTest(patterns: readonly string[]): RouteMatch {
  const exact = new Set(patterns.filter((pattern) => !pattern.startsWith('*.')).map((pattern) => pattern.toLowerCase()));
  const suffixes = patterns.filter((pattern) => pattern.startsWith('*.')).map((pattern) => pattern.slice(1).toLowerCase());
  return ({ req }) => {
    const host = hostOf(req);
    if (host === undefined) return false;
    if (exact.has(host)) return true;
    for (const suffix of suffixes) if (host.length > suffix.length && host.endsWith(suffix)) return true;
    return false;
  };
}

/** The Host header, lower-cased, without a port (and without the brackets' port for IPv6 literals). */
export function hostOf(req: IncomingMessage): string | undefined {
  const raw = headerValue(req, 'host');
  if (raw === undefined) return undefined;
  const end = raw.startsWith('[') ? raw.indexOf(']') + 1 : raw.indexOf(':');
  return (end > 0 ? raw.slice(0, end) : raw).toLowerCase();
}

function headerTest(name: string, matcher: string | { regex: string }): RouteMatch {
  if (typeof matcher === 'string') return ({ req }) => headerValue(req, name) === matcher;
  const regex = new RegExp(matcher.regex);
  return ({ req }) => {
    const value = headerValue(req, name);
    return value !== undefined && regex.test(value);
  };
}

/** The first value of a header (lower-case name) from the raw list. */
export function headerValue(req: IncomingMessage, lowerName: string): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === lowerName.length && raw[i]!.toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}
