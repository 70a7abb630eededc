// The per-request series: gateway_requests_total{backend,pool,route,method,code}, the duration histogram and
// gateway_no_backend_total. What a request touches is bound once per backend and route; counts are plain
// additions, handed to prom-client in one inc() per series when the counter is read (a scrape, the dashboard):
// a prom-client inc() validates and hashes its labels on every call.
import { Counter, type Registry } from 'prom-client';
import type { PoolMember } from '../pool/pool-member.js';
import { DurationHistogram, type DurationSeries } from './duration-histogram.js';

/** From a quarter millisecond (a local proxy hop) to past the 30 s response-headers timeout. */
export const DURATION_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Methods get their own label value; anything else is OTHER, so a client cannot grow the label set. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'OTHER'] as const;
const METHOD_INDEX = new Map<string, number>(METHODS.map((method, index) => [method, index]));
const OTHER_METHOD = METHODS.length - 1;
/** A series key: methodIndex * 1000 + status, a number, so a lookup builds no string. */
const GET_200 = METHOD_INDEX.get('GET')! * 1000 + 200;

/** One gateway_requests_total series: requests counted since prom-client last took them. */
interface CountedSeries {
  child: Counter.Internal;
  pending: number;
}

/** What the hot path touches for one backend on one route, bound once. */
interface RouteSeries {
  duration: DurationSeries;
  requests: Map<number, CountedSeries>;
}

interface BackendRoutes {
  pool: string;
  /** By route name (names from config: bounded). */
  routes: Map<string, RouteSeries>;
}

/** One backend's totals since start, as the dashboard diffs them into rates, error ratio and p99. */
export interface RequestTotals {
  requests: number;
  /** 5xx answers and cut connections (code 0). */
  errors: number;
  /** Cumulative counts per DURATION_BUCKETS bound, then +Inf. */
  buckets: number[];
}

export class RequestMetrics {
  private readonly backends = new Map<string, BackendRoutes>();
  private readonly requests: Counter<string>;
  private readonly duration: DurationHistogram;
  private readonly noBackend: Counter<string>;

  /** routesTo(pool) names the routes that can reach a pool: their series exist at 0 from the backend's start. */
  constructor(registers: Registry[], private readonly routesTo: (pool: string) => string[]) {
    const backends = this.backends;
    this.requests = new Counter({
      name: 'gateway_requests_total', help: 'Requests answered through a backend, by backend, method and status code (0: connection cut).', labelNames: ['backend', 'pool', 'route', 'method', 'code'], registers,
      collect() {
        for (const { routes } of backends.values()) {
          for (const { requests } of routes.values()) {
            for (const series of requests.values()) {
              if (series.pending === 0) continue;
              series.child.inc(series.pending);
              series.pending = 0;
            }
          }
        }
      },
    });
    this.duration = new DurationHistogram({ name: 'gateway_request_duration_seconds', help: 'Time from the request reaching the gateway to the response finishing, by backend and route.', buckets: DURATION_BUCKETS, registers });
    this.noBackend = new Counter({ name: 'gateway_no_backend_total', help: 'Requests answered 503 because no backend was available.', registers });
  }

  /** One call per finished response; without a member the gateway answered by itself (503: no backend available). */
  observe(member: PoolMember | undefined, route: string | undefined, method: string, status: number, seconds: number): void {
    if (member === undefined || route === undefined) {
      if (status === 503) this.noBackend.inc();
      return;
    }
    const backend = this.backends.get(member.id) ?? this.addBackend(member.id, member.backend.pool);
    const series = backend.routes.get(route) ?? this.addRoute(member.id, backend, route);
    const key = (METHOD_INDEX.get(method) ?? OTHER_METHOD) * 1000 + status;
    let counted = series.requests.get(key);
    if (counted === undefined) {
      counted = { child: this.requests.labels(member.id, backend.pool, route, METHODS[Math.floor(key / 1000)]!, String(status)), pending: 0 };
      series.requests.set(key, counted);
    }
    counted.pending += 1;
    series.duration.observe(seconds);
  }

  addBackend(id: string, pool: string): BackendRoutes {
    let backend = this.backends.get(id);
    if (backend !== undefined) return backend;
    this.backends.set(id, (backend = { pool, routes: new Map() }));
    // GET 200 at 0 on each route that reaches the pool makes gateway_requests_total{backend} exist before the first request.
    for (const route of this.routesTo(pool)) this.addRoute(id, backend, route);
    return backend;
  }

  /** A removed backend's series go too, so backends that come and go (self-registration) do not pile up. */
  removeBackend(id: string): void {
    const backend = this.backends.get(id);
    if (backend === undefined) return;
    this.backends.delete(id);
    for (const [route, { requests }] of backend.routes) {
      for (const key of requests.keys()) this.requests.remove(id, backend.pool, route, METHODS[Math.floor(key / 1000)]!, String(key % 1000));
      this.duration.remove({ backend: id, pool: backend.pool, route });
    }
  }

  /** Read about once a second per open dashboard, never per request. */
  async totals(): Promise<{ backends: Map<string, RequestTotals>; noBackend: number }> {
    const backends = new Map<string, RequestTotals>();
    const totals = (id: string) => {
      let entry = backends.get(id);
      if (entry === undefined) backends.set(id, (entry = { requests: 0, errors: 0, buckets: [] }));
      return entry;
    };
    for (const { labels, value } of (await this.requests.get()).values) {
      const entry = totals(String(labels.backend));
      const code = Number(labels.code);
      entry.requests += value;
      if (code === 0 || code >= 500) entry.errors += value;
    }
    // Each backend's buckets come in bound order, +Inf last.
    for (const { labels, value, metricName } of this.duration.get().values) {
      if (metricName?.endsWith('_bucket')) totals(String(labels.backend)).buckets.push(value);
    }
    const noBackend = (await this.noBackend.get()).values[0]?.value ?? 0;
    return { backends, noBackend };
  }

  private addRoute(id: string, backend: BackendRoutes, route: string): RouteSeries {
    const getOk = this.requests.labels(id, backend.pool, route, 'GET', '200');
    getOk.inc(0);
    const series = { duration: this.duration.labels({ backend: id, pool: backend.pool, route }), requests: new Map([[GET_200, { child: getOk, pending: 0 }]]) };
    backend.routes.set(route, series);
    return series;
  }
}
