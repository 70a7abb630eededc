// The gateway's Prometheus metrics (names fixed by DESIGN.md) in their own prom-client registry.
// The per-request series are request-metrics.ts's; pool gauges are read at scrape time.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { PoolChange } from '../pool/load-balancer-options.js';
import type { PoolMember } from '../pool/pool-member.js';
import { MemberGauge } from './member-gauge.js';
import { PACKAGE_VERSION } from './package-info.js';
import { prometheusText } from './prometheus-text.js';
import { RequestMetrics, type RequestTotals } from './request-metrics.js';

export { DURATION_BUCKETS, type RequestTotals } from './request-metrics.js';

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

/** Everything kept for one backend. */
interface BackendSeries {
  pool: string;
  probes: { ok: CounterChild; fail: CounterChild };
  /** By the state entered; remembered so a removed backend's series can all be dropped. */
  transitions: Map<string, CounterChild>;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly series = new Map<string, BackendSeries>();
  private readonly retryChildren = new Map<string, CounterChild>();
  private readonly requests: RequestMetrics;
  private readonly healthChecks: Counter<string>;
  private readonly transitions: Counter<string>;
  private readonly retries: Counter<string>;
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
  private totals: (() => Promise<{ backends: Map<string, RequestTotals>; noBackend: number }>) | undefined;

  /**
   * members() and routesTo() are read when a backend appears and at scrape time: the up, in-flight and
   * heartbeat-age gauges cost nothing per request. routesTo(pool) names the routes that can reach a pool.
   */
  constructor(members: () => Iterable<PoolMember>, routesTo: (pool: string) => string[], engine: string, workers = 1) {
    const registers = [this.registry];
    const heartbeatOf = (id: string) => this.lastHeartbeat?.(id);
    collectDefaultMetrics({ register: this.registry });
    // promtool rejects gauges named *_total; the per-type gauges without the suffix carry the same counts.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    this.requests = new RequestMetrics(registers, routesTo);
    this.healthChecks = new Counter({ name: 'gateway_health_checks_total', help: 'Active health probes by backend and result (ok or fail).', labelNames: ['backend', 'pool', 'result'], registers });
    this.transitions = new Counter({ name: 'gateway_backend_transitions_total', help: 'Backend state changes by the state entered.', labelNames: ['backend', 'pool', 'to'], registers });
    this.retries = new Counter({ name: 'gateway_retries_total', help: 'Tries repeated on another backend, by what went wrong with the previous one.', labelNames: ['reason'], registers });
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

    new MemberGauge({
      name: 'gateway_backend_up', help: '1 when the backend passes its health checks, else 0 (draining does not change it).', members,
      valueOf: (member) => (member.health.status === 'up' ? 1 : 0),
    }, this.registry);
    new MemberGauge({
      name: 'gateway_backend_in_flight', help: 'Requests sent to the backend whose response has not finished yet.', members,
      valueOf: (member) => member.inFlight,
    }, this.registry);
    new MemberGauge({
      name: 'gateway_heartbeat_age_seconds', help: 'Seconds since the backend was last heard from (health probe or registry heartbeat); absent before either.', members,
      valueOf: (member, now) => {
        const last = Math.max(member.health.lastProbeAt ?? -Infinity, heartbeatOf(member.id) ?? -Infinity);
        return last === -Infinity ? undefined : (now - last) / 1000;
      },
    }, this.registry);
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
    this.requests.observe(member, route, method, status, seconds);
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
  requestTotals(): Promise<{ backends: Map<string, RequestTotals>; noBackend: number }> {
    return this.totals ? this.totals() : this.requests.totals();
  }

  /** Set by a multi-process gateway's primary: the totals are then its workers' (gateway/src/workers/). */
  totalsThrough(totals: () => Promise<{ backends: Map<string, RequestTotals>; noBackend: number }>): void {
    this.totals = totals;
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
    const series: BackendSeries = { pool, probes, transitions };
    this.series.set(id, series);
    this.requests.addBackend(id, pool);
    return series;
  }

  /** A removed backend's series go too, so backends that come and go (self-registration) do not pile up. */
  private removeBackend(id: string): void {
    const series = this.series.get(id);
    if (!series) return;
    this.series.delete(id);
    this.requests.removeBackend(id);
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
