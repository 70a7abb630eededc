// A traffic worker of a multi-process gateway: it gets its config and the pool state from the primary, serves
// the traffic (and TLS) listeners that node:cluster shares between workers, mirrors every state change the
// primary sends, and sends back passive failures, its load and, on request, its metrics. It drains and exits
// when the primary says so; SIGINT (a terminal's Ctrl-C reaches the whole process group) is the primary's to handle.
import { buildGateway, type Gateway } from '../app.js';
import type { GatewayConfig } from '../config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { isGatewayMessage, type ToPrimary, type ToWorker } from './messages.js';
import { applySnapshot, type PoolSnapshot } from './pool-snapshot.js';

/** How often the worker tells the primary its load (GET /workers, /pool's inFlight and served). */
const LOAD_REPORT_MS = 1_000;
/** How long a draining worker keeps accepting, answering with Connection: close, before it stops. */
const HANDOFF_MS = 1_000;

// A send that fails means the channel is closing (the primary went away): the 'disconnect' handler below
// drains this worker, so the error needs no more than that.
const send = (message: ToPrimary) => {
  if (process.connected) process.send!(message, undefined, {}, () => undefined);
};

export function runTrafficWorker(): void {
  let config: GatewayConfig | undefined;
  let gateway: Gateway | undefined;
  let logger: Logger | undefined;
  /** State that arrived while the gateway was being built, applied once it is. */
  let pending: { config?: GatewayConfig; pools: PoolSnapshot[] } | undefined;
  let draining = false;

  const apply = (state: { config?: GatewayConfig; pools: PoolSnapshot[] }) => {
    if (state.config) {
      config = state.config;
      gateway!.reload('primary');
    }
    applySnapshot(gateway!.pools, state.pools);
  };

  const drain = async (why: string) => {
    if (draining) return;
    draining = true;
    logger?.info({ why }, 'worker draining: finishing in-flight requests');
    if (config) setTimeout(() => process.exit(1), config.shutdown.graceMs + HANDOFF_MS).unref();
    if (gateway) {
      // Hand-off: still accepting, but every response now closes its connection (HTTP/2: GOAWAY), on every
      // listener, so busy keep-alive clients reconnect (to the other workers) on their own, instead of an idle
      // connection being cut by close() just as the client sends its next request on it.
      gateway.handOff();
      await new Promise((resolve) => setTimeout(resolve, HANDOFF_MS));
    }
    await gateway?.close();
    // Its counters must not vanish from /metrics with it (a rolling restart would look like a counter reset).
    const metrics = await gateway?.metrics?.registry.getMetricsAsJSON();
    if (metrics && process.connected) {
      const final: ToPrimary = { type: 'gateway:final-metrics', metrics };
      await new Promise<void>((resolve) => process.send!(final, undefined, {}, () => resolve()));
    }
    process.exit(0);
  };

  const start = async (init: Extract<ToWorker, { type: 'gateway:init' }>) => {
    config = init.config;
    logger = createLogger(config.log.level).child({ role: 'worker' });
    const reportFailureTo = (backend: { id: string }, reason: string) => send({ type: 'gateway:failure', backend: backend.id, reason });
    gateway = await buildGateway(config, logger, { reloadConfig: () => config!, role: { kind: 'worker', reportFailureTo } });
    applySnapshot(gateway.pools, init.pools);
    if (pending) apply(pending);
    pending = undefined;
    try {
      send({ type: 'gateway:listening', addresses: await gateway.listenTraffic() });
    } catch (error) {
      const { code, message, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
      send({ type: 'gateway:listen-failed', code: code ?? message, address: address ?? config.listen.host, port: port ?? config.listen.port });
      process.exit(1);
    }
    const reportLoad = async () => {
      const totals = await gateway!.metrics?.requestTotals();
      send({
        type: 'gateway:load',
        members: [...gateway!.pools.members()].map((member) => [member.id, member.inFlight, member.served]),
        ...(totals && { totals: { backends: [...totals.backends], noBackend: totals.noBackend } }),
      });
    };
    setInterval(() => reportLoad().catch((error: unknown) => logger!.error({ err: error }, 'worker load report failed')), LOAD_REPORT_MS).unref();
  };

  process.on('message', (message: unknown) => {
    if (!isGatewayMessage<ToWorker>(message)) return;
    switch (message.type) {
      case 'gateway:init':
        start(message).catch((error: unknown) => {
          if (logger) logger.error({ err: error }, 'worker failed to start');
          else process.stderr.write(`gateway worker ${process.pid} failed to start: ${(error as Error).stack ?? String(error)}\n`);
          process.exit(1);
        });
        break;
      case 'gateway:state':
        if (gateway) apply(message);
        else pending = { config: message.config ?? pending?.config, pools: message.pools };
        break;
      case 'gateway:metrics-request':
        void gateway?.metrics?.registry.getMetricsAsJSON().then((metrics) => send({ type: 'gateway:metrics', id: message.id, metrics }));
        break;
      case 'gateway:drain':
        void drain('asked by the primary');
        break;
    }
  });
  send({ type: 'gateway:ready' });
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void drain('SIGTERM'));
  // The primary is gone (killed): nobody will send state or a drain, so finish what is in flight and go.
  process.on('disconnect', () => void drain('the primary disconnected'));
}
