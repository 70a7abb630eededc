// What GET /pool says about each backend: identity, state and *why*, since when, traffic counters, and the
// times of its last/next probe and last heartbeat.
import type { MemberFacts, PoolMember } from '../pool/pool-member.js';
import type { PoolSet, PoolSummary } from '../pool/pool-set.js';
import type { UpstreamPool } from '../pool/upstream-pool.js';
import type { Registry } from '../discovery/registry.js';

export interface PoolEntry extends MemberFacts {
  since: string;
  lastProbeAt: string | null;
  nextProbeAt: string | null;
  lastHeartbeatAt: string | null;
  heartbeatAgeMs: number | null;
}

export interface PoolViewSources {
  pools: PoolSet;
  registry: Registry;
}


const iso = (time: number | undefined) => (time === undefined ? null : new Date(time).toISOString());

export function describePool(sources: PoolViewSources, now = Date.now()): { pools: PoolSummary[]; backends: PoolEntry[]; available: number } {
  const pools = [...sources.pools.all()];
  const backends = pools.flatMap((pool) => pool.loadBalancer.list().map((member) => describeMember(member, pool, sources, now)));
  for (const expired of sources.registry.recentlyExpired()) {
    backends.push({
      id: expired.id, pool: expired.pool, url: expired.url, source: 'registry', state: 'expired',
      why: `ttl expired ${((now - expired.at) / 1000).toFixed(1)} s ago`, since: new Date(expired.at).toISOString(),
      weight: 0, backup: false, inFlight: 0, served: 0, lastProbeAt: null, nextProbeAt: null, lastHeartbeatAt: null, heartbeatAgeMs: null,
    });
  }
  return { pools: sources.pools.summaries(), backends, available: sources.pools.available };
}

function describeMember(member: PoolMember, pool: UpstreamPool, sources: PoolViewSources, now: number): PoolEntry {
  const heartbeat = sources.registry.lastHeartbeat(member.id);
  return {
    ...member.facts(),
    since: new Date(member.since).toISOString(),
    lastProbeAt: iso(member.health.lastProbeAt),
    nextProbeAt: iso(pool.nextProbeAt(member.id)),
    lastHeartbeatAt: iso(heartbeat),
    heartbeatAgeMs: heartbeat === undefined ? null : now - heartbeat,
  };
}
