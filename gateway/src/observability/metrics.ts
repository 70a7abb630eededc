// The gateway's Prometheus metrics (names fixed by DESIGN.md) in their own prom-client registry.
// Hot-path counters are label children bound once per backend/method/code and reused; pool gauges are read at scrape time.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolChange } from '../pool/load-balancer.js';
import type { PoolMember } from '../pool/pool-member.js';
import { PACKAGE_VERSION } from './package-info.js';
import { prometheusText } from './prometheus-text.js';

/** From a quarter millisecond (a local proxy hop) to past the 30 s response-headers timeout. */
export const DURATION_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Methods get their own label value; anything else is OTHER, so a client cannot grow the label set. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'OTHER'] as const;
const METHOD_INDEX = new Map<string, number>(METHODS.map((method, index) => [method, index]));
const OTHER_METHOD = METHODS.length - 1;

/** Series created at 0 for every backend, so a backend that never got traffic (or died first) still shows up. */
const TRANSITION_TARGETS = ['up', 'down', 'ejected', 'draining'];
/** The retry policy's failure kinds (proxy/retry-policy.ts), known up front so each starts at 0. */
const RETRY_REASONS = ['connect', 'reset', 'timeout', 'status', 'rescued'];
/** Hedge outcomes: won (the hedge answered first), lost (the first try did), skipped (due, but not sent). */
const HEDGE_OUTCOMES = ['won', 'lost', 'skipped'] as const;

/** Why a request was shed with a 503 before reaching a backend (gateway_shed_total), each starting at 0. */
export const SHED_REASONS = ['event_loop_delay', 'concurrent_requests', 'backend_busy', 'pending_full', 'client_connections'] as const;
export type ShedReason = (typeof SHED_REASONS)[number];

type CounterChild = Counter.Internal;

/** One backend's totals since start, as the dashboard diffs them into rates, error ratio and p99. */
export interface RequestTotals {
  requests: number;
  /** 5xx answers and cut connections (code 0). */
  errors: number;
  /** Cumulative counts per DURATION_BUCKETS bound, then +Inf. */
  buckets: number[];
}

/** What the hot path touches for one backend on one route, bound once. */
interface RouteSeries {
  duration: Histogram.Internal<string>;
  /** Keyed by methodIndex * 1000 + status: a number key, so a lookup builds no string. */
  requests: Map<number, CounterChild>;
}

/** Everything kept for one backend. */
interface BackendSeries {
  pool: string;
  /** By route name (names from config: bounded). */
  routes: Map<string, RouteSeries>;
  probes: { ok: CounterChild; fail: CounterChild };
  /** By the state entered; remembered so a removed backend's series can all be dropped. */
  transitions: Map<string, CounterChild>;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly series = new Map<string, BackendSeries>();
  private readonly retryChildren = new Map<string, CounterChild>();
  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly healthChecks: Counter<string>;
  private readonly transitions: Counter<string>;
  private readonly retries: Counter<string>;
  private readonly noBackend: Counter<string>;
  private readonly hedges = new Map<string, CounterChild>();
  private readonly shed = new Map<ShedReason, CounterChild>();
  private readonly reloads: { ok: CounterChild; failed: CounterChild };
  private readonly grpcRequests: Counter<string>;
  private readonly rateLimited: Counter<string>;
  private readonly redisDown: Counter<string>;
  private readonly authRejections: Counter<string>;
  /** Registry heartbeats (TTL renewals), attached by the admin listener that owns the registry. */
  private lastHeartbeat: ((id: string) => number | undefined) | undefined;
  private expose: ((own: Registry) => Promise<string>) | undefined;

