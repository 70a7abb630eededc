// buildGateway(config): composes discovery, health, selection and the proxy into one running gateway.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { staticBackends, type Backend } from './backend.js';
import type { GatewayConfig } from './config.js';
import { ControlPlane } from './control-plane.js';
import { ActiveHealthChecker } from './health/active-check.js';
import { LoadBalancer, type PoolChange } from './load-balancer.js';
import { EventFeed } from './observability/event-feed.js';
import type { Logger } from './observability/logger.js';
import { GatewayMetrics } from './observability/metrics.js';
import type { ProxyEngine } from './proxy/engine.js';
import { proxyHandler } from './proxy/proxy-handler.js';
import { proxyPlugin } from './proxy/proxy-plugin.js';
import { createTrafficServer } from './proxy/traffic-server.js';
import { UndiciEngine } from './proxy/undici-engine.js';
import { tunnelUpgrades } from './proxy/upgrade-tunnel.js';
import { UpstreamPools } from './proxy/upstream-pool.js';
import type { ForwardingSettings } from './proxy/forwarding.js';
import { hedgeDelay } from './proxy/hedge-delay.js';
import { RetryBudget } from './proxy/retry-budget.js';

const IDLE_SWEEP_MS = 50;

export interface Gateway {
  readonly config: GatewayConfig;
  readonly traffic: FastifyInstance;
  readonly loadBalancer: LoadBalancer;
  /** The admin listener (pool, registry, drain; see gateway/src/admin/admin-app.ts). */
  readonly admin: FastifyInstance;
  /** Undefined when metrics.enabled is false. */
  readonly metrics: GatewayMetrics | undefined;
  /** Backend state changes for the dashboard's feed and GET /events. */
  readonly events: EventFeed;
  /** Starts the traffic and admin listeners; resolves with the bound addresses (useful with port 0). */
  listen(): Promise<{ host: string; port: number; admin: { host: string; port: number } }>;
  /** Stops accepting, lets in-flight requests finish, stops health checks and closes upstream pools. */
  close(): Promise<void>;
}

