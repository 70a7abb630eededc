// The hedge delay: off, fixed, or following the 95th percentile of recent times to headers.
import t from 'tap';
import { hedgeDelay } from '../src/proxy/hedge-delay.js';

t.test('0 is off, a number is a fixed delay', async (t) => {
  t.equal(hedgeDelay(0), undefined);
  const fixed = hedgeDelay(120)!;
  fixed.record(5);
  t.equal(fixed.current(), 120);
});

t.test('p95 has no delay before its first hundred samples, then the 95th percentile of them', async (t) => {
  const p95 = hedgeDelay('p95')!;
  for (let i = 1; i < 100; i++) p95.record(i);
  t.equal(p95.current(), undefined, 'no basis yet: no hedging');
  p95.record(100);
  t.equal(p95.current(), 96, 'of 1…100 ms, the 96th smallest (index 95)');
});

t.test('p95 follows the recent window: after a thousand slow samples, old fast ones no longer count', async (t) => {
  const p95 = hedgeDelay('p95')!;
  for (let i = 0; i < 1_000; i++) p95.record(2);
  t.equal(p95.current(), 2);
  for (let i = 0; i < 1_000; i++) p95.record(i < 900 ? 50 : 400);
  t.equal(p95.current(), 400, 'the slowest tenth of the new window sets it');
});

t.test('p95 never drops below a millisecond', async (t) => {
  const p95 = hedgeDelay('p95')!;
  for (let i = 0; i < 100; i++) p95.record(0.2);
  t.equal(p95.current(), 1);
});
