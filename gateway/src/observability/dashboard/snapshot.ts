// What GET /dashboard.json answers: every backend's state and why, plus its request totals since start, each
// pool's availability and the route table (in GET /routes's words). The page turns two snapshots into rates,
// error ratios and a p99, so the server keeps no time windows.
import { describeRoute } from '../../admin/route-routes.js';
import type { PoolSet } from '../../pool/pool-set.js';
import type { MemberFacts, PoolMember } from '../../pool/pool-member.js';
import type { EventFeed } from '../event-feed.js';
import { DURATION_BUCKETS, type GatewayMetrics, type RequestTotals } from '../metrics.js';
import { PACKAGE_VERSION } from '../package-info.js';
import type { RouteTable } from '../../routes/route-table.js';

export interface SnapshotSources {
  pools: PoolSet;
  /** The route table in force, read per snapshot: a reload swaps it and a split switch changes its weights. */
  routes: () => RouteTable<unknown>;
  metrics: GatewayMetrics | undefined;
  events: EventFeed;
  /** When a self-registered backend last renewed its TTL (epoch ms); absent without a registry. */
  lastHeartbeat?: (id: string) => number | undefined;
  /** The traffic workers (pid, requests served); absent in a single-process gateway. */
  workers?: () => { pid: number; served: number }[];
}

export interface BackendSnapshot extends MemberFacts, RequestTotals {
  /** Epoch ms of the last state change. */
  since: number;
  lastProbeAt: number | null;
  lastHeartbeatAt: number | null;
}

export interface PoolSnapshot {
  name: string;
  backends: number;
  /** Members taking traffic now, as GET /pool counts them (backups only when no primary is available). */
  available: number;
}

export interface DashboardSnapshot {
  /** Server clock (epoch ms): rates are computed against it, not the browser's clock. */
  time: number;
  version: string;
  metricsEnabled: boolean;
  /** Upper bounds of the duration histogram, in seconds; each backend's buckets add +Inf at the end. */
  bucketBounds: number[];
  available: number;
  noBackend: number;
  backends: BackendSnapshot[];
  pools: PoolSnapshot[];
  routes: ReturnType<typeof describeRoute>[];
  /** Each traffic worker's pid and requests served (its last report); empty with one process. The page diffs them into per-worker rates. */
  workers: { pid: number; served: number }[];
}

const NO_TOTALS: RequestTotals = { requests: 0, errors: 0, buckets: [] };

export async function buildSnapshot(sources: SnapshotSources): Promise<DashboardSnapshot> {
  const totals = sources.metrics ? await sources.metrics.requestTotals() : undefined;
  const members = [...sources.pools.members()];
  return {
    time: Date.now(),
    version: PACKAGE_VERSION,
    metricsEnabled: totals !== undefined,
    bucketBounds: DURATION_BUCKETS,
    available: sources.pools.available,
    noBackend: totals?.noBackend ?? 0,
    backends: members.map((member) => describe(member, sources, totals?.backends.get(member.id) ?? NO_TOTALS)),
    pools: sources.pools.summaries(),
    routes: sources.routes().routes.map(describeRoute),
    workers: sources.workers?.().map(({ pid, served }) => ({ pid, served })) ?? [],
  };
}

function describe(member: PoolMember, sources: SnapshotSources, totals: RequestTotals): BackendSnapshot {
  return {
    ...member.facts(),
    since: member.since,
    lastProbeAt: member.health.lastProbeAt ?? null,
    lastHeartbeatAt: sources.lastHeartbeat?.(member.id) ?? null,
    ...totals,
  };
}
