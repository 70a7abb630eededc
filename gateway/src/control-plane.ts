// The gateway's control plane beside the traffic path: the admin listener, the registry (local TTLs or etcd),
// DNS discovery and the audit log. buildGateway creates it before the load balancer (whose changes it records),
// builds it once the load balancer exists, and listens and closes it together with the traffic listener.
import type { FastifyInstance } from 'fastify';
import { buildAdminApp } from './admin/admin-app.js';
import type { GatewayConfig } from './config.js';
import { DnsDiscovery } from './discovery/dns.js';
import type { EtcdStore } from './discovery/etcd.js';
import type { Listener } from './discovery/registration.js';
import { Registry } from './discovery/registry.js';
import { TtlStore } from './discovery/ttl-store.js';
import type { PoolConfig } from './config-pools.js';
import type { PoolChange } from './pool/load-balancer-options.js';
import type { WorkerControl } from './admin/workers-routes.js';
import type { PoolSet } from './pool/pool-set.js';
import type { RouteTable } from './routes/route-table.js';
import type { ReloadResult } from './config-reload.js';
import { AuditLog } from './observability/audit-log.js';
import type { EventFeed } from './observability/event-feed.js';
import type { Logger } from './observability/logger.js';
import type { GatewayMetrics } from './observability/metrics.js';

/** What the admin listener's /metrics, dashboard and /events read (built in buildGateway). */
export interface ObservabilitySources {
  metrics: GatewayMetrics | undefined;
  events: EventFeed;
}

export class ControlPlane {
  readonly audit: AuditLog;
  /** The gateway's own bound listeners: registrations pointing at them would loop. */
  private readonly listeners: Listener[] = [];
  private admin: FastifyInstance | undefined;
  private registry: Registry | undefined;
  private etcd: EtcdStore | undefined;
  private dns: DnsDiscovery[] = [];
  private pools: PoolSet | undefined;
  private listening = false;

  constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    private readonly observability: ObservabilitySources,
  ) {
    this.audit = new AuditLog(config.audit.file, (error) => logger.error({ err: error, file: config.audit.file }, 'audit log cannot be written'));
  }

  /** Feed for the load balancer's onChange: an audit record, and the explanation /pool shows. */
  recordChange(change: PoolChange): void {
    this.audit.recordChange(change);
  }

  async build(pools: PoolSet, poolConfigs: readonly PoolConfig[], routes: () => RouteTable<unknown>, reload: (actor: string) => ReloadResult, workers?: WorkerControl): Promise<FastifyInstance> {
    const { admin, registry: registryConfig } = this.config;
    const registry = new Registry(
      { ttlMs: registryConfig.ttlMs, maxBackends: registryConfig.maxBackends, drainTimeoutMs: registryConfig.drainTimeoutMs, listeners: () => this.listeners },
      pools,
    );
    if (registryConfig.etcd.endpoints.length > 0) {
      // etcd3 brings gRPC and protobuf (~0.5 s to load): only gateways configured for etcd pay for it.
      const { EtcdStore } = await import('./discovery/etcd.js');
      this.etcd = new EtcdStore({ ...registryConfig.etcd, ttlMs: registryConfig.ttlMs }, registry, this.logger.child({ component: 'etcd' }));
      registry.attach(this.etcd);
    } else {
      registry.attach(new TtlStore(registryConfig.ttlMs, registry));
    }
    this.registry = registry;
    this.pools = pools;
    this.followDiscovery(poolConfigs);
    this.admin = await buildAdminApp({ pools, routes, reload, registry, workers, audit: this.audit, ...this.observability }, admin, this.logger.child({ component: 'admin' }));
    return this.admin;
  }

  /** Starts the admin listener and the discovery sources; resolves with the admin address. */
  async listen(traffic: Listener): Promise<Listener> {
    if (!this.admin) throw new Error('control plane not built');
    this.listeners.push(traffic);
    const { host, port } = this.config.admin;
    await this.admin.listen({ host, port });
    const address = this.admin.server.address();
    if (address === null || typeof address === 'string') throw new Error('admin listener has no TCP address');
    const bound = { host: address.address, port: address.port };
    this.listeners.push(bound, { host, port: bound.port });
    const auth = this.config.admin.token !== undefined || this.config.admin.tokenFile !== undefined ? 'bearer token' : 'none configured: mutations answer 403';
    this.logger.info({ component: 'admin', host: bound.host, port: bound.port, auth }, 'admin listening');
    this.etcd?.start();
    this.listening = true;
    for (const discovery of this.dns) discovery.start();
    return bound;
  }

  /**
   * DNS discovery for every pool that names DNS entries, started again after a reload. Members keep their health:
   * they are keyed by id. (A name a reload drops leaves its members in the pool until they fail their probes.)
   */
  followDiscovery(poolConfigs: readonly PoolConfig[]): void {
    for (const discovery of this.dns) discovery.close();
    this.dns = poolConfigs
      .filter((poolConfig) => poolConfig.dnsNames.length > 0)
      .map(({ name, dnsNames }) => new DnsDiscovery({ ...this.config.dns, names: dnsNames }, this.pools!.get(name)!, this.logger.child({ component: 'dns', pool: name })));
    if (this.listening) for (const discovery of this.dns) discovery.start();
  }

  async close(): Promise<void> {
    for (const discovery of this.dns) discovery.close();
    await this.admin?.close();
    await this.registry?.close();
    await this.audit.close();
  }
}
