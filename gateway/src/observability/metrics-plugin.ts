// GET /metrics: the Prometheus text exposition of the gateway's registry, for a scraper on the admin listener.
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from './metrics.js';

export interface MetricsPluginOptions {
  /** Undefined when metrics.enabled is false: /metrics then says so instead of answering an empty page. */
  metrics: GatewayMetrics | undefined;
}

export async function metricsPlugin(app: FastifyInstance, { metrics }: MetricsPluginOptions): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (metrics === undefined) {
      reply.code(404);
      return { error: 'metrics_disabled', message: 'metrics are switched off (metrics.enabled: false)' };
    }
    reply.header('content-type', metrics.contentType);
    return metrics.exposition();
  });
}
