// The admin listener's observability endpoints in one plugin: /metrics, the dashboard (/ and /dashboard.json)
// and /events. The admin listener registers them through ADMIN_PLUGINS; any Fastify instance could.
import type { FastifyInstance } from 'fastify';
import type { AdminPlugin } from '../admin/admin-app.js';
import { dashboardPlugin } from './dashboard/dashboard-plugin.js';
import { eventsPlugin } from './dashboard/events-plugin.js';
import type { SnapshotSources } from './dashboard/snapshot.js';
import { metricsPlugin } from './metrics-plugin.js';

export async function observabilityRoutes(app: FastifyInstance, sources: SnapshotSources): Promise<void> {
  await app.register(metricsPlugin, { metrics: sources.metrics });
  await app.register(eventsPlugin, { events: sources.events });
  await app.register(dashboardPlugin, sources);
}

/** The same endpoints as an entry of the admin listener's ADMIN_PLUGINS (gateway/src/admin/admin-app.ts). */
export const observabilityAdminRoutes: AdminPlugin = async (app, context) => {
  const lastHeartbeat = (id: string) => context.registry.lastHeartbeat(id);
  context.metrics?.heartbeatsFrom(lastHeartbeat);
  await observabilityRoutes(app, {
    pools: context.pools,
    routes: context.routes,
    metrics: context.metrics,
    events: context.events,
    lastHeartbeat,
    ...(context.workers && { workers: () => context.workers!.list() }),
  });
};
