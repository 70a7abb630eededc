// The route table: ordered routes, first match wins; each sends the request to one pool or a weighted split of
// pools, optionally without its path prefix. Generic over what a pool resolves to (the proxy's per-pool
// forwarding), so routes know nothing of the proxy; built once per config and swapped whole on reload.
import type { IncomingMessage } from 'node:http';
import type { RouteConfig } from '../config-schema-routing.js';
import { compileMatch, type RequestFacts, type RouteMatch } from './route-match.js';
import { WeightedSplit } from './weighted-split.js';

/** Where a request goes: its route, the chosen pool's target and the path the backend sees. */
export interface Resolution<T> {
  route: Route<T>;
  target: T;
  /** The path without the route's prefix (stripPrefix); undefined: the client's own path, req.url. */
  path: string | undefined;
}

export class Route<T> {
  readonly name: string;
  readonly match: RouteConfig['match'];
  readonly matches: RouteMatch;
  /** An empty match: the catch-all, which needs nothing read from the request. */
  readonly matchesAll: boolean;
  /** Set for a route to one pool; a split route has `split` instead. */
  readonly single: { pool: string; target: T } | undefined;
  readonly split: WeightedSplit<T> | undefined;
  readonly sticky: RouteConfig['sticky'];
  readonly stripPrefix: boolean;
  /** As configured, for GET /routes; the limiter itself is the edge's (gateway/src/edge/). */
  readonly rateLimit: RouteConfig['rateLimit'];
  private readonly strip: string | undefined;
  /** The answer for a route to one pool that keeps the path: the same object every time, nothing allocated. */
  private readonly fixed: Resolution<T> | undefined;

  constructor(config: RouteConfig, lookup: (pool: string) => T, available?: (target: T) => boolean) {
    this.name = config.name;
    this.match = config.match;
    this.matches = compileMatch(config.match);
    this.matchesAll = Object.values(config.match).every((value) => value === undefined);
    this.single = config.pool === undefined ? undefined : { pool: config.pool, target: lookup(config.pool) };
    this.split = config.split === undefined ? undefined : new WeightedSplit(config.split.map((side) => ({ ...side, target: lookup(side.pool) })), config.sticky, available);
    this.sticky = config.sticky;
    this.stripPrefix = config.stripPrefix;
    this.rateLimit = config.rateLimit;
    const prefix = config.match.pathPrefix;
    this.strip = config.stripPrefix && prefix !== undefined ? (prefix.endsWith('/') ? prefix.slice(0, -1) : prefix) : undefined;
    this.fixed = this.single && this.strip === undefined ? { route: this, target: this.single.target, path: undefined } : undefined;
  }

  /** The pools this route can send to. */
  get pools(): string[] {
    return this.single ? [this.single.pool] : this.split!.weights.map((side) => side.pool);
  }

  resolve(req: IncomingMessage): Resolution<T> {
    if (this.fixed) return this.fixed;
    const target = this.single ? this.single.target : this.split!.choose(req);
    return { route: this, target, path: this.strip === undefined ? undefined : stripped(req.url!, this.strip) };
  }
}

export class RouteTable<T> {
  readonly routes: readonly Route<T>[];
  private readonly byName: ReadonlyMap<string, Route<T>>;

  /** available(target): whether a pool can take a request now; a split skips the sides that cannot. */
  constructor(configs: readonly RouteConfig[], lookup: (pool: string) => T, available?: (target: T) => boolean) {
    this.routes = configs.map((config) => new Route(config, lookup, available));
    this.byName = new Map(this.routes.map((route) => [route.name, route]));
  }

  get(name: string): Route<T> | undefined {
    return this.byName.get(name);
  }

  /** The first route that matches; undefined means 404 no_route. */
  resolve(req: IncomingMessage): Resolution<T> | undefined {
    let facts: RequestFacts | undefined;
    for (const route of this.routes) {
      if (route.matchesAll) return route.resolve(req);
      facts ??= requestFacts(req);
      if (route.matches(facts)) return route.resolve(req);
    }
    return undefined;
  }
}

function requestFacts(req: IncomingMessage): RequestFacts {
  const url = req.url!;
  const query = url.indexOf('?');
  return { req, path: query === -1 ? url : url.slice(0, query) };
}

/** `/api/users?x=1` without `/api` is `/users?x=1`; `/api` alone becomes `/`. */
function stripped(url: string, prefix: string): string {
  const rest = url.slice(prefix.length);
  return rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
}
