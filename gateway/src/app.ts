// buildGateway(config): composes the pools (discovery, health, selection), the route table and the proxy into
// one running gateway.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { GatewayConfig } from './config.js';
import { DEFAULT_POOL } from './config-pools.js';
import { ConfigReloader, type ReloadResult } from './config-reload.js';
import { ControlPlane } from './control-plane.js';
import { OverloadGuard } from './edge/overload-guard.js';
import { EventFeed } from './observability/event-feed.js';
import { createAccessLog, type Logger } from './observability/logger.js';
import { GatewayMetrics } from './observability/metrics.js';
import type { LoadBalancer } from './pool/load-balancer.js';
import type { PoolChange } from './pool/load-balancer-options.js';
import { PoolSet } from './pool/pool-set.js';
import type { ProxyEngine } from './proxy/engine.js';
import { proxyHandler, type RouteResolver } from './proxy/proxy-handler.js';
import { proxyPlugin } from './proxy/proxy-plugin.js';
import { H2cListener } from './proxy/h2c-listener.js';
import { http2ServerOptions } from './proxy/http2-options.js';
import { createTrafficServer } from './proxy/traffic-server.js';
import { UndiciEngine } from './proxy/undici-engine.js';
import { tunnelUpgrades } from './proxy/upgrade-tunnel.js';
import { TlsFront } from './tls/tls-front.js';
import { TrafficPlan } from './traffic-plan.js';
import { workerCount } from './config-schema-workers.js';
import type { GatewayRole, TrafficAddresses } from './workers/gateway-role.js';

const IDLE_SWEEP_MS = 50;

export interface Gateway {
  readonly config: GatewayConfig;
  readonly traffic: FastifyInstance;
  /** Every upstream pool by name. */
  readonly pools: PoolSet;
  /** The default pool's load balancer (or the first pool's): what single-pool tests and tools look at. */
  readonly loadBalancer: LoadBalancer;
  /** The admin listener (pool, registry, drain; see gateway/src/admin/admin-app.ts). */
  readonly admin: FastifyInstance;
  /** Undefined when metrics.enabled is false. */
  readonly metrics: GatewayMetrics | undefined;
  /** Backend state changes for the dashboard's feed and GET /events. */
  readonly events: EventFeed;
  /** Re-reads the config and applies its pools and routes (SIGHUP, POST /config/reload); the old config stays on error. */
  reload(actor: string): ReloadResult;
  /** Starts the traffic, TLS (when enabled) and admin listeners; resolves with the bound addresses (useful with port 0). */
  listen(): Promise<TrafficAddresses & { admin: { host: string; port: number } }>;
  /** The traffic, TLS and h2c listeners alone: a traffic worker's part of listen(). */
  listenTraffic(): Promise<TrafficAddresses>;
  /**
   * A draining worker's first step: every traffic listener keeps accepting, but sends its keep-alive clients
   * elsewhere (Connection: close on HTTP/1.1, GOAWAY on HTTP/2), so they reconnect to the other workers.
   */
  handOff(): void;
  /** Stops accepting, lets in-flight requests finish, stops health checks and closes upstream pools. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Reads the config again for a reload (SIGHUP, POST /config/reload); without it reloads are refused. */
  reloadConfig?: () => GatewayConfig;
  /** A multi-process gateway's half (gateway/src/workers/); unset, this one process does everything. */
  role?: GatewayRole;
}