  /**
   * members() and routesTo() are read when a backend appears and at scrape time: the up, in-flight and
   * heartbeat-age gauges cost nothing per request. routesTo(pool) names the routes that can reach a pool.
   */
  constructor(members: () => Iterable<PoolMember>, private readonly routesTo: (pool: string) => string[], engine: string, workers = 1) {
    const registers = [this.registry];
    const heartbeatOf = (id: string) => this.lastHeartbeat?.(id);
    // One labels object per member, so the exposition formats its label text once, not on every scrape.
    const memberLabels = new WeakMap<PoolMember, { backend: string; pool: string }>();
    const labelsOf = (member: PoolMember) => {
      let labels = memberLabels.get(member);
      if (labels === undefined) memberLabels.set(member, (labels = { backend: member.id, pool: member.backend.pool }));
      return labels;
    };
    collectDefaultMetrics({ register: this.registry });
    // promtool rejects gauges named *_total; the per-type gauges without the suffix carry the same counts.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    this.requests = new Counter({ name: 'gateway_requests_total', help: 'Requests answered through a backend, by backend, method and status code (0: connection cut).', labelNames: ['backend', 'pool', 'route', 'method', 'code'], registers });
    this.duration = new Histogram({ name: 'gateway_request_duration_seconds', help: 'Time from the request reaching the gateway to the response finishing, by backend and route.', labelNames: ['backend', 'pool', 'route'], buckets: DURATION_BUCKETS, registers });
    this.healthChecks = new Counter({ name: 'gateway_health_checks_total', help: 'Active health probes by backend and result (ok or fail).', labelNames: ['backend', 'pool', 'result'], registers });
    this.transitions = new Counter({ name: 'gateway_backend_transitions_total', help: 'Backend state changes by the state entered.', labelNames: ['backend', 'pool', 'to'], registers });
    this.retries = new Counter({ name: 'gateway_retries_total', help: 'Tries repeated on another backend, by what went wrong with the previous one.', labelNames: ['reason'], registers });
    this.noBackend = new Counter({ name: 'gateway_no_backend_total', help: 'Requests answered 503 because no backend was available.', registers });
    for (const reason of RETRY_REASONS) this.retryChild(reason);
    const hedges = new Counter({ name: 'gateway_hedges_total', help: 'Hedged GET/HEAD tries by outcome: won (the hedge answered first), lost (the first try did), skipped (due, but no backend or budget).', labelNames: ['outcome'], registers });
    for (const outcome of HEDGE_OUTCOMES) this.hedges.set(outcome, hedges.labels(outcome));
    const reloads = new Counter({ name: 'gateway_config_reloads_total', help: 'Config reloads (SIGHUP, POST /config/reload) by result: ok, or failed (the running config stayed).', labelNames: ['result'], registers });
    this.reloads = { ok: reloads.labels('ok'), failed: reloads.labels('failed') };
    this.reloads.ok.inc(0);
    this.reloads.failed.inc(0);
    this.grpcRequests = new Counter({ name: 'gateway_grpc_requests_total', help: 'gRPC calls to pools with protocol grpc, by pool and final status name (from the backend, or made by the gateway: UNAVAILABLE, DEADLINE_EXCEEDED…).', labelNames: ['pool', 'code'], registers });
    this.rateLimited = new Counter({ name: 'gateway_rate_limited_total', help: "Requests answered 429 by their route's rate limit, by route.", labelNames: ['route'], registers });
    this.authRejections = new Counter({ name: 'gateway_auth_rejections_total', help: "Requests refused by their route's authentication, by route and reason (missing, invalid, expired, not_yet_valid, unknown_key, forbidden, keys_unavailable).", labelNames: ['route', 'reason'], registers });
    this.redisDown = new Counter({ name: 'gateway_rate_limit_redis_down_total', help: 'Rate-limited requests Redis could not count, by route and what answered instead: failOpen (the local fallback) or failClosed (503).', labelNames: ['route', 'behaviour'], registers });

    new Gauge({
      name: 'gateway_backend_up', help: '1 when the backend passes its health checks, else 0 (draining does not change it).', labelNames: ['backend', 'pool'], registers,
      collect() {
        this.reset();
        for (const member of members()) this.set(labelsOf(member), member.health.status === 'up' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'gateway_backend_in_flight', help: 'Requests sent to the backend whose response has not finished yet.', labelNames: ['backend', 'pool'], registers,
      collect() {
        this.reset();
        for (const member of members()) this.set(labelsOf(member), member.inFlight);
      },
    });
    new Gauge({
      name: 'gateway_heartbeat_age_seconds', help: 'Seconds since the backend was last heard from (health probe or registry heartbeat); absent before either.', labelNames: ['backend', 'pool'], registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const member of members()) {
          const last = Math.max(member.health.lastProbeAt ?? -Infinity, heartbeatOf(member.id) ?? -Infinity);
          if (last !== -Infinity) this.set(labelsOf(member), (now - last) / 1000);
        }
      },
    });
    const shed = new Counter({ name: 'gateway_shed_total', help: 'Requests answered 503 by overload protection instead of a backend, by reason.', labelNames: ['reason'], registers });
    for (const reason of SHED_REASONS) {
      const child = shed.labels(reason);
      child.inc(0);
      this.shed.set(reason, child);
    }
    const buildInfo = new Gauge({ name: 'gateway_build_info', help: 'Always 1; the labels say which gateway build is running.', labelNames: ['version', 'node_version', 'engine', 'workers'], registers });
    buildInfo.set({ version: PACKAGE_VERSION, node_version: process.version, engine, workers: String(workers) }, 1);
  }

