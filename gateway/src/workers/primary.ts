// The primary of a multi-process gateway (workers > 1): it runs the control half of buildGateway once (admin
// listener, discovery, registry TTLs, health checks, audit log) and forks the traffic workers that serve the
// listeners. Every pool change and reload goes out to the workers as a whole snapshot on the next turn of the
// event loop; passive failures they report are counted here, so an ejection is decided once for all of them.
// A worker that dies is logged with its exit code or signal and replaced at once.
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Gateway } from '../app.js';
import type { GatewayConfig } from '../config.js';
import { workerCount } from '../config-schema-workers.js';
import type { Logger } from '../observability/logger.js';
import { ClusterMetrics } from './cluster-metrics.js';
import type { PrimaryRole, TrafficAddresses } from './gateway-role.js';
import { isGatewayMessage, type ToPrimary } from './messages.js';
import { takeSnapshot } from './pool-snapshot.js';
import { rollingRestart } from './rolling-restart.js';
import { WorkerTotals } from './request-totals-sum.js';
import { WorkerHandle, WorkerListenError } from './worker-handle.js';

const WORKER_MAIN = fileURLToPath(new URL('./worker-main.js', import.meta.url));
/** A worker that dies sooner than this after it started is replaced after REPLACE_BACKOFF_MS, not in a tight loop. */
const CRASH_LOOP_MS = 2_000;
const REPLACE_BACKOFF_MS = 1_000;

export class Primary {
  readonly role: PrimaryRole;
  private gateway: Gateway | undefined;
  private readonly handles = new Map<number, WorkerHandle>();
  private readonly metrics: ClusterMetrics;
  /** Requests served by workers that are gone, so /pool's served counts do not drop on a restart. */
  private readonly retiredServed = new Map<string, number>();
  private readonly totals = new WorkerTotals();
  private reloaded: GatewayConfig | undefined;
  private broadcastDue = false;
  private restarting = false;
  private stopping = false;

  constructor(private config: GatewayConfig, private readonly logger: Logger) {
    cluster.setupPrimary({ exec: WORKER_MAIN, args: [] });
    // Draining workers still count (their requests finish there) until their final figures arrive.
    const counting = () => [...this.handles.values()].filter((handle) => handle.state !== 'starting' && !handle.finalMetricsSent);
    this.metrics = new ClusterMetrics(() => counting().map((handle) => handle.worker), logger.child({ component: 'metrics' }));
    this.role = {
      kind: 'primary',
      listenWorkers: () => this.startWorkers(),
      workers: { list: () => [...this.handles.values()].map((handle) => handle.view()), restart: (actor) => this.restart(actor) },
    };
  }

  /** Wraps the config loader: a config that loads goes to every worker, with the pool state it leads to. */
  following(load: () => GatewayConfig): () => GatewayConfig {
    return () => {
      const next = load();
      this.config = next;
      this.reloaded = next;
      this.scheduleBroadcast();
      return next;
    };
  }

  /** Called once buildGateway has composed the primary's half, before it listens. */
  attach(gateway: Gateway): void {
    this.gateway = gateway;
    gateway.events.subscribe(() => this.scheduleBroadcast());
    gateway.metrics?.exposeThrough((own) => this.metrics.expose(own));
    gateway.metrics?.totalsThrough(async () => this.totals.sum([...this.handles.values()].map((handle) => handle.totals)));
  }

  /** Starts a rolling restart (SIGUSR2, POST /workers/restart); false when one is already running. */
  restart(actor: string): boolean {
    const log = this.logger.child({ component: 'workers' });
    if (this.restarting || this.stopping) {
      log.warn({ actor }, `rolling restart asked by ${actor} refused: ${this.stopping ? 'the gateway is stopping' : 'one is already running'}`);
      return false;
    }
    this.restarting = true;
    log.info({ actor, workers: this.handles.size }, `rolling restart of ${this.handles.size} workers asked by ${actor}`);
    void rollingRestart({ current: () => this.listeningWorkers(), fork: () => this.fork(), retire: (handle) => handle.drain(this.drainTimeoutMs), stopped: () => this.stopping }, log)
      .finally(() => (this.restarting = false));
    return true;
  }

