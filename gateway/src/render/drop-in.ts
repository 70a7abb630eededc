// What a drop-in config is rendered from: the listener and client limits, the effective routes and the pools they
// send to (config-pools.ts, as the gateway itself reads them). A table that is one catch-all route to one pool is
// `single`: it renders as the one-pool config it was before routes existed, byte for byte.
import type { GatewayConfig } from '../config.js';
import { resolvePools, resolveRoutes } from '../config-pools.js';
import type { RouteConfig } from '../config-schema-routing.js';
import { renderedPool, type RenderedPool } from './pool-settings.js';
import { matchesEverything, reachableRoutes } from './route-patterns.js';
import { renderedTls, type RenderedTls } from './tls-listener.js';

export interface DropIn {
  readonly listenHost: string;
  /** The TLS listener, when tls.enabled. */
  readonly tls: RenderedTls | undefined;
  /** http2.h2cPort: the gateway's cleartext HTTP/2 (prior knowledge) port, where gRPC clients without TLS connect. */
  readonly h2cPort: number | undefined;
  /** log.access: one line per request. */
  readonly accessLog: boolean;
  readonly proxy: GatewayConfig['proxy'];
  readonly limits: GatewayConfig['limits'];
  /** The routes a request can reach, in order: the first that matches everything ends the table. */
  readonly routes: readonly RouteConfig[];
  /** Routes after one that matches everything: the gateway never reaches them either. */
  readonly unreachable: readonly string[];
  /** The pools some route sends to, in config order. */
  readonly pools: readonly RenderedPool[];
  /** Pools no route sends to: they could take no traffic through the drop-in, so they are left out. */
  readonly unrouted: readonly string[];
  /** Set when the table is one catch-all route, without prefix stripping, to one pool. */
  readonly single: RenderedPool | undefined;
  /** The settings the header speaks of: the single pool's, or the top-level ones every pool starts from. */
  readonly health: GatewayConfig['healthCheck'];
  readonly retry: GatewayConfig['retry'];
  readonly passive: GatewayConfig['passiveHealth'];
}

export function dropIn(config: GatewayConfig): DropIn {
  const configured = resolveRoutes(config);
  const routes = reachableRoutes(configured);
  const routed = new Set(routes.flatMap(routePools));
  const all = resolvePools(config);
  const pools = all.filter((pool) => routed.has(pool.name)).map(renderedPool);
  // A catch-all route strips nothing: its prefix, if any, is "/".
  const single = routes.length === 1 && matchesEverything(routes[0]!) && routes[0]!.pool !== undefined ? pools[0] : undefined;
  return {
    listenHost: config.listen.host,
    tls: renderedTls(config),
    h2cPort: config.http2.h2cPort,
    accessLog: config.log.access,
    proxy: config.proxy,
    limits: config.limits,
    routes,
    unreachable: configured.slice(routes.length).map((route) => route.name),
    pools,
    unrouted: all.filter((pool) => !routed.has(pool.name)).map((pool) => pool.name),
    single,
    health: single?.health ?? config.healthCheck,
    retry: single?.retry ?? config.retry,
    passive: single?.passive ?? config.passiveHealth,
  };
}

/** The pools a route can send to; a split side of weight 0 counts, so its pool is there to be given weight. */
export function routePools(route: RouteConfig): string[] {
  return route.pool !== undefined ? [route.pool] : route.split!.map((side) => side.pool);
}
