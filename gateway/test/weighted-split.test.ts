// Weighted splits: shares by weight over many requests, stickiness by cookie or header, and an atomic switch.
import type { IncomingMessage } from 'node:http';
import t from 'tap';
import { WeightedSplit } from '../src/routes/weighted-split.js';

const request = (headers: Record<string, string> = {}) => ({ url: '/', method: 'GET', rawHeaders: Object.entries(headers).flat() }) as unknown as IncomingMessage;
const sides = (blue: number, green: number) => [{ pool: 'blue', weight: blue, target: 'blue' }, { pool: 'green', weight: green, target: 'green' }];

function shares(split: WeightedSplit<string>, count: number, headersOf: (i: number) => Record<string, string> = () => ({})) {
  const counts: Record<string, number> = { blue: 0, green: 0 };
  for (let i = 0; i < count; i++) counts[split.choose(request(headersOf(i)))]! += 1;
  return counts;
}

t.test('90/10 over 10,000 requests lands within ±2 %', async (t) => {
  const counts = shares(new WeightedSplit(sides(90, 10), undefined), 10_000);
  t.ok(Math.abs(counts.green! / 10_000 - 0.1) <= 0.02, `green took ${counts.green} of 10,000`);
});

t.test('sticky by cookie: one user always lands on the same side; 10,000 users still split by weight', async (t) => {
  const split = new WeightedSplit(sides(95, 5), { cookie: 'session' });
  const user = request({ Cookie: 'theme=dark; session=user-1234; lang=en' });
  const first = split.choose(user);
  const sideAfter = Array.from({ length: 100 }, () => split.choose(user));
  t.same(sideAfter, Array(100).fill(first), 'the same side on every request');
  const counts = shares(split, 10_000, (i) => ({ cookie: `session=user-${i}` }));
  t.ok(Math.abs(counts.green! / 10_000 - 0.05) <= 0.02, `green took ${counts.green} of 10,000 users`);
});

t.test('sticky by header', async (t) => {
  const split = new WeightedSplit(sides(50, 50), { header: 'X-User' });
  const sideOf = (user: string) => split.choose(request({ 'x-user': user }));
  t.same(Array.from({ length: 20 }, () => sideOf('alice')), Array(20).fill(sideOf('alice')));
});

t.test('a switch moves every new request at once; a sticky user follows the weights', async (t) => {
  const split = new WeightedSplit(sides(100, 0), { cookie: 'session' });
  t.same(shares(split, 200), { blue: 200, green: 0 }, 'all blue');
  split.setWeights(new Map([['blue', 0], ['green', 100]]));
  t.same(shares(split, 200), { blue: 0, green: 200 }, 'all green after the switch');
  t.same(split.weights, [{ pool: 'blue', weight: 0 }, { pool: 'green', weight: 100 }]);
});

t.test('a side whose pool has no available backend gives its share to the others', async (t) => {
  const down = new Set(['green']);
  const split = new WeightedSplit(sides(10, 90), { cookie: 'session' }, (target) => !down.has(target));
  t.same(shares(split, 1_000, (i) => ({ cookie: `session=u${i}` })), { blue: 1_000, green: 0 }, 'every user on blue while green is down');
  down.clear();
  const back = shares(split, 1_000, (i) => ({ cookie: `session=u${i}` }));
  t.ok(back.green! > 800, `green takes its 90 % again when it is back (${back.green})`);
  const alice = request({ cookie: 'session=alice' });
  const drawn = split.choose(alice);
  down.add('blue').add('green');
  t.equal(split.choose(alice), drawn, 'with no side available the side drawn anyway answers (503 from its pool)');
});
