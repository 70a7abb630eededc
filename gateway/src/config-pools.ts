// The effective pools and routes of a validated config: each pool's own keys over the top-level ones, and the
// single-pool config (top-level `backends`, GATEWAY_BACKENDS, dns.names) read as pool `default` with a
// catch-all route to it, so every config written before pools existed means what it meant.
import type { BackendSpec, GatewayConfig } from './config-schema.js';
import type { RouteConfig } from './config-schema-routing.js';
import { DEFAULT_STREAMS_PER_CONNECTION, DEFAULT_UPSTREAM_PROTOCOL, type UpstreamProtocol } from './config-schema-upstream.js';
import type { UpstreamTlsFiles } from './pool/upstream-tls.js';

export const DEFAULT_POOL = 'default';

export interface PoolConfig {
  name: string;
  backends: BackendSpec[];
  dnsNames: string[];
  policy: 'round-robin' | 'least-outstanding' | 'consistent-hash';
  hashOn: string | undefined;
  healthCheck: GatewayConfig['healthCheck'];
  passiveHealth: GatewayConfig['passiveHealth'];
  retry: GatewayConfig['retry'];
  protocol: UpstreamProtocol;
  streamsPerConnection: number;
  /** Undefined: https:// backends are verified against the system CAs, with no client certificate. */
  tls: UpstreamTlsFiles | undefined;
  grpc: { idempotentMethods: string[] };
  concurrency: GatewayConfig['concurrency'];
}

export function resolvePools(config: GatewayConfig): PoolConfig[] {
  const pools: PoolConfig[] = [];
  const named = config.pools ?? {};
  if (named[DEFAULT_POOL] === undefined && (config.pools === undefined || config.backends.length > 0 || config.dns.names.length > 0)) {
    pools.push(inherit(config, DEFAULT_POOL, { backends: config.backends, dnsNames: config.dns.names, policy: 'round-robin' }));
  }
  for (const [name, pool] of Object.entries(named)) {
    const dnsNames = name === DEFAULT_POOL ? [...config.dns.names, ...pool.dnsNames] : pool.dnsNames;
    pools.push(inherit(config, name, { ...pool, dnsNames }));
  }
  return pools;
}

/** The route table as configured, or one catch-all route to the default pool. */
export function resolveRoutes(config: GatewayConfig): RouteConfig[] {
  return config.routes ?? [{ name: DEFAULT_POOL, match: {}, pool: DEFAULT_POOL, stripPrefix: false }];
}

type PoolSection = NonNullable<GatewayConfig['pools']>[string];

function inherit(config: GatewayConfig, name: string, pool: Partial<PoolSection> & Pick<PoolSection, 'backends' | 'dnsNames' | 'policy'>): PoolConfig {
  return {
    name,
    backends: pool.backends,
    dnsNames: pool.dnsNames,
    policy: pool.policy,
    hashOn: pool.hashOn,
    healthCheck: { ...config.healthCheck, ...pool.healthCheck },
    passiveHealth: { ...config.passiveHealth, ...pool.passiveHealth },
    retry: { ...config.retry, ...pool.retry },
    protocol: pool.protocol ?? DEFAULT_UPSTREAM_PROTOCOL,
    streamsPerConnection: pool.streamsPerConnection ?? DEFAULT_STREAMS_PER_CONNECTION,
    tls: pool.tls,
    grpc: pool.grpc ?? { idempotentMethods: [] },
    concurrency: { ...config.concurrency, ...pool.concurrency },
  };
}
