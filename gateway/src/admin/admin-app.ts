// The admin listener (default 127.0.0.1:8081): its own Fastify instance, apart from traffic, composed of the
// plugins in ADMIN_PLUGINS. To add an endpoint group (metrics, dashboard, events), write an AdminPlugin and
// append it to that list: each gets the AdminContext (pool, registry, audit, the requireToken preHandler).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from '../observability/logger.js';
import type { AuditLog } from '../observability/audit-log.js';
import type { EventFeed } from '../observability/event-feed.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { observabilityAdminRoutes } from '../observability/observability-routes.js';
import { adminErrorHandler, adminNotFound } from './admin-errors.js';
import { createTokenCheck, type TokenCheck } from './auth.js';
import { healthRoutes } from './health-routes.js';
import { poolRoutes } from './pool-routes.js';
import type { PoolViewSources } from './pool-view.js';
import { registryRoutes } from './registry-routes.js';
import { routeRoutes } from './route-routes.js';
import { configRoutes } from './config-routes.js';
import { workersRoutes, type WorkerControl } from './workers-routes.js';
import type { ReloadResult } from '../config-reload.js';
import type { RouteTable } from '../routes/route-table.js';

export interface AdminContext extends PoolViewSources {
  /** The route table in force (read at call time: a reload swaps it). */
  routes: () => RouteTable<unknown>;
  /** Re-reads and applies the config (POST /config/reload); actor is the admin client's address. */
  reload: (actor: string) => ReloadResult;
  audit: AuditLog;
  /** preHandler for every mutation: Bearer token, constant-time compare, failures audited and rate limited. */
  requireToken: TokenCheck;
  /** For /metrics and the dashboard; undefined when metrics.enabled is false. */
  metrics: GatewayMetrics | undefined;
  /** State changes for the dashboard's feed and GET /events. */
  events: EventFeed;
  /** The traffic workers; undefined in a single-process gateway. */
  workers?: WorkerControl;
}

export type AdminPlugin = FastifyPluginAsync<AdminContext>;

/** Every endpoint group of the admin listener, registered in this order. Reads are open; mutations use requireToken. */
export const ADMIN_PLUGINS: readonly AdminPlugin[] = [healthRoutes, poolRoutes, routeRoutes, configRoutes, registryRoutes, workersRoutes, observabilityAdminRoutes];

export interface AdminAppOptions {
  token?: string;
  tokenFile?: string;
  bodyLimitBytes: number;
  authFailuresPerMinute: number;
}

export async function buildAdminApp(sources: Omit<AdminContext, 'requireToken'>, options: AdminAppOptions, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Mutations log and audit themselves; per-request lines would mostly be heartbeats.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
  });
  // JSON only: a text/plain body answers 415 instead of reaching a handler as a string.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(adminErrorHandler);
  app.setNotFoundHandler(adminNotFound);

  const requireToken = await createTokenCheck(app, {
    token: options.token,
    tokenFile: options.tokenFile,
    failuresPerMinute: options.authFailuresPerMinute,
    audit: sources.audit,
  });
  const context: AdminContext = { ...sources, requireToken };
  for (const plugin of ADMIN_PLUGINS) await app.register(plugin, context);
  return app;
}
