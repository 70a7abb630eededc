// Smooth weighted at 1,000 members: shares exact per weight over a period, spacing smooth, and the very sequence
// nginx's O(n) walk gives, through membership changes, slow-start ramps and retries.
import t from 'tap';
import { SmoothWeighted } from '../src/selection/smooth-weighted.js';

interface Member {
  id: string;
  weight: number;
}

/** nginx's smooth weighted round-robin as ngx_http_upstream_get_peer writes it: the oracle, O(n) per pick. */
class NginxOracle {
  private members: readonly Member[] = [];
  private current = new Map<string, number>();
  constructor(private readonly weightOf: (member: Member) => number = (member) => member.weight) {}
  update(members: readonly Member[]): void {
    this.current = new Map(members.map((member) => [member.id, this.current.get(member.id) ?? 0]));
    this.members = members;
  }
  pick(tried?: ReadonlySet<string>): Member | undefined {
    let best: Member | undefined;
    let total = 0;
    for (const member of this.members) {
      if (tried?.has(member.id)) continue;
      const weight = this.weightOf(member);
      this.current.set(member.id, this.current.get(member.id)! + weight);
      total += weight;
      if (best === undefined || this.current.get(member.id)! > this.current.get(best.id)!) best = member;
    }
    if (best) this.current.set(best.id, this.current.get(best.id)! - total);
    return best;
  }
}

/** 1,000 members of weights 1-5 in a shuffled order (a seeded shuffle: the same every run). */
function fleet(count: number): Member[] {
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 48271) >>> 0) % 2147483647) / 2147483647);
  const members = Array.from({ length: count }, (_, index) => ({ id: `b${index}`, weight: 1 + (index % 5) }));
  for (let i = members.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [members[i], members[j]] = [members[j]!, members[i]!];
  }
  return members;
}

t.test('over one period of 1,000 members each gets exactly its weight in picks, spread out', async (t) => {
  const members = fleet(1000);
  const total = members.reduce((sum, member) => sum + member.weight, 0);
  const selector = new SmoothWeighted<Member>();
  selector.update(members);
  const picksAt = new Map<string, number[]>();
  for (let step = 0; step < 2 * total; step++) {
    const id = selector.pick()!.id;
    picksAt.set(id, [...(picksAt.get(id) ?? []), step]);
  }
  const wrong = members.filter((member) => picksAt.get(member.id)?.length !== 2 * member.weight);
  t.same(wrong.map((member) => member.id), [], 'two periods: every member picked exactly twice its weight');
  // Smooth: a member of weight w is picked about every total/w steps, never in a burst.
  let worstGap = 0;
  for (const member of members) {
    const steps = picksAt.get(member.id)!;
    const ideal = total / member.weight;
    for (let i = 1; i < steps.length; i++) worstGap = Math.max(worstGap, Math.abs(steps[i]! - steps[i - 1]! - ideal) / ideal);
  }
  t.ok(worstGap < 1, `every gap between two picks of a member is within its ideal gap ± 100 % (worst ${(worstGap * 100).toFixed(0)} %)`);
});

t.test('the sequence is nginx’s through members leaving and joining, slow-start ramps and retries', async (t) => {
  const members = fleet(1000);
  // Every 7th member ramps: its share now is a quarter of its weight, as part-way through a ramp (a binary fraction: sums stay exact).
  const weightOf = (member: Member) => (Number(member.id.slice(1)) % 7 === 0 ? member.weight * 0.25 : member.weight);
  const selector = new SmoothWeighted<Member>(weightOf);
  const oracle = new NginxOracle(weightOf);
  let set = members;
  selector.update(set);
  oracle.update(set);
  let mismatches = 0;
  for (let step = 0; step < 20_000; step++) {
    if (step % 2500 === 1000) {
      // A tenth of the members leave, and half of those who left before come back (at the end of the list).
      const leaving = new Set(set.filter((_, index) => index % 10 === step % 7).map((member) => member.id));
      const back = members.filter((member) => !set.includes(member)).slice(0, 50);
      set = [...set.filter((member) => !leaving.has(member.id)), ...back];
      selector.update(set);
      oracle.update(set);
    }
    const tried = step % 97 === 0 ? new Set([set[step % set.length]!.id, set[(step * 3) % set.length]!.id]) : undefined;
    if (selector.pick(tried)!.id !== oracle.pick(tried)!.id) mismatches += 1;
  }
  t.equal(mismatches, 0, '20,000 picks, every one the member nginx picks');
});

t.test('tried members are never picked, and none is left when all were tried', async (t) => {
  const members = fleet(1000);
  const selector = new SmoothWeighted<Member>();
  selector.update(members);
  const tried = new Set(members.slice(0, 999).map((member) => member.id));
  t.equal(selector.pick(tried)!.id, members[999]!.id);
  t.equal(selector.pick(new Set(members.map((member) => member.id))), undefined);
  selector.update([]);
  t.equal(selector.pick(), undefined, 'empty set → no candidate');
});
