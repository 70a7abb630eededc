// The admin listener's observability endpoints in one plugin: /metrics, the dashboard (/ and /dashboard.json)
// and /events. Registering this one plugin on a Fastify instance is all the wiring they need.
import type { FastifyInstance } from 'fastify';
import { dashboardPlugin } from './dashboard/dashboard-plugin.js';
import { eventsPlugin } from './dashboard/events-plugin.js';
import type { SnapshotSources } from './dashboard/snapshot.js';
import { metricsPlugin } from './metrics-plugin.js';

export type ObservabilitySources = SnapshotSources;

export async function observabilityRoutes(app: FastifyInstance, sources: ObservabilitySources): Promise<void> {
  await app.register(metricsPlugin, { metrics: sources.metrics });
  await app.register(eventsPlugin, { events: sources.events });
  await app.register(dashboardPlugin, sources);
}
