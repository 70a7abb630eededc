// `npm run bench:scale -- --pick`: how long one pick() takes for each selection policy as the pool grows from
// 10 to 10,000 members, timed in this process (no sockets): a policy whose time grows with the pool shows here.
import { ConsistentHash } from '../gateway/src/selection/consistent-hash.js';
import { LeastOutstanding } from '../gateway/src/selection/least-outstanding.js';
import { RoundRobin } from '../gateway/src/selection/round-robin.js';
import type { Candidate, Selector } from '../gateway/src/selection/selector.js';
import { SmoothWeighted } from '../gateway/src/selection/smooth-weighted.js';

export const PICK_SIZES = [10, 100, 1000, 10_000];

interface Policy {
  name: string;
  make: () => Selector<Candidate>;
  /** Weight of the i-th member: equal for round-robin, a 1-5 mix where weights matter. */
  weight: (index: number) => number;
  keyed: boolean;
}

const POLICIES: Policy[] = [
  { name: 'round-robin', make: () => new RoundRobin(), weight: () => 1, keyed: false },
  { name: 'smooth-weighted (weights 1-5)', make: () => new SmoothWeighted(), weight: (index) => 1 + (index % 5), keyed: false },
  { name: 'least-outstanding (P2C)', make: () => new LeastOutstanding(), weight: (index) => 1 + (index % 5), keyed: false },
  { name: 'consistent-hash (keyed)', make: () => new ConsistentHash(), weight: () => 1, keyed: true },
];

/** Distinct request keys the keyed policy cycles through (client addresses, say). */
const KEYS = Array.from({ length: 4096 }, (_, index) => `10.${index >> 8}.${index & 255}.7`);

export interface PickTiming {
  policy: string;
  /** Nanoseconds per pick, by pool size (PICK_SIZES order). */
  nanoseconds: number[];
}

/** Each policy at each size: picks for `millis` ms after a warm-up, median of three such runs. */
export function timePicks(millis: number): PickTiming[] {
  return POLICIES.map((policy) => ({
    policy: policy.name,
    nanoseconds: PICK_SIZES.map((size) => {
      const selector = policy.make();
      selector.update(Array.from({ length: size }, (_, index) => ({ id: `backend-${index + 1}`, weight: policy.weight(index), inFlight: index % 3 })));
      picksFor(selector, policy.keyed, millis / 4); // warm-up: let V8 optimise pick()
      const runs = [0, 1, 2].map(() => picksFor(selector, policy.keyed, millis / 3)).sort((a, b) => a - b);
      return runs[1]!;
    }),
  }));
}

/** Picks in batches until `millis` ms have passed; nanoseconds per pick. */
function picksFor(selector: Selector<Candidate>, keyed: boolean, millis: number): number {
  const batch = 1000;
  let picks = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(millis * 1e6));
  let now = start;
  while (now < until) {
    for (let i = 0; i < batch; i++) sink += selector.pick(undefined, keyed ? KEYS[(picks + i) & 4095] : undefined)!.weight;
    picks += batch;
    now = process.hrtime.bigint();
  }
  if (sink < 0) throw new Error('unreachable: keeps the picks from being optimised away');
  return Number(now - start) / picks;
}

export function pickTable(timings: PickTiming[]): string {
  const header = `| policy | ${PICK_SIZES.map((size) => `${size.toLocaleString('en')} members`).join(' | ')} |`;
  const rule = `|---|${PICK_SIZES.map(() => '---:').join('|')}|`;
  const rows = timings.map((timing) => `| ${timing.policy} | ${timing.nanoseconds.map((ns) => `${ns.toFixed(0)} ns`).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}