  /**
   * The hot-path hook: one call per finished response. member is the backend of the last try; without one the
   * gateway answered by itself: a 503 then means no backend was available (a 400 or 413 is the client's doing).
   */
  observeRequest(member: PoolMember | undefined, route: string | undefined, method: string, status: number, seconds: number): void {
    if (member === undefined || route === undefined) {
      if (status === 503) this.noBackend.inc();
      return;
    }
    const backend = this.series.get(member.id) ?? this.addBackend(member.id, member.backend.pool);
    const series = backend.routes.get(route) ?? this.addRoute(member.id, backend, route);
    const key = (METHOD_INDEX.get(method) ?? OTHER_METHOD) * 1000 + status;
    let child = series.requests.get(key);
    if (child === undefined) {
      child = this.requests.labels(member.id, backend.pool, route, METHODS[Math.floor(key / 1000)]!, String(status));
      series.requests.set(key, child);
    }
    child.inc();
    series.duration.observe(seconds);
  }

  /** reason: the retry policy's FailureKind of the try that failed. */
  observeRetry(reason: string): void {
    (this.retryChildren.get(reason) ?? this.retryChild(reason)).inc();
  }

  /** A gRPC call ended; code is a status name from a fixed list (grpc-errors.ts), so the series stay bounded. */
  observeGrpc(pool: string, code: string): void {
    this.grpcRequests.labels(pool, code).inc();
  }

  observeHedge(outcome: (typeof HEDGE_OUTCOMES)[number]): void {
    this.hedges.get(outcome)!.inc();
  }

  observeShed(reason: ShedReason): void {
    this.shed.get(reason)!.inc();
  }

  /** A route with a rate limit: its series start at 0 (called when the route table is built). */
  rateLimitedRoute(route: string, behaviour: string | undefined): void {
    this.rateLimited.labels(route).inc(0);
    if (behaviour !== undefined) this.redisDown.labels(route, behaviour).inc(0);
  }

  /** A request answered 429 by its route's limiter. */
  observeRateLimited(route: string): void {
    this.rateLimited.labels(route).inc();
  }

  observeAuthRejected(route: string, reason: string): void {
    this.authRejections.labels(route, reason).inc();
  }

  observeRedisDown(route: string, behaviour: string): void {
    this.redisDown.labels(route, behaviour).inc();
  }

  observeReload(ok: boolean): void {
    (ok ? this.reloads.ok : this.reloads.failed).inc();
  }

