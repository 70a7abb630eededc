// The route table: ordered routes, first match wins; each sends the request to one pool or a weighted split of
// pools, optionally without its path prefix. Generic over what a pool resolves to (the proxy's per-pool
// forwarding), so routes know nothing of the proxy; built once per config and swapped whole on reload.
import type { IncomingMessage } from 'node:http';
import type { RouteConfig } from '../config-schema-routing.js';
import { compileMatch, type RouteMatch } from './route-match.js';
import { WeightedSplit } from './weighted-split.js';

/** Where a request goes: its route, the chosen pool's target and the path the backend sees. */
export interface Resolution<T> {
  route: Route<T>;
  target: T;
  /** req.url, or without the route's prefix when stripPrefix is set. */
  path: string;
}

export class Route<T> {
  readonly name: string;
  readonly match: RouteConfig['match'];
  readonly matches: RouteMatch;
  /** Set for a route to one pool; a split route has `split` instead. */
  readonly single: { pool: string; target: T } | undefined;
  readonly split: WeightedSplit<T> | undefined;
  readonly sticky: RouteConfig['sticky'];
  readonly stripPrefix: boolean;
  private readonly strip: string | undefined;

  constructor(config: RouteConfig, lookup: (pool: string) => T, available?: (target: T) => boolean) {
    this.name = config.name;
    this.match = config.match;
    this.matches = compileMatch(config.match);
    this.single = config.pool === undefined ? undefined : { pool: config.pool, target: lookup(config.pool) };
    this.split = config.split === undefined ? undefined : new WeightedSplit(config.split.map((side) => ({ ...side, target: lookup(side.pool) })), config.sticky, available);
    this.sticky = config.sticky;
    this.stripPrefix = config.stripPrefix;
    const prefix = config.match.pathPrefix;
    this.strip = config.stripPrefix && prefix !== undefined ? (prefix.endsWith('/') ? prefix.slice(0, -1) : prefix) : undefined;
  }

  /** The pools this route can send to. */
  get pools(): string[] {
    return this.single ? [this.single.pool] : this.split!.weights.map((side) => side.pool);
  }

  resolve(req: IncomingMessage): Resolution<T> {
    const target = this.single ? this.single.target : this.split!.choose(req);
    return { route: this, target, path: this.strip === undefined ? req.url! : stripped(req.url!, this.strip) };
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
    const url = req.url!;
    const query = url.indexOf('?');
    const facts = { req, path: query === -1 ? url : url.slice(0, query) };
    for (const route of this.routes) if (route.matches(facts)) return route.resolve(req);
    return undefined;
  }
}

/** `/api/users?x=1` without `/api` is `/users?x=1`; `/api` alone becomes `/`. */
function stripped(url: string, prefix: string): string {
  const rest = url.slice(prefix.length);
  return rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
}