export async function buildGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  const healthLog = logger.child({ component: 'health' });
  const events = new EventFeed();
  // Routes and pools are read only when a backend appears and at scrape time, so the metrics can exist first.
  const metrics: GatewayMetrics | undefined = config.metrics.enabled ? new GatewayMetrics(() => pools.members(), (pool) => plan.routesTo(pool), config.proxy.engine, workerCount(config.workers)) : undefined;
  const role = options.role;
  const control = new ControlPlane(config, logger, { metrics, events });
  // A worker's changes mirror the primary's, which logs, audits and feeds the dashboard once.
  const onChange = role?.kind === 'worker' ? (change: PoolChange) => metrics?.observeChange(change) : (change: PoolChange) => {
    logPoolChange(healthLog, change);
    control.recordChange(change);
    metrics?.observeChange(change);
    events.record(change);
  };
  const pools = new PoolSet();
  const plan = new TrafficPlan(pools, { onChange, metrics, healthLog, proxyLog: logger.child({ component: 'proxy' }), reportFailureTo: role?.kind === 'worker' ? role.reportFailureTo : undefined });
  plan.apply(config);
  const resolve: RouteResolver = (req) => plan.routes.resolve(req);
  // reply-from is loaded only when chosen: the default engine should not carry its modules in memory.
  const engine: ProxyEngine = config.proxy.engine === 'undici'
    ? new UndiciEngine({ maxBodyBytes: config.limits.maxBodyBytes })
    : new (await import('./proxy/reply-from-engine.js')).ReplyFromEngine(config.proxy);
  const reloader = new ConfigReloader(config, options.reloadConfig, plan, control, logger.child({ component: 'reload' }), metrics);
  const admin = await control.build(pools, plan.poolConfigs, () => plan.routes, (actor) => reload(actor), role?.kind === 'primary' ? role.workers : undefined);

  const accessLog = config.log.access ? createAccessLog(logger, config.log.accessFile) : undefined;
  const observers = {
    accessLog: accessLog?.line,
    accessSampleRate: config.log.accessSampleRate,
    metrics,
    rateLimiter: (route: string) => plan.limiters?.get(route),
    authenticator: (route: string) => plan.auths?.get(route),
  };
  // Node answers 431 past this header size and 408 to a client still sending headers after the timeout
  // (slowloris); Fastify's own client-error handler writes those responses.
  const http = { maxHeaderSize: config.limits.maxHeaderBytes, headersTimeout: config.limits.clientHeadersTimeoutMs, connectionsCheckingInterval: Math.min(config.limits.clientHeadersTimeoutMs, 1_000) };
  // Shedding and the client connection cap, before routing; undefined when all are off.
  const overload = OverloadGuard.create({ overload: config.overload, maxClientConnections: config.limits.maxClientConnections, metrics, log: logger.child({ component: 'overload' }) });
  const proxy = engine.takes === 'raw' ? proxyHandler((req, res, context) => engine.forward(req, res, context), NODE_MESSAGES, resolve, observers) : undefined;
  const handle = proxy && overload ? overload.wrap(proxy) : proxy;
  // The TLS listener serves the same handler (Fastify's router for the reply-from engine); X-Forwarded-Proto follows the socket.
  const tls = config.tls.enabled ? new TlsFront(config, handle ?? ((req, res) => traffic.routing(req, res)), http, control.audit, logger.child({ component: 'tls' })) : undefined;
  const h2c = handle && config.http2.h2cPort !== undefined ? new H2cListener(handle, http2ServerOptions(config.http2), config.limits.clientKeepAliveTimeoutMs) : undefined;
  const rawServer = handle ? createTrafficServer(tls?.redirect ?? handle, http, config.limits.clientKeepAliveTimeoutMs) : undefined;
  const traffic = Fastify({
    loggerInstance: logger.child({ component: 'traffic' }) as FastifyBaseLogger,
    // The proxy writes its own access line; Fastify's per-request lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    // Only the reply-from route sees this; on the raw path traffic-server.ts serves and closes the connection instead.
    return503OnClosing: true,
    ...(rawServer ? { serverFactory: () => rawServer.server } : { http, keepAliveTimeout: config.limits.clientKeepAliveTimeoutMs }),
  });
  if (engine.takes === 'route' && overload) traffic.addHook('onRequest', async (request, reply) => (overload.admit(request.raw, reply.raw) ? undefined : reply.hijack()));
  if (engine.takes === 'route') await traffic.register(proxyPlugin, { engine, resolve, ...observers });
  overload?.watchConnections(traffic.server, tls?.listener.server, h2c?.server);
  traffic.addHook('onClose', async () => overload?.close());
  traffic.addHook('onClose', async () => engine.close());
  traffic.addHook('onClose', async () => pools.close());
  traffic.addHook('onClose', async () => plan.close());
  const tunnelOptions = { resolve, authenticator: observers.authenticator, connectTimeoutMs: config.proxy.connectTimeoutMs, log: logger.child({ component: 'proxy' }) };
  const tunnels = tunnelUpgrades(traffic.server, tunnelOptions);
  const tlsTunnels = tls && tunnelUpgrades(tls.listener.http1, tunnelOptions);
  const reload = (actor: string): ReloadResult => {
    tls?.reload(actor);
    // logrotate moves the file, then signals: the next lines go to a new file of the configured name.
    accessLog?.reopen();
    return reloader.reload(actor);
  };

  // A worker with workersListen "reusePort" binds sockets of its own instead of cluster's shared one.
  const reusePort = role?.kind === 'worker' && config.workersListen === 'reusePort';
  const listenTraffic = async (): Promise<TrafficAddresses> => {
    // Fastify hands its listen options to net.Server.listen, reusePort included (its types predate the option).
    const listenOptions = { host: config.listen.host, port: config.listen.port, reusePort };
    await traffic.listen(listenOptions);
    const address = traffic.server.address();
    if (address === null || typeof address === 'string') throw new Error('traffic listener has no TCP address');
    const tlsAddress = await tls?.listen(reusePort);
    const h2cAddress = await h2c?.listen(config.listen.host, config.http2.h2cPort!, reusePort);
    return { host: address.address, port: address.port, ...(tlsAddress && { tls: { host: tlsAddress.address, port: tlsAddress.port } }), ...(h2cAddress && { h2c: { host: h2cAddress.address, port: h2cAddress.port } }) };
  };

  return {
    config,
    traffic,
    pools,
    get loadBalancer() {
      return pools.get(DEFAULT_POOL)?.loadBalancer ?? pools.all().next().value!.loadBalancer;
    },
    admin,
    metrics,
    events,
    reload,
    listenTraffic,
    handOff() {
      traffic.server.on('request', (_request: IncomingMessage, response: ServerResponse) => (response.shouldKeepAlive = false));
      tls?.handOff();
      h2c?.handOff();
    },
    async listen() {
      // A primary's workers serve the traffic; it keeps the admin listener and discovery.
      const served = role?.kind === 'primary' ? await role.listenWorkers() : await listenTraffic();
      const adminAddress = await control.listen({ host: served.host, port: served.port });
      logger.info({ host: served.host, port: served.port, tlsPort: served.tls?.port, h2cPort: served.h2c?.port, adminPort: adminAddress.port, engine: engine.name, pools: pools.names, routes: plan.routes.routes.length, backends: [...pools.members()].length, workers: workerCount(config.workers) }, 'gateway listening');
      return { ...served, admin: adminAddress };
    },
    async close() {
      // Node closes idle keep-alive connections only when close() starts; one whose response finishes later
      // would hold the listener open until its keep-alive timeout, so keep sweeping until all are gone.
      const sweeper = setInterval(() => traffic.server.closeIdleConnections(), IDLE_SWEEP_MS);
      tunnels.closeAll();
      tlsTunnels?.closeAll();
      rawServer?.startClosing();
      try {
        await Promise.all([traffic.close(), tls?.close(), h2c?.close()]);
      } finally {
        clearInterval(sweeper);
      }
      // After traffic: the last changes (and the audit records) of the shutdown are still written.
      await control.close();
    },
  };
}

const NODE_MESSAGES = { request: (req: IncomingMessage) => req, response: (res: ServerResponse) => res };

function logPoolChange(log: Logger, change: PoolChange): void {
  const fields = { backend: change.backend.id, url: change.backend.origin, from: change.from, to: change.to, reason: change.reason, actor: change.actor };
  if (change.to === 'down' || change.to === 'absent') log.warn(fields, `backend ${change.backend.id} ${change.to === 'down' ? 'down' : 'removed'}: ${change.reason}`);
  else log.info(fields, `backend ${change.backend.id} ${change.to}${change.from === 'absent' ? ' (added)' : ''}`);
}