  /** Shutdown: every worker finishes its in-flight requests and exits; none is replaced. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.handles.values()].map((handle) => handle.drain(this.drainTimeoutMs)));
  }

  private get drainTimeoutMs(): number {
    return this.config.shutdown.graceMs + 1_000;
  }

  private listeningWorkers(): WorkerHandle[] {
    return [...this.handles.values()].filter((handle) => handle.state === 'listening');
  }

  private async startWorkers(): Promise<TrafficAddresses> {
    const count = workerCount(this.config.workers);
    const [addresses] = await Promise.all(Array.from({ length: count }, () => this.fork().listening));
    this.logger.info({ component: 'workers', workers: count, pids: [...this.handles.values()].map((handle) => handle.pid) }, `${count} traffic workers listening`);
    return addresses!;
  }

  private fork(): WorkerHandle {
    const handle = new WorkerHandle(cluster.fork());
    this.handles.set(handle.worker.id, handle);
    handle.worker.on('message', (message: unknown) => {
      if (isGatewayMessage<ToPrimary>(message)) this.receive(handle, message);
    });
    handle.worker.on('error', (error) => this.logger.error({ err: error, worker: handle.pid }, `IPC with worker ${handle.pid} failed`));
    handle.worker.on('exit', (code, signal) => this.exited(handle, code, signal));
    return handle;
  }

  private receive(handle: WorkerHandle, message: ToPrimary): void {
    switch (message.type) {
      case 'gateway:ready':
        handle.send({ type: 'gateway:init', config: this.workerConfig(this.config), pools: takeSnapshot(this.gateway!.pools) });
        handle.initialised = true;
        break;
      case 'gateway:listening':
        handle.listened(message.addresses);
        break;
      case 'gateway:listen-failed':
        handle.failedToListen(new WorkerListenError(message.code, message.address, message.port));
        break;
      case 'gateway:failure': {
        const found = this.gateway!.pools.find(message.backend);
        if (found) found.pool.loadBalancer.reportFailure(found.member, message.reason);
        break;
      }
      case 'gateway:load':
        handle.load = new Map(message.members.map(([id, inFlight, served]) => [id, [inFlight, served]]));
        handle.totals = message.totals;
        this.sumLoad();
        break;
      case 'gateway:metrics':
        this.metrics.reply(message.id, message.metrics);
        break;
      case 'gateway:final-metrics':
        handle.finalMetricsSent = true;
        this.metrics.retire(handle.worker, message.metrics);
        break;
    }
  }

  private exited(handle: WorkerHandle, code: number | null, signal: string | null): void {
    this.handles.delete(handle.worker.id);
    for (const [id, [, served]] of handle.load) this.retiredServed.set(id, (this.retiredServed.get(id) ?? 0) + served);
    this.totals.retire(handle.totals);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const log = this.logger.child({ component: 'workers' });
    if (handle.state === 'draining' || this.stopping) {
      log.info({ worker: handle.pid, code, signal }, `worker ${handle.pid} stopped (${how})`);
      return;
    }
    // Its in-flight requests are lost with it; the next connections go to the other workers meanwhile.
    const soon = Date.now() - handle.startedAt < CRASH_LOOP_MS;
    log.error({ worker: handle.pid, code, signal }, `worker ${handle.pid} died (${how}): replacing it${soon ? ` in ${REPLACE_BACKOFF_MS} ms (it died right after starting)` : ''}`);
    setTimeout(() => {
      if (this.stopping) return;
      const replacement = this.fork();
      replacement.listening.then(
        () => log.info({ worker: replacement.pid, replaced: handle.pid }, `worker ${replacement.pid} replaced worker ${handle.pid}`),
        (error: Error) => log.error({ err: error, worker: replacement.pid }, `the replacement of worker ${handle.pid} failed to start`),
      );
    }, soon ? REPLACE_BACKOFF_MS : 0);
  }

  /** /pool's inFlight and served for each backend: the workers' last reports added up. */
  private sumLoad(): void {
    for (const member of this.gateway!.pools.members()) {
      let inFlight = 0;
      let served = this.retiredServed.get(member.id) ?? 0;
      for (const handle of this.handles.values()) {
        const load = handle.load.get(member.id);
        if (load) {
          inFlight += load[0];
          served += load[1];
        }
      }
      member.inFlight = inFlight;
      member.served = served;
    }
  }

  private scheduleBroadcast(): void {
    if (this.broadcastDue) return;
    this.broadcastDue = true;
    // A burst of changes (a reload, a pool going down) goes out as one snapshot.
    setImmediate(() => {
      this.broadcastDue = false;
      const config = this.reloaded && this.workerConfig(this.reloaded);
      this.reloaded = undefined;
      const pools = takeSnapshot(this.gateway!.pools);
      for (const handle of this.handles.values()) if (handle.initialised) handle.send({ type: 'gateway:state', ...(config && { config }), pools });
    });
  }

  /**
   * What a worker runs with: the primary's config without an audit file (the primary writes the one log). The
   * ports stay as configured: node:cluster shares one listening socket per address and port among the workers,
   * so with port 0 every worker gets the same port while one of them lives.
   */
  private workerConfig(config: GatewayConfig): GatewayConfig {
    return { ...config, audit: { ...config.audit, file: '' } };
  }
}
