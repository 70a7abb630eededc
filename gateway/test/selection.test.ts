// Selection policies: round-robin order and retry skipping, smooth weighted shares and spacing.
import t from 'tap';
import { RoundRobin } from '../src/selection/round-robin.js';
import { SmoothWeighted } from '../src/selection/smooth-weighted.js';

const member = (id: string, weight = 1) => ({ id, weight });

t.test('round-robin visits every member in turn and keeps its place when the set changes', async (t) => {
  const rr = new RoundRobin<ReturnType<typeof member>>();
  t.equal(rr.pick(), undefined, 'empty set → no candidate');
  const [a, b, c] = [member('a'), member('b'), member('c')];
  rr.update([a, b, c]);
  t.same(Array.from({ length: 6 }, () => rr.pick()!.id), ['a', 'b', 'c', 'a', 'b', 'c']);
  rr.update([a, c]);
  t.same(Array.from({ length: 4 }, () => rr.pick()!.id).sort(), ['a', 'a', 'c', 'c'], 'two members share evenly');
});

t.test('round-robin skips members already tried and gives up when all were', async (t) => {
  const rr = new RoundRobin<ReturnType<typeof member>>();
  rr.update([member('a'), member('b'), member('c')]);
  t.equal(rr.pick(new Set(['a']))!.id, 'b');
  t.equal(rr.pick(new Set(['c', 'a']))!.id, 'b');
  t.equal(rr.pick(new Set(['a', 'b', 'c'])), undefined);
});

t.test('smooth weighted gives shares by weight without bursts', async (t) => {
  const sw = new SmoothWeighted<ReturnType<typeof member>>();
  sw.update([member('a', 5), member('b', 1), member('c', 1)]);
  const sequence = Array.from({ length: 7 }, () => sw.pick()!.id).join('');
  t.equal(sequence, 'aabacaa', 'the nginx sequence for 5,1,1');
  const counts = new Map<string, number>();
  for (let i = 0; i < 700; i++) {
    const id = sw.pick()!.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  t.same(Object.fromEntries(counts), { a: 500, b: 100, c: 100 });
  t.equal(sw.pick(new Set(['a', 'b']))!.id, 'c', 'tried members are skipped');
});
