// What GET /pool says about each backend: identity, state and *why*, since when, traffic counters, and the
// times of its last/next probe and last heartbeat.
import type { ActiveHealthChecker } from '../health/active-check.js';
import type { LoadBalancer } from '../load-balancer.js';
import type { MemberFacts, PoolMember } from '../pool-member.js';
import type { Registry } from '../discovery/registry.js';

export interface PoolEntry extends MemberFacts {
  since: string;
  lastProbeAt: string | null;
  nextProbeAt: string | null;
  lastHeartbeatAt: string | null;
  heartbeatAgeMs: number | null;
}

export interface PoolViewSources {
  loadBalancer: LoadBalancer;
  registry: Registry;
  checker: ActiveHealthChecker | undefined;
}

const iso = (time: number | undefined) => (time === undefined ? null : new Date(time).toISOString());

export function describePool(sources: PoolViewSources, now = Date.now()): { backends: PoolEntry[]; available: number } {
  const backends = sources.loadBalancer.list().map((member) => describeMember(member, sources, now));
  for (const expired of sources.registry.recentlyExpired()) {
    backends.push({
      id: expired.id, url: expired.url, source: 'registry', state: 'expired',
      why: `ttl expired ${((now - expired.at) / 1000).toFixed(1)} s ago`, since: new Date(expired.at).toISOString(),
      weight: 0, backup: false, inFlight: 0, served: 0, lastProbeAt: null, nextProbeAt: null, lastHeartbeatAt: null, heartbeatAgeMs: null,
    });
  }
  return { backends, available: backends.filter((entry) => entry.state === 'up').length };
}

function describeMember(member: PoolMember, sources: PoolViewSources, now: number): PoolEntry {
  const heartbeat = sources.registry.lastHeartbeat(member.id);
  return {
    ...member.facts(),
    since: new Date(member.since).toISOString(),
    lastProbeAt: iso(member.health.lastProbeAt),
    nextProbeAt: iso(sources.checker?.nextProbeAt(member.id)),
    lastHeartbeatAt: iso(heartbeat),
    heartbeatAgeMs: heartbeat === undefined ? null : now - heartbeat,
  };
}
