// Outlier detection rules with a hand-driven clock: the window, the ejection length doubling to its cap,
// and the backoff forgiven after a calm period.
import t from 'tap';
import { PassiveHealth } from '../src/health/passive-health.js';
import { RetryBudget } from '../src/proxy/retry-budget.js';

const options = { maxFails: 3, failWindowMs: 10_000, ejectTimeMs: 5_000, maxEjectTimeMs: 20_000 };

t.test('maxFails failures within the window eject; spread wider they do not', async (t) => {
  const passive = new PassiveHealth(options);
  t.equal(passive.recordFailure('refused', 0), undefined);
  t.equal(passive.recordFailure('refused', 6_000), undefined);
  t.equal(passive.recordFailure('refused', 12_000), undefined, 'the first failure left the window');
  t.equal(passive.recordFailure('refused', 13_000), 5_000, 'three within 10 s eject for ejectTimeMs');
  t.match(passive.reason, /refused 3 times in 10 s/);
});

t.test('repeated ejections double up to the cap; a calm period resets the backoff', async (t) => {
  const passive = new PassiveHealth(options);
  let now = 0;
  const ejectAfterThreeFailures = () => {
    let length: number | undefined;
    for (let i = 0; i < 3; i++) length = passive.recordFailure('status 503', (now += 10));
    passive.eject(length!, now);
    t.ok(passive.isEjected(now));
    now = passive.ejectedUntil;
    t.notOk(passive.isEjected(now), 'the ejection ends on time');
    return length;
  };
  t.same([ejectAfterThreeFailures(), ejectAfterThreeFailures(), ejectAfterThreeFailures(), ejectAfterThreeFailures()], [5_000, 10_000, 20_000, 20_000]);
  now += 20_001; // in longer than the longest ejection
  t.equal(ejectAfterThreeFailures(), 5_000, 'starts over at ejectTimeMs');
});

t.test('failures during an ejection do not extend it', async (t) => {
  const passive = new PassiveHealth(options);
  for (let i = 0; i < 2; i++) passive.recordFailure('reset', i);
  passive.eject(passive.recordFailure('reset', 2)!, 2);
  for (let i = 0; i < 5; i++) t.equal(passive.recordFailure('reset', 100 + i), undefined);
});

t.test('retry budget: at least minPerSecond, at most ratio of requests over 10 s', async (t) => {
  let now = 0;
  const budget = new RetryBudget(0.2, 3, () => now);
  let granted = 0;
  while (budget.tryAcquire()) granted += 1;
  t.equal(granted, 30, 'with no traffic, minPerSecond × 10 s');
  for (let i = 0; i < 500; i++) budget.recordRequest();
  t.equal(budget.tryAcquire(), true, '20 % of 500 requests is 100 retries');
  now += 11_000;
  granted = 0;
  while (budget.tryAcquire()) granted += 1;
  t.equal(granted, 30, 'the window slid past the old requests and retries');
});
