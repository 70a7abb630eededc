// Consistent hash ring: sticky keys, minimal movement when members leave or join, shares by weight, retries, no key.
import t from 'tap';
import { ConsistentHash } from '../src/selection/consistent-hash.js';

interface Member {
  id: string;
  weight: number;
}

const member = (id: string, weight = 1): Member => ({ id, weight });
const pool = (size: number): Member[] => Array.from({ length: size }, (_, i) => member(`backend-${i + 1}`));
const KEYS = Array.from({ length: 10_000 }, (_, i) => `client-${i}`);

function ring(members: readonly Member[]): ConsistentHash<Member> {
  const selector = new ConsistentHash<Member>();
  selector.update(members);
  return selector;
}

/** key → id of the member it maps to. */
function assignments(selector: ConsistentHash<Member>): Map<string, string> {
  return new Map(KEYS.map((key) => [key, selector.pick(undefined, key)!.id]));
}

function countById(assigned: Map<string, string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of assigned.values()) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

t.test('an empty ring has no candidate, with or without a key', async (t) => {
  const selector = ring([]);
  t.equal(selector.pick(undefined, 'client-1'), undefined);
  t.equal(selector.pick(), undefined);
});

t.test('the same key maps to the same member on every call', async (t) => {
  const selector = ring(pool(5));
  for (const key of ['10.0.0.7', '/cart/42', 'session=abc', 'ünïcødé', 'x'.repeat(4096)]) {
    const first = selector.pick(undefined, key)!.id;
    t.ok(Array.from({ length: 20 }, () => selector.pick(undefined, key)!.id).every((id) => id === first), `${key.slice(0, 20)} → ${first}`);
  }
});

t.test('removing one of 5 members moves only its keys, at most 1/5 + 5 %', async (t) => {
  const members = pool(5);
  const before = assignments(ring(members));
  const removed = members[2]!;
  const afterRing = ring(members.filter((m) => m !== removed));
  const after = assignments(afterRing);
  const moved = KEYS.filter((key) => before.get(key) !== after.get(key));
  t.ok(moved.length <= KEYS.length * (1 / 5 + 0.05), `${moved.length} of ${KEYS.length} keys moved`);
  t.ok(moved.every((key) => before.get(key) === removed.id), 'every moved key was on the removed member');
  const retryRing = ring(members);
  t.ok(
    moved.every((key) => retryRing.pick(new Set([removed.id]), key)!.id === after.get(key)),
    'each moved key lands where a retry skipping the removed member went before',
  );
});

t.test('adding a sixth member moves about 1/6 of the keys, all of them to it', async (t) => {
  const members = pool(6);
  const before = assignments(ring(members.slice(0, 5)));
  const after = assignments(ring(members));
  const moved = KEYS.filter((key) => before.get(key) !== after.get(key));
  t.ok(Math.abs(moved.length / KEYS.length - 1 / 6) <= 0.05, `${moved.length} of ${KEYS.length} keys moved (1/6 is ${Math.round(KEYS.length / 6)})`);
  t.ok(moved.every((key) => after.get(key) === 'backend-6'), 'every moved key went to the new member');
});

// tolerance: how far a member's share may be from weight / total weight, relative to it.
const shareRows: { name: string; weights: number[]; tolerance: number }[] = [
  { name: '5 equal members', weights: [1, 1, 1, 1, 1], tolerance: 0.2 },
  { name: '3 equal members of weight 10', weights: [10, 10, 10], tolerance: 0.2 },
  { name: 'weights 1:2', weights: [1, 2], tolerance: 0.15 },
  { name: 'weights 1:2:1:2', weights: [1, 2, 1, 2], tolerance: 0.2 },
  { name: 'weights 1000:500, past the cap on ring points', weights: [1000, 500], tolerance: 0.15 },
];

for (const row of shareRows) {
  t.test(`10,000 keys split by weight: ${row.name}`, async (t) => {
    const members = row.weights.map((weight, i) => member(`backend-${i + 1}`, weight));
    const counts = countById(assignments(ring(members)));
    const totalWeight = row.weights.reduce((sum, weight) => sum + weight, 0);
    for (const m of members) {
      const expected = (KEYS.length * m.weight) / totalWeight;
      const got = counts.get(m.id) ?? 0;
      t.ok(Math.abs(got - expected) <= expected * row.tolerance, `${m.id} (weight ${m.weight}): ${got} keys, expected ${Math.round(expected)} ± ${row.tolerance * 100} %`);
    }
  });
}

t.test('rebuilding with the same members in another order keeps every key where it was', async (t) => {
  const members = [...pool(4), member('canary', 2)];
  const selector = ring(members);
  const before = assignments(selector);
  selector.update([...members].reverse());
  const after = assignments(selector);
  t.equal(KEYS.filter((key) => before.get(key) !== after.get(key)).length, 0, 'no key moved');
});

/** The members a request with this key tries, in order, until every member was tried. */
function retryOrder(selector: ConsistentHash<Member>, key: string): string[] {
  const tried = new Set<string>();
  for (let picked = selector.pick(tried, key); picked !== undefined; picked = selector.pick(tried, key)) tried.add(picked.id);
  return [...tried];
}

t.test('retries walk on to members not yet tried, in the same order for the same key', async (t) => {
  const selector = ring(pool(5));
  for (const key of ['client-1', 'client-2', '192.168.1.20']) {
    const order = retryOrder(selector, key);
    t.equal(order.length, 5, `${key}: five tries reach five distinct members, then undefined`);
    t.equal(order[0], selector.pick(undefined, key)!.id, `${key}: the first try is the key's own member`);
    t.same(retryOrder(selector, key), order, `${key}: the same retry order again`);
  }
});

t.test('without a key (missing or empty) it falls back to round-robin', async (t) => {
  const selector = ring(pool(3));
  t.same(Array.from({ length: 6 }, () => selector.pick()!.id), ['backend-1', 'backend-2', 'backend-3', 'backend-1', 'backend-2', 'backend-3']);
  t.equal(selector.pick(new Set(['backend-1']), '')!.id, 'backend-2', 'an empty key too, skipping tried members');
});
