// buildGateway(config): composes discovery, health, selection and the proxy into one running gateway.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { staticBackends, type Backend } from './backend.js';
import type { GatewayConfig } from './config.js';
import { ActiveHealthChecker } from './health/active-check.js';
import { LoadBalancer, type PoolChange } from './load-balancer.js';
import type { Logger } from './observability/logger.js';
import type { ProxyEngine } from './proxy/engine.js';
import { proxyPlugin } from './proxy/proxy-plugin.js';
import { UndiciEngine } from './proxy/undici-engine.js';
import { UpstreamPools } from './proxy/upstream-pool.js';

const IDLE_SWEEP_MS = 50;

export interface Gateway {
  readonly config: GatewayConfig;
  readonly traffic: FastifyInstance;
  readonly loadBalancer: LoadBalancer;
  /** Starts the listener; resolves with the bound address (useful with port 0). */
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish, stops health checks and closes upstream pools. */
  close(): Promise<void>;
}

export async function buildGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  const healthLog = logger.child({ component: 'health' });
  // With active checks off nothing would ever admit a backend, so they start up.
  const initialState = config.healthCheck.enabled ? config.healthCheck.initialState : 'up';
  const loadBalancer = new LoadBalancer({
    thresholds: { rise: config.healthCheck.rise, fall: config.healthCheck.fall },
    initialState,
    onChange: (change) => logPoolChange(healthLog, change),
  });
  const checker = new ActiveHealthChecker(config.healthCheck, (backend, result) => loadBalancer.recordProbe(backend.id, result));
  const pools = new UpstreamPools(config.proxy);
  // reply-from is loaded only when chosen: the default engine should not carry its modules in memory.
  const engine: ProxyEngine = config.proxy.engine === 'undici'
    ? new UndiciEngine(pools)
    : new (await import('./proxy/reply-from-engine.js')).ReplyFromEngine(config.proxy);

  const addBackend = (backend: Backend) => {
    loadBalancer.add(backend);
    if (config.healthCheck.enabled) checker.watch(backend);
  };
  for (const backend of staticBackends(config.backends)) addBackend(backend);

  const traffic = Fastify({
    loggerInstance: logger.child({ component: 'traffic' }) as FastifyBaseLogger,
    // The proxy writes its own access line; Fastify's per-request lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    return503OnClosing: true,
  });
  await traffic.register(proxyPlugin, {
    loadBalancer,
    engine,
    accessLog: config.log.access ? logger.child({ component: 'access' }) : undefined,
  });
  traffic.addHook('onClose', async () => checker.close());

  return {
    config,
    traffic,
    loadBalancer,
    async listen() {
      await traffic.listen({ host: config.listen.host, port: config.listen.port });
      const address = traffic.server.address();
      if (address === null || typeof address === 'string') throw new Error('traffic listener has no TCP address');
      logger.info({ host: address.address, port: address.port, engine: engine.name, backends: loadBalancer.list().length }, 'gateway listening');
      return { host: address.address, port: address.port };
    },
    async close() {
      // Node closes idle keep-alive connections only when close() starts; one whose response finishes later
      // would hold the listener open until its keep-alive timeout, so keep sweeping until all are gone.
      const sweeper = setInterval(() => traffic.server.closeIdleConnections(), IDLE_SWEEP_MS);
      try {
        await traffic.close();
      } finally {
        clearInterval(sweeper);
      }
    },
  };
}

function logPoolChange(log: Logger, change: PoolChange): void {
  const fields = { backend: change.backend.id, url: change.backend.origin, from: change.from, to: change.to, reason: change.reason };
  if (change.to === 'down' || change.to === 'absent') log.warn(fields, `backend ${change.backend.id} ${change.to === 'down' ? 'down' : 'removed'}: ${change.reason}`);
  else log.info(fields, `backend ${change.backend.id} ${change.to}${change.from === 'absent' ? ' (added)' : ''}`);
}
