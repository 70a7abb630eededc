// A per-backend gauge read at scrape time (gateway_backend_up, _in_flight, gateway_heartbeat_age_seconds) as a
// registry entry of its own: one value per member, labelled with an object kept per member. A prom-client Gauge
// would be reset and set again for every backend on every scrape, re-hashing each backend's labels (15 % of a
// /metrics scrape at 1,000 backends, --cpu-prof); the kept labels object also lets the exposition reuse its text.
import type { Metric, Registry } from 'prom-client';
import type { PoolMember } from '../pool/pool-member.js';

export interface MemberLabels {
  backend: string;
  pool: string;
}

/** One labels object per member, shared by every per-backend gauge. */
const labelsByMember = new WeakMap<PoolMember, MemberLabels>();

function labelsOf(member: PoolMember): MemberLabels {
  let labels = labelsByMember.get(member);
  if (labels === undefined) labelsByMember.set(member, (labels = { backend: member.id, pool: member.backend.pool }));
  return labels;
}

export interface MemberGaugeOptions {
  name: string;
  help: string;
  members: () => Iterable<PoolMember>;
  /** The member's value now; undefined leaves the member out (no series). */
  valueOf: (member: PoolMember, now: number) => number | undefined;
}

/** What prom-client's registry, its JSON and its cluster aggregation read of a metric: get(), reset() and these fields. */
export class MemberGauge {
  readonly type = 'gauge';
  /** Added up over processes, as prom-client's Gauge default. */
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;

  constructor(private readonly options: MemberGaugeOptions, registry: Registry) {
    this.name = options.name;
    this.help = options.help;
    registry.registerMetric(this as unknown as Metric<string>);
  }

  get(): { name: string; help: string; type: 'gauge'; aggregator: 'sum'; values: Array<{ value: number; labels: MemberLabels }> } {
    const now = Date.now();
    const values: Array<{ value: number; labels: MemberLabels }> = [];
    for (const member of this.options.members()) {
      const value = this.options.valueOf(member, now);
      if (value !== undefined) values.push({ value, labels: labelsOf(member) });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing is kept between scrapes. */
  reset(): void {}
}
