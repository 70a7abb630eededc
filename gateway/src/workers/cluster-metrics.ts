// One /metrics for a multi-process gateway: the primary's own series (health checks, backend up, transitions,
// reloads, build info, its process) plus its workers' request series added up, through prom-client's
// AggregatorRegistry.aggregate over the JSON each worker sends back on request. The counters and histograms of
// workers that drained and exited (a rolling restart, a shutdown) are kept and added in, so a sum never goes
// back; a worker that died without draining takes its counts with it (Prometheus reads that as a counter reset).
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import type { MetricsJson, ToWorker } from './messages.js';

/** Series only the workers can count (the traffic passes through them): summed over workers. */
const WORKER_SERIES = new Set([
  'gateway_requests_total', 'gateway_request_duration_seconds', 'gateway_backend_in_flight', 'gateway_retries_total',
  'gateway_no_backend_total', 'gateway_hedges_total', 'gateway_rate_limited_total', 'gateway_rate_limit_redis_down_total',
]);
/** Process figures worth adding up: the gateway's CPU and memory are every process's together. */
const SUMMED_PROCESS = new Set(['process_cpu_user_seconds_total', 'process_cpu_system_seconds_total', 'process_cpu_seconds_total', 'process_resident_memory_bytes']);
/** A worker busy for longer than this is left out of one scrape rather than holding it. */
const WORKER_REPLY_MS = 1_000;

/** What a retired worker leaves behind: counts only, as its gauges (in flight, memory) ended with it. */
const MONOTONIC = new Set(['counter', 'histogram']);
const kept = (metric: MetricsJson[number]) => (WORKER_SERIES.has(metric.name) || SUMMED_PROCESS.has(metric.name)) && MONOTONIC.has(String(metric.type));

export class ClusterMetrics {
  private nextId = 1;
  private readonly waiting = new Map<number, { worker: Worker; answer: (metrics: MetricsJson) => void }>();
  /** The summed counts of every worker that has exited after draining, updated in turn. */
  private retired: Promise<MetricsJson> = Promise.resolve([]);

  constructor(private readonly workers: () => Worker[], private readonly log: Logger) {}

  /** A worker's answer to a metrics request (messages.ts 'gateway:metrics'). */
  reply(id: number, metrics: MetricsJson): void {
    this.waiting.get(id)?.answer(metrics);
  }

  /**
   * A draining worker's last figures, sent just before it exits; it is asked no more. A scrape still waiting for
   * its answer gets these instead: that scrape took the retired sum before this worker was in it.
   */
  retire(worker: Worker, final: MetricsJson): void {
    for (const ask of this.waiting.values()) if (ask.worker === worker) ask.answer(final);
    this.retired = this.retired.then(async (before) => {
      try {
        return await AggregatorRegistry.aggregate([before, final.filter(kept)]).getMetricsAsJSON();
      } catch (error) {
        this.log.error({ err: error }, 'the counts of an exited worker could not be added to /metrics: they are lost');
        return before;
      }
    });
  }

  /** The exposition of the primary's registry with its workers' series added, live and retired. */
  async expose(own: Registry): Promise<string> {
    const [primary, retired, ...workers] = await Promise.all([own.getMetricsAsJSON(), this.retired, ...this.workers().map((worker) => this.ask(worker))]);
    const fromWorkers = (metric: { name: string }) => WORKER_SERIES.has(metric.name) || SUMMED_PROCESS.has(metric.name);
    const merged = AggregatorRegistry.aggregate([
      primary!.filter((metric) => !WORKER_SERIES.has(metric.name)),
      retired!,
      ...workers.map((metrics) => metrics.filter(fromWorkers)),
    ]);
    return merged.metrics();
  }

  private ask(worker: Worker): Promise<MetricsJson> {
    const id = this.nextId++;
    return new Promise<MetricsJson>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        this.log.warn({ worker: worker.process.pid }, `worker ${worker.process.pid} did not send its metrics within ${WORKER_REPLY_MS} ms: left out of this scrape`);
        resolve([]);
      }, WORKER_REPLY_MS);
      this.waiting.set(id, {
        worker,
        answer: (metrics) => {
          clearTimeout(timer);
          this.waiting.delete(id);
          resolve(metrics);
        },
      });
      const request: ToWorker = { type: 'gateway:metrics-request', id };
      worker.send(request);
    });
  }
}
