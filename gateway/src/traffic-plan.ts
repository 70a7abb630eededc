// The pools and the route table a config asks for, applied to the running gateway: at start (from nothing) and
// on every reload. A pool that stays keeps its members, their health, its in-flight requests and its keep-alive
// connections (only its static members and retry settings follow the new config); a pool whose balancing or
// health settings changed is replaced; a removed pool takes no new request and closes once its requests end.
// The route table is swapped in one assignment: a request sees the old table or the new one, never a mix.
import { resolvePools, resolveRoutes, type PoolConfig } from './config-pools.js';
import type { GatewayConfig } from './config.js';
import type { RouteAuth } from './edge/auth/route-auth.js';
import { buildRouteAuths } from './edge/auth/route-auths.js';
import { RateLimits } from './edge/rate-limits.js';
import type { RouteLimiter } from './edge/rate-limit-policy.js';
import type { Logger } from './observability/logger.js';
import type { GatewayMetrics } from './observability/metrics.js';
import { staticBackends, type Backend } from './pool/backend.js';
import type { PoolChange } from './pool/load-balancer-options.js';
import type { PoolSet } from './pool/pool-set.js';
import { UpstreamPool } from './pool/upstream-pool.js';
import { loadUpstreamTls } from './pool/upstream-tls.js';
import type { ForwardingSettings } from './proxy/forwarding-settings.js';
import { grpcStatusName } from './proxy/grpc-errors.js';
import { hedgeDelay } from './proxy/hedge-delay.js';
import { RetryBudget } from './proxy/retry-budget.js';
import { requestKey } from './routes/request-key.js';
import { RouteTable } from './routes/route-table.js';

export interface PlanObservers {
  onChange: (change: PoolChange) => void;
  metrics: GatewayMetrics | undefined;
  healthLog: Logger;
  proxyLog: Logger;
  /** Set in a traffic worker (gateway/src/workers/): no probes here, failures go to the primary that decides. */
  reportFailureTo?: (backend: Backend, reason: string) => void;
}

/** What an apply changed, for the log line and the audit record of a reload. */
export interface PlanDiff {
  added: string[];
  replaced: string[];
  removed: string[];
  kept: string[];
  routes: { before: number; after: number };
}

export class TrafficPlan {
  /** Read on every request; replaced whole by apply(). */
  routes: RouteTable<ForwardingSettings> = new RouteTable<ForwardingSettings>([], () => undefined as never);
  /** Route name -> its rate limiter, replaced with the table; undefined when no route has one. */
  limiters: ReadonlyMap<string, RouteLimiter> | undefined;
  /** Route name -> its authentication, replaced with the table; undefined when no route has one. */
  auths: ReadonlyMap<string, RouteAuth> | undefined;
  private configs = new Map<string, PoolConfig>();
  private readonly rateLimits: RateLimits;

  constructor(
    private readonly pools: PoolSet,
    private readonly observers: PlanObservers,
  ) {
    const { metrics } = observers;
    this.rateLimits = new RateLimits(observers.proxyLog, (route, behaviour) => metrics?.observeRedisDown(route, behaviour));
  }

  /** The pools the config names (what DNS discovery follows). */
  get poolConfigs(): PoolConfig[] {
    return [...this.configs.values()];
  }

  /** The routes that can send to a pool (the metrics pre-create their series). */
  routesTo(pool: string): string[] {
    return this.routes.routes.filter((route) => route.pools.includes(pool)).map((route) => route.name);
  }

  apply(config: GatewayConfig): PlanDiff {
    // First, before any pool changes: reading the key files again is what can still fail.
    const routes = resolveRoutes(config);
    const { metrics, proxyLog } = this.observers;
    const auths = buildRouteAuths(routes, proxyLog, (route, reason) => metrics?.observeAuthRejected(route, reason));
    const next = new Map(resolvePools(config).map((poolConfig) => [poolConfig.name, poolConfig]));
    const diff: PlanDiff = { added: [], replaced: [], removed: [], kept: [], routes: { before: this.routes.routes.length, after: 0 } };
    const forwarding = new Map<string, ForwardingSettings>();
    const retired: UpstreamPool[] = [];
    for (const [name, poolConfig] of next) {
      let pool = this.pools.get(name);
      const before = this.configs.get(name);
      if (pool !== undefined && before !== undefined && sameBalancing(before, poolConfig)) {
        diff.kept.push(name);
      } else {
        (pool ? diff.replaced : diff.added).push(name);
        // Discovered members (registry, DNS, etcd) move to the new pool and are probed again; static ones follow the config.
        const discovered = pool === undefined ? [] : pool.loadBalancer.list().filter((member) => member.backend.source !== 'static').map((member) => member.backend);
        if (pool) retired.push(pool.takeOut(`pool ${name} replaced by a config reload`));
        pool = this.buildPool(poolConfig, config);
        this.pools.set(pool);
        for (const backend of discovered) pool.add(backend, backend.source);
      }
      syncStaticMembers(pool, poolConfig);
      forwarding.set(name, this.forwardingSettings(poolConfig, pool));
    }
    for (const [name, pool] of this.pools.entries()) {
      if (next.has(name)) continue;
      diff.removed.push(name);
      this.pools.delete(name);
      retired.push(pool.takeOut(`pool ${name} removed by a config reload`));
    }
    this.configs = next;
    this.limiters = this.rateLimits.build(routes, config);
    this.auths = auths;
    for (const { name, rateLimit } of routes) if (rateLimit) this.observers.metrics?.rateLimitedRoute(name, rateLimit.store === 'redis' ? rateLimit.redisDown : undefined);
    this.routes = new RouteTable(routes, (name) => forwarding.get(name)!, (settings) => settings.pool.loadBalancer.hasAvailable);
    diff.routes.after = this.routes.routes.length;
    // After the swap: requests already on a retired pool finish there; its connections close when they do.
    for (const pool of retired) void pool.close();
    return diff;
  }

