// GET /events streams backend state changes as they happen (with the recent history first, and no repeats after
// a reconnect with Last-Event-ID); an open stream does not hold up shutdown.
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { openSse } from './helpers/sse.js';

interface StateEvent {
  id: number;
  backend: string;
  from: string;
  to: string;
  reason: string;
}

t.test('a killed backend appears on /events as a change to down, with the reason', async (t) => {
  const backends = await startBackends(2);
  const gw = await startGateway({ backends: backends.map((b) => b.url) });
  let closed = false;
  t.teardown(async () => {
    if (!closed) await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));

  const stream = await openSse(`${gw.adminUrl}/events`);
  t.equal(stream.status, 200);
  t.match(stream.contentType, /^text\/event-stream/);
  const states = () => stream.events.filter((e) => e.event === 'state').map((e) => JSON.parse(e.data) as StateEvent);
  await waitFor(() => states().some((e) => e.backend === 'backend-2' && e.to === 'up'));
  t.ok(states().some((e) => e.backend === 'backend-1' && e.from === 'absent'), 'the history comes first: backends being added');
  const lastId = Math.max(...states().map((e) => e.id));

  await backends[1]!.stop();
  await waitFor(() => states().some((e) => e.id > lastId && e.backend === 'backend-2' && e.to === 'down'), 5_000);
  const down = states().find((e) => e.id > lastId && e.backend === 'backend-2' && e.to === 'down')!;
  t.equal(down.from, 'up');
  t.equal(down.reason, 'refused', 'the reason is what the probe saw');
  t.equal(stream.events.find((e) => Number(e.id) === down.id)?.id, String(down.id), 'each event carries its id for Last-Event-ID');

  // A reconnecting client names the last event it saw and gets only what came after.
  const resumed = await openSse(`${gw.adminUrl}/events`, { 'last-event-id': String(lastId) });
  await waitFor(() => resumed.events.length > 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const ids = resumed.events.map((e) => Number(e.id));
  t.ok(ids.every((id) => id > lastId), `only events after ${lastId}: ${ids.join(',')}`);
  t.ok(ids.includes(down.id), 'including the down change');

  // Streams never go idle, so closing must end them rather than wait.
  const started = Date.now();
  await gw.close();
  closed = true;
  t.ok(Date.now() - started < 3_000, `the gateway closed in ${Date.now() - started} ms with two streams open`);
  stream.close();
  resumed.close();
});