export async function buildGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  const healthLog = logger.child({ component: 'health' });
  // With active checks off nothing would ever admit a backend, so they start up.
  const initialState = config.healthCheck.enabled ? config.healthCheck.initialState : 'up';
  const events = new EventFeed();
  // The pool is read only at scrape time, so the metrics can exist before it and see every 'added' change.
  const metrics = config.metrics.enabled ? new GatewayMetrics(() => loadBalancer.list(), config.proxy.engine) : undefined;
  const control = new ControlPlane(config, logger, { metrics, events });
  const loadBalancer = new LoadBalancer({
    thresholds: { rise: config.healthCheck.rise, fall: config.healthCheck.fall },
    initialState,
    slowStartMs: config.healthCheck.slowStartMs,
    passive: config.passiveHealth.enabled ? config.passiveHealth : undefined,
    onChange: (change) => {
      logPoolChange(healthLog, change);
      control.recordChange(change);
      metrics?.observeChange(change);
      events.record(change);
    },
    onEjectionRefused: (backend, reason) =>
      healthLog.warn({ backend: backend.id, reason }, `backend ${backend.id} kept in the pool although failing (${reason}): it is the last one available`),
  });
  const checker = new ActiveHealthChecker(config.healthCheck, (backend, result) => {
    loadBalancer.recordProbe(backend.id, result);
    metrics?.observeProbe(backend.id, result.ok);
  });
  // reply-from is loaded only when chosen: the default engine should not carry its modules in memory.
  const engine: ProxyEngine = config.proxy.engine === 'undici'
    ? new UndiciEngine(forwardingSettings(config, loadBalancer, metrics, logger.child({ component: 'proxy' })), { replayableBodyBytes: config.retry.replayableBodyBytes, maxBodyBytes: config.limits.maxBodyBytes })
    : new (await import('./proxy/reply-from-engine.js')).ReplyFromEngine(loadBalancer, config.proxy);

  const addBackend = (backend: Backend) => {
    loadBalancer.add(backend);
    if (config.healthCheck.enabled) checker.watch(backend);
  };
  for (const backend of staticBackends(config.backends)) addBackend(backend);
  const admin = await control.build(loadBalancer, config.healthCheck.enabled ? checker : undefined);

  const observers = {
    accessLog: config.log.access ? logger.child({ component: 'access' }) : undefined,
    accessSampleRate: config.log.accessSampleRate,
    metrics,
  };
  // Node answers 431 past this header size and 408 to a client still sending headers after the timeout
  // (slowloris); Fastify's own client-error handler writes those responses.
  const http = { maxHeaderSize: config.limits.maxHeaderBytes, headersTimeout: config.limits.clientHeadersTimeoutMs, connectionsCheckingInterval: Math.min(config.limits.clientHeadersTimeoutMs, 1_000) };
  const rawServer = engine.takes === 'raw'
    ? createTrafficServer(proxyHandler((req, res, context) => engine.forward(req, res, context), (req) => req, observers), http, config.limits.clientKeepAliveTimeoutMs)
    : undefined;
  const traffic = Fastify({
    loggerInstance: logger.child({ component: 'traffic' }) as FastifyBaseLogger,
    // The proxy writes its own access line; Fastify's per-request lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    // Only the reply-from route sees this; on the raw path traffic-server.ts serves and closes the connection instead.
    return503OnClosing: true,
    ...(rawServer ? { serverFactory: () => rawServer.server } : { http, keepAliveTimeout: config.limits.clientKeepAliveTimeoutMs }),
  });
  if (engine.takes === 'route') await traffic.register(proxyPlugin, { engine, ...observers });
  traffic.addHook('onClose', async () => engine.close());
  traffic.addHook('onClose', async () => checker.close());
  const tunnels = tunnelUpgrades(traffic.server, { loadBalancer, connectTimeoutMs: config.proxy.connectTimeoutMs });

  return {
    config,
    traffic,
    loadBalancer,
    admin,
    metrics,
    events,
    async listen() {
      await traffic.listen({ host: config.listen.host, port: config.listen.port });
      const address = traffic.server.address();
      if (address === null || typeof address === 'string') throw new Error('traffic listener has no TCP address');
      const adminAddress = await control.listen({ host: address.address, port: address.port });
      logger.info({ host: address.address, port: address.port, adminPort: adminAddress.port, engine: engine.name, backends: loadBalancer.list().length }, 'gateway listening');
      return { host: address.address, port: address.port, admin: adminAddress };
    },
    async close() {
      // Node closes idle keep-alive connections only when close() starts; one whose response finishes later
      // would hold the listener open until its keep-alive timeout, so keep sweeping until all are gone.
      const sweeper = setInterval(() => traffic.server.closeIdleConnections(), IDLE_SWEEP_MS);
      tunnels.closeAll();
      rawServer?.startClosing();
      try {
        await traffic.close();
      } finally {
        clearInterval(sweeper);
      }
      // After traffic: the last changes (and the audit records) of the shutdown are still written.
      await control.close();
    },
  };
}

function forwardingSettings(config: GatewayConfig, loadBalancer: LoadBalancer, metrics: GatewayMetrics | undefined, log: Logger): ForwardingSettings {
  return {
    log,
    loadBalancer,
    pools: new UpstreamPools(config.proxy),
    limits: { retries: config.retry.retries, tryDurationMs: config.retry.tryDurationMs, idempotentMethods: new Set(config.retry.idempotentMethods) },
    budget: new RetryBudget(config.retry.budgetRatio, config.retry.budgetMinPerSecond),
    perTryTimeoutMs: config.retry.perTryTimeoutMs,
    hedgeDelay: hedgeDelay(config.retry.hedgeAfterMs),
    retryStatuses: new Set(config.retry.statuses),
    failureStatuses: new Set(config.passiveHealth.enabled ? config.passiveHealth.statuses : []),
    onRetry: metrics ? (kind) => metrics.observeRetry(kind) : undefined,
    onHedge: metrics ? (outcome) => metrics.observeHedge(outcome) : undefined,
  };
}

function logPoolChange(log: Logger, change: PoolChange): void {
  const fields = { backend: change.backend.id, url: change.backend.origin, from: change.from, to: change.to, reason: change.reason, actor: change.actor };
  if (change.to === 'down' || change.to === 'absent') log.warn(fields, `backend ${change.backend.id} ${change.to === 'down' ? 'down' : 'removed'}: ${change.reason}`);
  else log.info(fields, `backend ${change.backend.id} ${change.to}${change.from === 'absent' ? ' (added)' : ''}`);
}
