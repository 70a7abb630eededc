// Least-outstanding (P2C): which of two draws wins, retries skipping tried members, and shares under load.
import t from 'tap';
import { LeastOutstanding } from '../src/selection/least-outstanding.js';

interface Member {
  id: string;
  weight: number;
  inFlight: number;
}

const member = (id: string, inFlight = 0, weight = 1): Member => ({ id, weight, inFlight });

/** mulberry32: a seeded source, so a statistical test fails the same way every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let mixed = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plays back the given draws in order, so a table row says exactly which slots were drawn. */
function scripted(draws: number[]): () => number {
  return () => {
    const next = draws.shift();
    if (next === undefined) throw new Error('the selector drew more often than the row expects');
    return next;
  };
}

function countPicks(selector: LeastOutstanding<Member>, picks: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < picks; i++) {
    const id = selector.pick()!.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

t.test('no candidate: an empty set, or every member tried', async (t) => {
  const selector = new LeastOutstanding<Member>({ random: seeded(1) });
  t.equal(selector.pick(), undefined, 'empty set');
  selector.update([member('a'), member('b')]);
  t.equal(selector.pick(new Set(['a', 'b'])), undefined, 'all tried');
  selector.update([member('a')]);
  t.equal(selector.pick()!.id, 'a', 'a lone member is picked without a comparison');
  t.equal(selector.pick(new Set(['a'])), undefined, 'a lone member already tried');
});

// draws: the first slot (x count), the second as an offset from it (x count - 1), then a coin if the loads tie.
const rows: { name: string; members: Member[]; draws: number[]; tried?: string[]; picked: string }[] = [
  { name: 'fewer in flight wins', members: [member('a', 5), member('b', 1), member('c', 0)], draws: [0, 0], picked: 'b' },
  { name: 'the second draw never repeats the first slot', members: [member('a', 1), member('b', 0)], draws: [0, 0.99], picked: 'b' },
  { name: 'weight-aware: 4 in flight on weight 4 beats 2 on weight 1', members: [member('a', 2, 1), member('b', 4, 4)], draws: [0, 0], picked: 'b' },
  { name: 'a draw on a tried member walks on to the next untried one', members: [member('a', 0), member('b', 0), member('c', 3), member('d', 1)], draws: [0.25, 0], tried: ['b'], picked: 'd' },
  { name: 'one untried member left: picked whatever its load', members: [member('a', 9), member('b', 0), member('c', 0)], draws: [0.5, 0], tried: ['b', 'c'], picked: 'a' },
  { name: 'a tie goes to the first draw when the coin falls below its share', members: [member('a', 0, 1), member('b', 0, 3)], draws: [0, 0, 0.2], picked: 'a' },
  { name: 'a tie goes to the second draw when the coin falls above its share', members: [member('a', 0, 1), member('b', 0, 3)], draws: [0, 0, 0.3], picked: 'b' },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    const draws = [...row.draws];
    const selector = new LeastOutstanding<Member>({ random: scripted(draws) });
    selector.update(row.members);
    t.equal(selector.pick(row.tried && new Set(row.tried))?.id, row.picked);
    t.same(draws, [], 'every scripted draw was used');
  });
}

t.test('a member with many requests in flight gets far fewer picks', async (t) => {
  const busy = member('busy', 100);
  const selector = new LeastOutstanding<Member>({ random: seeded(7) });
  selector.update([member('a', 1), member('b', 2), busy, member('c', 0)]);
  const counts = countPicks(selector, 10_000);
  t.equal(counts.get('busy') ?? 0, 0, 'it loses every comparison, and two draws never both land on it');
});

t.test('a backend ten times slower ends up with far less than its equal share', async (t) => {
  const members = [member('slow'), member('a'), member('b'), member('c')];
  const selector = new LeastOutstanding<Member>({ random: seeded(42) });
  selector.update(members);
  // One request arrives per tick; the slow member answers in 40 ticks, the others in 4.
  const completions: Member[][] = Array.from({ length: 41 }, () => []);
  const picks = new Map<string, number>();
  for (let tick = 0; tick < 10_000; tick++) {
    for (const done of completions[tick % completions.length]!) done.inFlight--;
    completions[tick % completions.length] = [];
    const chosen = selector.pick()!;
    chosen.inFlight++;
    picks.set(chosen.id, (picks.get(chosen.id) ?? 0) + 1);
    completions[(tick + (chosen.id === 'slow' ? 40 : 4)) % completions.length]!.push(chosen);
  }
  const slowShare = picks.get('slow')! / 10_000;
  t.ok(slowShare < 0.1, `slow share ${(slowShare * 100).toFixed(1)} % < 10 % (round-robin would give 25 %)`);
});

t.test('an idle pool splits by weight: 1:2 gives about a third and two thirds', async (t) => {
  const selector = new LeastOutstanding<Member>({ random: seeded(3) });
  selector.update([member('light', 0, 1), member('heavy', 0, 2)]);
  const counts = countPicks(selector, 9_000);
  t.ok(Math.abs(counts.get('light')! - 3_000) < 300, `light ${counts.get('light')} ≈ 3000`);
  t.ok(Math.abs(counts.get('heavy')! - 6_000) < 300, `heavy ${counts.get('heavy')} ≈ 6000`);
});

t.test('weightOf overrides the weight (slow start)', async (t) => {
  const ramping = member('ramping', 0, 10);
  const selector = new LeastOutstanding<Member>({ random: seeded(5), weightOf: (m) => (m === ramping ? 1 : m.weight) });
  selector.update([ramping, member('steady', 0, 1)]);
  const counts = countPicks(selector, 4_000);
  t.ok(Math.abs(counts.get('ramping')! - 2_000) < 250, `ramping member at weight 1 takes about half: ${counts.get('ramping')}`);
});
