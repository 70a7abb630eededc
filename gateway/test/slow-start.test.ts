// Slow start: a backend back from down takes a small share at first and its full share after slowStartMs;
// without slow start it takes its full share at once.
import t from 'tap';
import { createBackend } from '../src/pool/backend.js';
import { LoadBalancer } from '../src/pool/load-balancer.js';

function pool(slowStartMs: number) {
  const lb = new LoadBalancer({ thresholds: { rise: 1, fall: 1 }, initialState: 'up', slowStartMs });
  for (const id of ['a', 'b']) lb.add(createBackend({ id, url: `http://127.0.0.1:${id === 'a' ? 1 : 2}`, weight: 1, backup: false }, 'static', 'default'));
  return lb;
}

function shareOf(lb: LoadBalancer, id: string, picks: number): number {
  let hits = 0;
  for (let i = 0; i < picks; i++) if (lb.pick()!.id === id) hits += 1;
  return hits / picks;
}

t.test('a backend back from down ramps from a small share to an even one', async (t) => {
  const lb = pool(1_000);
  lb.recordProbe('b', { ok: false, reason: 'refused' });
  t.equal(lb.get('b')!.state, 'down');
  lb.recordProbe('b', { ok: true, reason: 'ok' });
  t.equal(lb.get('b')!.state, 'up');
  const early = shareOf(lb, 'b', 200);
  t.ok(early < 0.25, `just back: ${(early * 100).toFixed(0)} % of requests`);
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  const later = shareOf(lb, 'b', 200);
  t.ok(Math.abs(later - 0.5) <= 0.01, `after slowStartMs: ${(later * 100).toFixed(0)} %, an even split again`);
});

t.test('without slow start a backend back from down takes its full share at once', async (t) => {
  const lb = pool(0);
  lb.recordProbe('b', { ok: false, reason: 'refused' });
  lb.recordProbe('b', { ok: true, reason: 'ok' });
  t.equal(shareOf(lb, 'b', 200), 0.5);
});
