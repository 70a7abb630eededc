// The authentication of a route table, built with it at start and on every reload (key files are read again,
// a remote JWKS is fetched afresh on first use).
import type { RouteConfig } from '../../config-schema-routing.js';
import type { Logger } from '../../observability/logger.js';
import { RouteAuth, type OnAuthRejected } from './route-auth.js';

/** Route name -> its authentication; undefined when no route has one (the proxy checks nothing). */
export function buildRouteAuths(routes: readonly RouteConfig[], log: Logger, onRejected: OnAuthRejected): ReadonlyMap<string, RouteAuth> | undefined {
  const authed = routes.filter((route) => route.auth !== undefined);
  if (authed.length === 0) return undefined;
  return new Map(authed.map((route) => [route.name, new RouteAuth(route.name, route.auth!, log, onRejected)]));
}