  /** Closes the Redis connection of the rate limits, if there is one. */
  close(): void {
    this.rateLimits.close();
  }

  private buildPool(poolConfig: PoolConfig, config: GatewayConfig): UpstreamPool {
    const { healthCheck, passiveHealth } = poolConfig;
    const { onChange, metrics, healthLog, reportFailureTo } = this.observers;
    return new UpstreamPool({
      name: poolConfig.name,
      balancing: {
        thresholds: { rise: healthCheck.rise, fall: healthCheck.fall },
        // With active checks off nothing would ever admit a backend, so they start up.
        initialState: healthCheck.enabled ? healthCheck.initialState : 'up',
        slowStartMs: healthCheck.slowStartMs,
        passive: passiveHealth.enabled ? passiveHealth : undefined,
        policy: poolConfig.policy,
        concurrency: concurrencyOf(poolConfig),
        onChange,
        reportFailureTo,
        onEjectionRefused: (backend, reason) =>
          healthLog.warn({ backend: backend.id, pool: backend.pool, reason }, `backend ${backend.id} kept in pool ${backend.pool} although failing (${reason}): it is the last one available`),
      },
      checks: healthCheck.enabled && reportFailureTo === undefined ? healthCheck : undefined,
      // The TLS files were checked when the config loaded; read once here, for the life of the pool.
      dispatchers: {
        ...config.proxy,
        transport: { protocol: poolConfig.protocol, streamsPerConnection: poolConfig.streamsPerConnection, tls: poolConfig.tls && loadUpstreamTls(poolConfig.tls) },
        onIdleFailure: (origin, error) => {
          const cause = (error as NodeJS.ErrnoException).code ?? error.message;
          this.observers.proxyLog.warn({ pool: poolConfig.name, origin, cause, error: error.message }, `HTTP/2 connection to ${origin} (pool ${poolConfig.name}) failed while idle: ${error.message}`);
        },
      },
      onProbe: metrics ? (backend, result) => metrics.observeProbe(backend.id, result.ok) : undefined,
    });
  }

  private forwardingSettings(poolConfig: PoolConfig, pool: UpstreamPool): ForwardingSettings {
    const { retry, passiveHealth } = poolConfig;
    const { metrics, proxyLog } = this.observers;
    const grpc = poolConfig.protocol === 'grpc';
    return {
      log: proxyLog,
      pool,
      // A gRPC pool names its idempotent calls by method path; every call is a POST.
      limits: { retries: retry.retries, tryDurationMs: retry.tryDurationMs, idempotentMethods: new Set(grpc ? poolConfig.grpc.idempotentMethods : retry.idempotentMethods) },
      grpc: grpc ? { onStatus: metrics && ((code) => metrics.observeGrpc(poolConfig.name, grpcStatusName(code))) } : undefined,
      budget: new RetryBudget(retry.budgetRatio, retry.budgetMinPerSecond),
      replayableBodyBytes: retry.replayableBodyBytes,
      perTryTimeoutMs: retry.perTryTimeoutMs,
      hedgeDelay: hedgeDelay(retry.hedgeAfterMs),
      hashKey: poolConfig.hashOn === undefined ? undefined : requestKey(poolConfig.hashOn),
      retryStatuses: new Set(retry.statuses),
      failureStatuses: new Set(passiveHealth.enabled ? passiveHealth.statuses : []),
      onRetry: metrics ? (kind) => metrics.observeRetry(kind) : undefined,
      onHedge: metrics ? (outcome) => metrics.observeHedge(outcome) : undefined,
      onShed: metrics ? (reason) => metrics.observeShed(reason) : undefined,
    };
  }
}

/** The pool's cap per backend and its queue; undefined when concurrency.maxPerBackend is null (no cap). */
function concurrencyOf({ concurrency }: PoolConfig) {
  return concurrency.maxPerBackend === null ? undefined : { ...concurrency, maxPerBackend: concurrency.maxPerBackend };
}

/** Whether a kept pool can go on as it is: the same policy, hash key, health checks, passive health, transport and caps. */
function sameBalancing(before: PoolConfig, after: PoolConfig): boolean {
  const identity = (pool: PoolConfig) => JSON.stringify([pool.policy, pool.hashOn, pool.healthCheck, pool.passiveHealth, pool.protocol, pool.streamsPerConnection, pool.tls, pool.concurrency]);
  return identity(before) === identity(after);
}

/** Static members follow the config; members from the registry, DNS or etcd are discovery's to add and remove. */
function syncStaticMembers(pool: UpstreamPool, poolConfig: PoolConfig): void {
  const wanted = staticBackends(poolConfig.backends, poolConfig.name);
  const ids = new Set(wanted.map((backend) => backend.id));
  for (const member of pool.loadBalancer.list()) {
    if (member.backend.source === 'static' && !ids.has(member.id)) pool.remove(member.id, 'removed from the config by a reload', 'config');
  }
  for (const backend of wanted) pool.add(backend, 'config');
}