  observeProbe(backendId: string, ok: boolean): void {
    const series = this.series.get(backendId);
    if (series === undefined) return; // a probe that returned after its backend was removed
    (ok ? series.probes.ok : series.probes.fail).inc();
  }

  /** Fed from the load balancer's onChange: creates a new backend's series, drops a removed one's, counts the rest. */
  observeChange(change: PoolChange): void {
    const id = change.backend.id;
    if (change.to === 'absent') {
      this.removeBackend(id);
      return;
    }
    const series = this.addBackend(id, change.backend.pool);
    let child = series.transitions.get(change.to);
    if (child === undefined) {
      child = this.transitions.labels(id, series.pool, change.to);
      series.transitions.set(change.to, child);
    }
    child.inc();
  }

  heartbeatsFrom(lastHeartbeat: (id: string) => number | undefined): void {
    this.lastHeartbeat = lastHeartbeat;
  }

  /** Read about once a second per open dashboard, never per request. */
  async requestTotals(): Promise<{ backends: Map<string, RequestTotals>; noBackend: number }> {
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
    // prom-client lists each backend's buckets in bound order, +Inf last.
    for (const { labels, value, metricName } of (await this.duration.get()).values) {
      if (metricName?.endsWith('_bucket')) totals(String(labels.backend)).buckets.push(value);
    }
    const noBackend = (await this.noBackend.get()).values[0]?.value ?? 0;
    return { backends, noBackend };
  }

  async exposition(): Promise<string> {
    return this.expose ? this.expose(this.registry) : prometheusText(this.registry);
  }

  /** Set by a multi-process gateway's primary: /metrics then adds up its workers' series (gateway/src/workers/). */
  exposeThrough(expose: (own: Registry) => Promise<string>): void {
    this.expose = expose;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private addBackend(id: string, pool: string): BackendSeries {
    const existing = this.series.get(id);
    if (existing) return existing;
    const probes = { ok: this.healthChecks.labels(id, pool, 'ok'), fail: this.healthChecks.labels(id, pool, 'fail') };
    probes.ok.inc(0);
    probes.fail.inc(0);
    const transitions = new Map<string, CounterChild>();
    for (const to of TRANSITION_TARGETS) {
      const child = this.transitions.labels(id, pool, to);
      child.inc(0);
      transitions.set(to, child);
    }
    const series: BackendSeries = { pool, routes: new Map(), probes, transitions };
    this.series.set(id, series);
    // GET 200 at 0 on each route that reaches the pool makes gateway_requests_total{backend} exist before the first request.
    for (const route of this.routesTo(pool)) this.addRoute(id, series, route);
    return series;
  }

  private addRoute(id: string, backend: BackendSeries, route: string): RouteSeries {
    const getOk = this.requests.labels(id, backend.pool, route, 'GET', '200');
    getOk.inc(0);
    const requests = new Map<number, CounterChild>([[(METHOD_INDEX.get('GET') ?? 0) * 1000 + 200, getOk]]);
    const duration = this.duration.labels(id, backend.pool, route);
    this.duration.zero({ backend: id, pool: backend.pool, route });
    const series = { duration, requests };
    backend.routes.set(route, series);
    return series;
  }

  /** A removed backend's series go too, so backends that come and go (self-registration) do not pile up. */
  private removeBackend(id: string): void {
    const series = this.series.get(id);
    if (!series) return;
    this.series.delete(id);
    for (const [route, { requests }] of series.routes) {
      for (const key of requests.keys()) this.requests.remove(id, series.pool, route, METHODS[Math.floor(key / 1000)]!, String(key % 1000));
      this.duration.remove(id, series.pool, route);
    }
    this.healthChecks.remove(id, series.pool, 'ok');
    this.healthChecks.remove(id, series.pool, 'fail');
    for (const to of series.transitions.keys()) this.transitions.remove(id, series.pool, to);
  }

  private retryChild(reason: string): CounterChild {
    const child = this.retries.labels(reason);
    child.inc(0);
    this.retryChildren.set(reason, child);
    return child;
  }
}
